"""Voicemail drop: the target's leg redirected through Twilio's REST API to play a message.

Twilio is faked at its HTTP transport (the `http` responses mock) and by signed webhooks.
"""

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from sqlalchemy import select

from app.auth.service import issue_token
from app.extensions import db
from app.models import Outcome, TwilioEvent, Voicemail
from tests import factories
from tests.audio_samples import wav_bytes
from tests.telephony.conftest import (
    ACCOUNT_SID,
    API,
    PUBLIC_BASE_URL,
    status_params,
    status_path,
    twiml,
)

TARGET_SID = "CA" + "5" * 32  # the dialled leg's SID in status_params
TARGET_URL = f"{API}/Calls/{TARGET_SID}.json"


def twilio_call_json(status: str = "in-progress") -> dict:
    """Twilio's answer to updating a call (the fields it always sends)."""
    return {"sid": TARGET_SID, "account_sid": ACCOUNT_SID, "status": status,
            "direction": "outbound-dial", "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{TARGET_SID}.json"}


@pytest.fixture
def voicemail(user):
    """A recorded message of the recruiter's."""
    data = wav_bytes(2)
    message = Voicemail(user_id=user.id, name="Intro", content_type="audio/wav", audio=data,
                        size_bytes=len(data), duration_seconds=2)
    db.session.add(message)
    db.session.commit()
    return message


@pytest.fixture
def live_call(browser_call, twilio_post):
    """The browser call, its dialled leg answered (status callbacks name the target's SID)."""
    for sequence, status in enumerate(("ringing", "in-progress"), start=1):
        response = twilio_post(status_path(browser_call),
                               status_params(browser_call, status, sequence))
        assert response.status_code == 204
    assert browser_call.twilio_target_sid == TARGET_SID
    return browser_call


@pytest.fixture
def api(client, user):
    return {"Authorization": f"Bearer {issue_token(user)}"}


def _drop(client, api, call, voicemail_id):
    return client.post(f"/api/v1/calls/{call.id}/voicemail-drop", headers=api,
                       json={"voicemail_id": voicemail_id})


def test_a_drop_redirects_the_target_leg_and_logs_the_voicemail(client, api, live_call,
                                                                voicemail, http):
    http.add(responses.POST, TARGET_URL, json=twilio_call_json())
    response = _drop(client, api, live_call, voicemail.id)
    assert response.status_code == 202, response.get_json()
    # The SDK's request: the child leg's Call resource, with Url and Method form fields.
    request = http.calls[0].request
    assert request.url == TARGET_URL
    assert parse_qs(request.body) == {
        "Url": [f"{PUBLIC_BASE_URL}/twilio/voicemail-drop?call_id={live_call.id}"
                f"&voicemail_id={voicemail.id}"],
        "Method": ["POST"]}
    body = response.get_json()
    assert body["voicemail_left"] == {"id": voicemail.id, "name": "Intro"}
    assert body["outcome"] == "voicemail"
    assert client.get(f"/api/v1/calls/{live_call.id}", headers=api).get_json()[
        "voicemail_left"] == {"id": voicemail.id, "name": "Intro"}
    assert (live_call.voicemail_drop_status, live_call.voicemail_dropped_at is not None) == (
        "sent", True)


def test_the_drop_webhook_plays_the_message_by_a_token_url_then_hangs_up(
        app, live_call, voicemail, twilio_post):
    path = f"/twilio/voicemail-drop?call_id={live_call.id}&voicemail_id={voicemail.id}"
    root = twiml(twilio_post(path, status_params(live_call, "in-progress", 3)))
    assert [child.tag for child in root] == ["Play", "Hangup"]
    url = urlsplit(root.find("Play").text)
    assert f"{url.scheme}://{url.netloc}" == PUBLIC_BASE_URL
    assert url.path == f"/twilio/voicemails/{voicemail.id}/audio"
    token = parse_qs(url.query)["token"][0]
    # Twilio's media fetch: a GET without a session, allowed by the token alone.
    fetch = app.test_client().get(f"{url.path}?{url.query}")
    assert fetch.status_code == 200 and fetch.mimetype == "audio/wav"
    assert fetch.data == voicemail.audio
    assert live_call.voicemail_drop_status == "played"
    assert live_call.outcome == Outcome.VOICEMAIL
    others = app.test_client()
    assert others.get(url.path).status_code == 403
    assert others.get(f"{url.path}?token={token[:-2]}xx").status_code == 403
    assert others.get(f"/twilio/voicemails/{voicemail.id + 1}/audio?token={token}"
                      ).status_code == 403  # signed for another message


