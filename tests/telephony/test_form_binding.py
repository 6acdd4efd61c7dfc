"""The call-log form completes the call the voice webhook logged, bound by its CallSid."""

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Outcome, Person, PersonStatus
from tests import factories
from tests.telephony.conftest import count, status_params, status_path


def _form(call, **extra):
    return {"company_id": str(call.company_id), "person_id": str(call.person_id),
            "to_number": call.to_number, "outcome": "gatekeeper",
            "notes": "Reception put me through to the VP's assistant.",
            "twilio_call_sid": call.twilio_call_sid,
            "people-0-full_name": "Samir Nagheenanajar", "people-0-title": "VP Engineering",
            } | extra


def test_the_form_completes_the_live_call_instead_of_logging_another(
    browser_call, logged_in, person
):
    response = logged_in.post("/calls/new", data=_form(browser_call))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/calls/{browser_call.id}"

    assert count(Call) == 1
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert call.outcome == Outcome.GATEKEEPER
    assert call.notes.startswith("Reception put me through")
    assert call.dialed_via == "browser" and call.twilio_call_sid == browser_call.twilio_call_sid
    samir = db.session.scalars(select(Person).where(
        Person.full_name == "Samir Nagheenanajar")).one()
    assert samir.status == PersonStatus.UNCOVERED and samir.source_call_id == call.id
    assert {p.full_name for p in call.people} == {"Peter Gibbons", "Samir Nagheenanajar"}


def test_another_user_cannot_bind_the_form_to_my_call(browser_call, client, auth):
    factories.UserFactory(email="mallory@example.com")
    auth.login("mallory@example.com")
    response = client.post("/calls/new", data=_form(browser_call, outcome="connected"))
    assert response.status_code == 422
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert call.outcome is None and call.notes is None
    assert count(Call) == 1 and count(Person) == 1


def test_the_refusal_to_bind_someone_elses_call_is_explained(browser_call, client, auth):
    factories.UserFactory(email="mallory@example.com")
    auth.login("mallory@example.com")
    response = client.post("/calls/new", data=_form(browser_call, outcome="connected"))
    assert "placed by someone else" in response.get_data(as_text=True)


def test_twilio_callbacks_after_the_form_still_fill_in_status_and_duration(
    browser_call, logged_in, twilio_post
):
    logged_in.post("/calls/new", data=_form(browser_call, outcome="connected", duration=""))
    twilio_post(status_path(browser_call),
                status_params(browser_call, "completed", 3, CallDuration="184"))
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert (call.outcome, call.twilio_status, call.duration_seconds) == (
        Outcome.CONNECTED, "completed", 184)


def test_a_blank_duration_in_the_form_keeps_the_duration_twilio_reported(
    browser_call, logged_in, twilio_post
):
    twilio_post(status_path(browser_call),
                status_params(browser_call, "completed", 3, CallDuration="184"))
    logged_in.post("/calls/new", data=_form(browser_call, outcome="connected", duration=""))
    db.session.expire_all()
    assert db.session.get(Call, browser_call.id).duration_seconds == 184
