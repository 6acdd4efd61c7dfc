"""Webhooks as Twilio really delivers them: late, repeated keys, and the same one at once."""

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Call, Outcome, TwilioEvent
from tests.conftest import TEST_DATABASE_URL
from tests.telephony.conftest import (
    PUBLIC_BASE_URL,
    browser_call_params,
    sign,
    status_params,
    status_path,
    twiml,
)

on_postgres = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL's concurrent writers"
)


@pytest.mark.parametrize("late", ["answered", "in-progress"])
def test_a_late_answered_event_gives_the_completed_call_its_answer_time_and_answerer(
    twilio_post, browser_call, late
):
    path = status_path(browser_call)
    assert (
        twilio_post(
            path, status_params(browser_call, "completed", 4, CallDuration="25")
        ).status_code
        == 204
    )
    answered = status_params(browser_call, late, 3, AnsweredBy="machine_start")
    assert twilio_post(path, answered).status_code == 204
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert call.twilio_status == "completed" and call.duration_seconds == 25
    assert call.answered_at.isoformat().startswith("2026-11-26T15:20:13")
    assert call.answered_by_machine == "machine_start"
    assert call.suggested_outcome == Outcome.VOICEMAIL


def test_a_late_event_never_overwrites_what_the_call_already_knows(twilio_post, browser_call):
    path = status_path(browser_call)
    twilio_post(path, status_params(browser_call, "in-progress", 2, AnsweredBy="human"))
    twilio_post(path, status_params(browser_call, "completed", 4))
    twilio_post(path, status_params(browser_call, "answered", 3, AnsweredBy="machine_start"))
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert call.answered_by_machine == "human"
    assert call.answered_at.isoformat().startswith("2026-11-26T15:20:12")


def test_a_repeated_form_key_passes_the_signature_check_twilio_passes(
    app, twilio_post, browser_call
):
    path = status_path(browser_call)
    form = MultiDict(list(status_params(browser_call, "ringing", 1).items()))
    form.add("StirVerstat", "TN-Validation-Passed-A")
    form.add("StirVerstat", "TN-Validation-Passed-B")
    signature = sign(PUBLIC_BASE_URL + path, form)
    response = app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204
    event = db.session.scalars(select(TwilioEvent).where(TwilioEvent.kind == "status")).one()
    assert event.payload["StirVerstat"] == "TN-Validation-Passed-A,TN-Validation-Passed-B"


def test_a_repeated_form_key_with_a_value_changed_is_refused(app, browser_call):
    path = status_path(browser_call)
    form = MultiDict(list(status_params(browser_call, "ringing", 1).items()))
    form.add("StirVerstat", "A")
    form.add("StirVerstat", "B")
    signature = sign(PUBLIC_BASE_URL + path, form)
    form.setlist("StirVerstat", ["A", "forged"])
    response = app.test_client().post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def _all_at_once(post, times: int = 8) -> list:
    """Run post() from `times` threads released together; each result, or the exception."""
    barrier, results = threading.Barrier(times), []

    def run():
        barrier.wait()
        try:
            results.append(post())
        except Exception as exc:  # noqa: BLE001  (asserted on below)
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.postgres
@on_postgres
def test_simultaneous_deliveries_of_one_status_callback_store_it_once_and_never_500(
    twilio_post, browser_call
):
    path, params = (
        status_path(browser_call),
        status_params(browser_call, "completed", 3, CallDuration="12"),
    )
    results = _all_at_once(lambda: twilio_post(path, params).status_code)
    assert results == [204] * 8
    db.session.expire_all()
    assert db.session.get(Call, browser_call.id).duration_seconds == 12
    assert (
        db.session.scalar(
            select(func.count()).select_from(TwilioEvent).where(TwilioEvent.kind == "status")
        )
        == 1
    )


@pytest.mark.postgres
@on_postgres
def test_simultaneous_deliveries_of_the_voice_webhook_log_one_call(twilio_post, user, person):
    params = browser_call_params(user, person=person)

    def post():
        response = twilio_post("/twilio/voice", params)
        return twiml(response).find("Dial/Number").text

    assert _all_at_once(post) == ["+12125550142"] * 8
    assert db.session.scalar(select(func.count()).select_from(Call)) == 1
    assert db.session.scalar(select(func.count()).select_from(TwilioEvent)) == 1


@pytest.mark.postgres
@on_postgres
def test_simultaneous_different_events_for_one_call_end_at_the_latest(twilio_post, browser_call):
    path = status_path(browser_call)
    statuses = ["initiated", "ringing", "in-progress", "completed"] * 2
    deliveries = iter(
        [status_params(browser_call, s, i % 4, CallDuration="9") for i, s in enumerate(statuses)]
    )
    lock = threading.Lock()

    def post():
        with lock:
            params = next(deliveries)
        return twilio_post(path, params).status_code

    assert _all_at_once(post) == [204] * 8
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert (call.twilio_status, call.duration_seconds) == ("completed", 9)


@pytest.mark.parametrize("number", ["9" * 30, "²", "-5", "1e3"])
def test_a_count_that_is_no_count_is_ignored_not_a_500(twilio_post, browser_call, number):
    path = status_path(browser_call)
    final = status_params(browser_call, "completed", 4, CallDuration=number)
    assert twilio_post(path, final).status_code == 204
    recording = {
        "CallSid": browser_call.twilio_call_sid,
        "RecordingSid": "RE" + "1" * 32,
        "RecordingStatus": "completed",
        "RecordingDuration": number,
    }
    assert twilio_post(f"/twilio/recording?call_id={browser_call.id}", recording).status_code == 204
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert call.twilio_status == "completed" and call.duration_seconds is None
    assert call.recording_status == "completed" and call.recording_duration is None


def test_a_status_callback_with_an_overlong_sid_is_a_400_and_stores_nothing(
    twilio_post, browser_call
):
    # Twilio's SIDs are 34 characters; the columns hold no more (PostgreSQL refused it: a 500).
    long_sid = "CA" + "f" * 100
    before = db.session.scalar(select(func.count()).select_from(TwilioEvent))
    ringing = status_params(browser_call, "ringing", 2, CallSid=long_sid)
    assert twilio_post(status_path(browser_call), ringing).status_code == 400
    db.session.expire_all()
    assert db.session.get(Call, browser_call.id).twilio_target_sid is None
    assert db.session.scalar(select(func.count()).select_from(TwilioEvent)) == before