def test_the_drop_webhook_is_signed(live_call, voicemail, twilio_post):
    path = f"/twilio/voicemail-drop?call_id={live_call.id}&voicemail_id={voicemail.id}"
    assert twilio_post(path, {"CallSid": TARGET_SID}, signature="bad").status_code == 403
    assert twilio_post("/twilio/amd?call_id=1", {"AnsweredBy": "human"},
                       signature="").status_code == 403


def test_a_call_logged_by_hand_or_ended_is_not_live(client, api, user, voicemail, live_call,
                                                    twilio_post):
    by_hand = factories.CallFactory(user=user)
    db.session.commit()
    response = _drop(client, api, by_hand, voicemail.id)
    assert response.status_code == 409
    assert "not placed through Twilio" in response.get_json()["message"]
    twilio_post(status_path(live_call), status_params(live_call, "completed", 4,
                                                      CallDuration="30"))
    response = _drop(client, api, live_call, voicemail.id)
    assert response.status_code == 409 and "ended" in response.get_json()["message"]
    assert live_call.voicemail_id is None


def test_a_call_whose_number_has_not_answered_is_not_live(client, api, browser_call, voicemail,
                                                          twilio_post):
    assert _drop(client, api, browser_call, voicemail.id).status_code == 409  # no target leg
    twilio_post(status_path(browser_call), status_params(browser_call, "ringing", 1))
    response = _drop(client, api, browser_call, voicemail.id)
    assert response.status_code == 409 and "not answered" in response.get_json()["message"]


def test_someone_elses_call_is_403_and_someone_elses_message_422(client, api, live_call,
                                                                 voicemail):
    other = factories.UserFactory(email="otto@example.com")
    theirs = Voicemail(user_id=other.id, name="Theirs", content_type="audio/wav", audio=b"",
                       size_bytes=0, duration_seconds=1)
    db.session.add(theirs)
    db.session.commit()
    response = _drop(client, api, live_call, theirs.id)
    assert response.status_code == 422 and "voicemail_id" in response.get_json()["fields"]
    voicemail.deleted_at = voicemail.created_at
    db.session.commit()
    assert _drop(client, api, live_call, voicemail.id).status_code == 422
    other_api = {"Authorization": f"Bearer {issue_token(other)}"}
    assert _drop(client, other_api, live_call, theirs.id).status_code == 403
    assert live_call.voicemail_id is None and live_call.outcome is None


@pytest.mark.parametrize(("failure", "status", "error"), [
    ({"status": 500, "json": {"code": 20500, "message": "Internal Server Error",
                              "status": 500}}, 503, "twilio_unavailable"),
    ({"body": ReadTimeout("read timed out")}, 504, "twilio_timeout"),
    ({"body": RequestsConnectionError("refused")}, 503, "twilio_unavailable"),
])
def test_twilio_failing_is_an_honest_error_and_no_message_is_left(
        client, api, live_call, voicemail, http, failure, status, error):
    http.add(responses.POST, TARGET_URL, **failure)
    response = _drop(client, api, live_call, voicemail.id)
    assert response.status_code == status
    assert response.get_json()["error"] == error
    assert "leave the voicemail message" in response.get_json()["message"]
    db.session.refresh(live_call)
    assert live_call.voicemail_drop_status == "failed"
    assert (live_call.voicemail_id, live_call.outcome) == (None, None)
    assert client.get(f"/api/v1/calls/{live_call.id}", headers=api).get_json()[
        "voicemail_left"] is None


def test_a_second_drop_on_the_same_call_is_refused(client, api, live_call, voicemail, http):
    http.add(responses.POST, TARGET_URL, json=twilio_call_json())
    assert _drop(client, api, live_call, voicemail.id).status_code == 202
    assert _drop(client, api, live_call, voicemail.id).status_code == 409
    assert len(http.calls) == 1


def test_the_dialer_drops_through_the_signed_in_route(logged_in, live_call, voicemail, http):
    http.add(responses.POST, TARGET_URL, json=twilio_call_json())
    live = logged_in.get(f"/calls/live/{live_call.twilio_call_sid}").get_json()
    assert live["call_id"] == live_call.id
    response = logged_in.post(f"/calls/{live['call_id']}/voicemail-drop",
                              data={"voicemail_id": str(voicemail.id)})
    assert response.status_code == 202
    assert response.get_json() == {"call_id": live_call.id, "status": "sent",
                                   "voicemail": {"id": voicemail.id, "name": "Intro"}}
    refused = logged_in.post(f"/calls/{live_call.id}/voicemail-drop",
                             data={"voicemail_id": str(voicemail.id)})
    assert refused.status_code == 409 and "already" in refused.get_json()["message"]


