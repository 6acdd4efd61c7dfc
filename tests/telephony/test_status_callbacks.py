"""POST /twilio/status: idempotent, order-proof, every raw event kept, sourcer's outcome kept."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Outcome, TwilioEvent
from tests import factories
from tests.telephony.conftest import counts, status_params, status_path


def _deliver(twilio_post, call, status, sequence, **extra):
    response = twilio_post(status_path(call), status_params(call, status, sequence, **extra))
    assert response.status_code == 204, response.get_data(as_text=True)
    db.session.expire_all()


def _status_events(call):
    return db.session.scalars(select(TwilioEvent).where(TwilioEvent.call_id == call.id,
                                                        TwilioEvent.kind == "status")
                              .order_by(TwilioEvent.id)).all()


def test_a_call_moves_from_initiated_to_completed_with_its_duration(twilio_post, browser_call):
    for sequence, status in enumerate(["initiated", "ringing", "in-progress"]):
        _deliver(twilio_post, browser_call, status, sequence)
    _deliver(twilio_post, browser_call, "completed", 3, CallDuration="95")

    call = db.session.get(Call, browser_call.id)
    assert call.twilio_status == "completed"
    assert call.duration_seconds == 95
    assert call.answered_at is not None
    assert call.answered_at.isoformat().startswith("2026-11-26T15:20:12")
    assert call.twilio_target_sid == "CA" + "5" * 32
    assert call.suggested_outcome is None  # a human answered: the sourcer says how it went
    assert [e.payload["CallStatus"] for e in _status_events(call)] == [
        "initiated", "ringing", "in-progress", "completed"]


def test_every_status_event_moves_the_call_forward_including_the_first(
    twilio_post, browser_call
):
    for sequence, status in enumerate(["initiated", "ringing", "in-progress", "completed"]):
        _deliver(twilio_post, browser_call, status, sequence)
    assert [e.applied for e in _status_events(browser_call)] == [True, True, True, True]


def test_a_duplicate_delivery_changes_nothing_and_is_stored_once(twilio_post, browser_call):
    _deliver(twilio_post, browser_call, "ringing", 1)
    _deliver(twilio_post, browser_call, "completed", 3, CallDuration="42")
    before = counts()
    _deliver(twilio_post, browser_call, "completed", 3, CallDuration="42")
    _deliver(twilio_post, browser_call, "ringing", 1)
    assert counts() == before
    call = db.session.get(Call, browser_call.id)
    assert (call.twilio_status, call.duration_seconds, call.twilio_sequence) == ("completed", 42, 3)
    assert len(_status_events(call)) == 2


def test_a_late_ringing_never_rolls_back_completed(twilio_post, browser_call):
    _deliver(twilio_post, browser_call, "completed", 3, CallDuration="61")
    _deliver(twilio_post, browser_call, "ringing", 1)
    _deliver(twilio_post, browser_call, "in-progress", 2)
    call = db.session.get(Call, browser_call.id)
    assert call.twilio_status == "completed" and call.duration_seconds == 61
    events = _status_events(call)
    assert [(e.payload["CallStatus"], e.applied) for e in events] == [
        ("completed", True), ("ringing", False), ("in-progress", True)]  # gave its answer time


def test_an_unknown_status_is_kept_but_not_applied(twilio_post, browser_call):
    _deliver(twilio_post, browser_call, "ringing", 1)
    _deliver(twilio_post, browser_call, "teleported", 2)
    assert db.session.get(Call, browser_call.id).twilio_status == "ringing"
    assert [e.applied for e in _status_events(browser_call)] == [True, False]


@pytest.mark.parametrize(("status", "extra", "suggested"), [
    ("no-answer", {}, Outcome.NO_ANSWER),
    ("busy", {}, Outcome.BUSY),
    ("failed", {}, Outcome.BAD_NUMBER),
    ("completed", {"AnsweredBy": "machine_start", "CallDuration": "20"}, Outcome.VOICEMAIL),
    ("completed", {"AnsweredBy": "human", "CallDuration": "20"}, None),
])
def test_the_final_status_suggests_an_outcome(twilio_post, browser_call, status, extra,
                                               suggested):
    _deliver(twilio_post, browser_call, "ringing", 1)
    _deliver(twilio_post, browser_call, status, 2, **extra)
    call = db.session.get(Call, browser_call.id)
    assert call.twilio_status == status
    assert call.suggested_outcome == suggested
    assert call.outcome is None


def test_answered_by_machine_is_recorded(twilio_post, browser_call):
    _deliver(twilio_post, browser_call, "completed", 2, AnsweredBy="machine_end_beep")
    assert db.session.get(Call, browser_call.id).answered_by_machine == "machine_end_beep"


def test_the_sourcers_outcome_is_never_overwritten_by_a_suggestion(
    twilio_post, browser_call, logged_in, person
):
    response = logged_in.post("/calls/new", data={
        "company_id": str(person.company_id), "person_id": str(person.id),
        "to_number": "+12125550142", "outcome": "connected", "notes": "Great chat.",
        "twilio_call_sid": browser_call.twilio_call_sid})
    assert response.status_code == 302, response.get_data(as_text=True)

    _deliver(twilio_post, browser_call, "no-answer", 2)
    call = db.session.get(Call, browser_call.id)
    assert call.outcome == Outcome.CONNECTED
    assert call.suggested_outcome == Outcome.NO_ANSWER
    page = logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "you chose Connected" in page


def test_an_unsigned_status_callback_is_refused_and_writes_nothing(twilio_post, browser_call):
    before = counts()
    response = twilio_post(status_path(browser_call),
                           status_params(browser_call, "completed", 3), signature="")
    assert response.status_code == 403
    assert counts() == before
    assert db.session.get(Call, browser_call.id).twilio_status == "initiated"


def test_a_status_callback_signed_for_another_call_is_refused(twilio_post, browser_call):
    params = status_params(browser_call, "completed", 3)
    response = twilio_post(status_path(browser_call), params,
                           signed_url=f"https://switchboard.example.com/twilio/status?call_id="
                                      f"{browser_call.id + 1}&leg=target")
    assert response.status_code == 403


def test_a_status_callback_for_an_unknown_call_is_kept_and_acknowledged(twilio_post, browser_call):
    response = twilio_post("/twilio/status?call_id=987654&leg=target",
                           status_params(browser_call, "completed", 3))
    assert response.status_code == 204
    event = db.session.scalars(select(TwilioEvent).where(TwilioEvent.kind == "status")).one()
    assert event.call is None and not event.applied


def test_the_live_status_of_a_call_is_visible_to_its_caller_only(
    twilio_post, browser_call, logged_in, auth
):
    _deliver(twilio_post, browser_call, "busy", 1)
    live = logged_in.get(f"/calls/live/{browser_call.twilio_call_sid}")
    assert live.json == {"status": "busy", "call_sid": browser_call.twilio_call_sid,
                         "call_id": browser_call.id, "duration_seconds": None,
                         "suggested_outcome": "busy"}
    factories.UserFactory(email="other@example.com")
    auth.logout()
    auth.login("other@example.com")
    assert logged_in.get(f"/calls/live/{browser_call.twilio_call_sid}").status_code == 403
