"""POST /twilio/recording, and the recording played through the app, never straight from Twilio."""

import base64

import pytest
import responses
from sqlalchemy import select

from app.extensions import db
from app.models import Call, TwilioEvent
from tests.telephony.conftest import ACCOUNT_SID, API, AUTH_TOKEN, counts

RECORDING_SID = "RE" + "abcdef0123456789" * 2
RECORDING_URL = f"{API}/Recordings/{RECORDING_SID}"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00fake mp3 frames"

pytestmark = pytest.mark.twilio_config(TWILIO_RECORD_CALLS=True)


def _recording_params(call, status, **extra):
    return {"AccountSid": ACCOUNT_SID, "CallSid": call.twilio_call_sid,
            "RecordingSid": RECORDING_SID, "RecordingStatus": status,
            "RecordingSource": "DialVerb", "RecordingChannels": "2",
            "RecordingStartTime": "Thu, 26 Nov 2026 15:20:15 +0000"} | extra


@pytest.fixture
def recorded_call(twilio_post, browser_call):
    """`browser_call` once Twilio reported its recording in progress, then completed."""
    path = f"/twilio/recording?call_id={browser_call.id}"
    assert twilio_post(path, _recording_params(browser_call, "in-progress")).status_code == 204
    assert twilio_post(path, _recording_params(
        browser_call, "completed", RecordingUrl=RECORDING_URL, RecordingDuration="42",
    )).status_code == 204
    db.session.expire_all()
    return db.session.get(Call, browser_call.id)


def test_recording_callbacks_store_the_recording_on_the_call(recorded_call):
    assert recorded_call.recording_sid == RECORDING_SID
    assert recorded_call.recording_status == "completed"
    assert recorded_call.recording_duration == 42
    assert recorded_call.recording_url == RECORDING_URL
    events = db.session.scalars(select(TwilioEvent).where(TwilioEvent.kind == "recording")
                                .order_by(TwilioEvent.id)).all()
    assert [(e.payload["RecordingStatus"], e.applied) for e in events] == [
        ("in-progress", True), ("completed", True)]


def test_a_late_in_progress_does_not_undo_a_completed_recording(twilio_post, recorded_call):
    path = f"/twilio/recording?call_id={recorded_call.id}"
    late = _recording_params(recorded_call, "in-progress", RecordingStartTime="late")
    assert twilio_post(path, late).status_code == 204
    db.session.expire_all()
    assert db.session.get(Call, recorded_call.id).recording_status == "completed"


def test_an_unsigned_recording_callback_is_refused_and_writes_nothing(twilio_post, browser_call):
    before = counts()
    response = twilio_post(f"/twilio/recording?call_id={browser_call.id}",
                           _recording_params(browser_call, "completed",
                                             RecordingUrl="https://attacker.example/x"),
                           signature="")
    assert response.status_code == 403
    assert counts() == before
    assert db.session.get(Call, browser_call.id).recording_url is None


def test_the_call_page_plays_the_recording_through_the_app_only(recorded_call, logged_in):
    page = logged_in.get(f"/calls/{recorded_call.id}").get_data(as_text=True)
    assert f'<audio controls preload="none" src="/calls/{recorded_call.id}/recording"' in page
    assert "api.twilio.com" not in page
    assert ACCOUNT_SID not in page and AUTH_TOKEN not in page and RECORDING_URL not in page
    assert "0:42" in page  # the recording's duration


def test_the_recording_is_fetched_from_twilio_with_the_account_credentials(
    recorded_call, logged_in, http
):
    http.add(responses.GET, RECORDING_URL + ".mp3", body=MP3, content_type="audio/mpeg")
    response = logged_in.get(f"/calls/{recorded_call.id}/recording")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.data == MP3
    assert response.headers["Cache-Control"].startswith("private")
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert http.calls[0].request.headers["Authorization"] == f"Basic {expected}"


def test_twilio_failing_to_serve_the_recording_is_a_502(recorded_call, logged_in, http):
    http.add(responses.GET, RECORDING_URL + ".mp3", status=404, json={"code": 20404})
    assert logged_in.get(f"/calls/{recorded_call.id}/recording").status_code == 502


def test_the_recording_requires_a_login(recorded_call, client):
    response = client.get(f"/calls/{recorded_call.id}/recording")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"


def test_a_call_without_a_finished_recording_has_none_to_play(browser_call, logged_in):
    assert logged_in.get(f"/calls/{browser_call.id}/recording").status_code == 404