def test_the_dialer_shows_the_drop_control_with_the_recruiters_messages(logged_in, person,
                                                                        voicemail):
    page = logged_in.get(f"/calls/new?person_id={person.id}&dial=1").get_data(as_text=True)
    assert 'id="vm-drop-button"' in page and ">Intro (0:02)</option>" in page
    assert "voicemail_drop.js" in page


def test_without_messages_the_dialer_links_to_the_recorder(logged_in, person):
    page = logged_in.get(f"/calls/new?person_id={person.id}&dial=1").get_data(as_text=True)
    assert 'id="vm-drop-button"' not in page and 'href="/voicemails"' in page


# Answering-machine detection: wait for the beep

def _amd(call, answered_by: str) -> dict:
    """What Twilio posts to amdStatusCallback for the dialled leg."""
    return {"AccountSid": ACCOUNT_SID, "CallSid": TARGET_SID, "AnsweredBy": answered_by,
            "MachineDetectionDuration": "4210"}


@pytest.mark.twilio_config(TWILIO_MACHINE_DETECTION=True)
def test_with_amd_a_drop_waits_for_the_beep_then_plays(client, api, browser_call, voicemail,
                                                       twilio_post, http):
    twilio_post(status_path(browser_call), status_params(browser_call, "in-progress", 2))
    response = _drop(client, api, browser_call, voicemail.id)
    assert response.status_code == 202 and len(http.calls) == 0  # nothing redirected yet
    assert browser_call.voicemail_drop_status == "waiting"
    http.add(responses.POST, TARGET_URL, json=twilio_call_json())
    amd = twilio_post(f"/twilio/amd?call_id={browser_call.id}", _amd(browser_call,
                                                                      "machine_end_beep"))
    assert amd.status_code == 204
    assert parse_qs(http.calls[0].request.body)["Url"] == [
        f"{PUBLIC_BASE_URL}/twilio/voicemail-drop?call_id={browser_call.id}"
        f"&voicemail_id={voicemail.id}"]
    db.session.refresh(browser_call)
    assert (browser_call.voicemail_drop_status, browser_call.answered_by_machine) == (
        "sent", "machine_end_beep")
    # Twilio repeats the callback: nothing is redirected twice.
    twilio_post(f"/twilio/amd?call_id={browser_call.id}", _amd(browser_call, "machine_end_beep"))
    assert len(http.calls) == 1
    kinds = db.session.scalars(select(TwilioEvent.kind)).all()
    assert kinds.count("amd") == 1


@pytest.mark.twilio_config(TWILIO_MACHINE_DETECTION=True)
def test_with_amd_a_human_answer_cancels_the_waiting_drop(client, api, browser_call, voicemail,
                                                          twilio_post, http):
    twilio_post(status_path(browser_call), status_params(browser_call, "in-progress", 2))
    assert _drop(client, api, browser_call, voicemail.id).status_code == 202
    twilio_post(f"/twilio/amd?call_id={browser_call.id}", _amd(browser_call, "human"))
    db.session.refresh(browser_call)
    assert len(http.calls) == 0
    assert browser_call.voicemail_drop_status == "cancelled"
    assert (browser_call.voicemail_id, browser_call.outcome) == (None, None)
    assert browser_call.answered_by_machine == "human"


@pytest.mark.twilio_config(TWILIO_MACHINE_DETECTION=True)
def test_with_amd_a_drop_after_the_beep_plays_at_once(client, api, browser_call, voicemail,
                                                      twilio_post, http):
    twilio_post(status_path(browser_call), status_params(browser_call, "in-progress", 2))
    twilio_post(f"/twilio/amd?call_id={browser_call.id}", _amd(browser_call,
                                                                "machine_end_silence"))
    http.add(responses.POST, TARGET_URL, json=twilio_call_json())
    response = _drop(client, api, browser_call, voicemail.id)
    assert response.status_code == 202 and len(http.calls) == 1
    assert response.get_json()["voicemail_left"]["name"] == "Intro"


def test_twiml_for_an_unknown_call_only_hangs_up(twilio_post):
    root = twiml(twilio_post("/twilio/voicemail-drop?call_id=999", {"CallSid": TARGET_SID}))
    assert [child.tag for child in root] == ["Hangup"]
    assert ET.tostring(root)  # well-formed
