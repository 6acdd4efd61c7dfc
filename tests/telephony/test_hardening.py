"""Telephony edge cases: do-not-call by number, recording media only from Twilio's host."""

import requests
import responses
from sqlalchemy import select

from app.extensions import db
from app.models import Call, PersonStatus
from tests import factories
from tests.telephony.conftest import browser_call_params, count, twiml


def test_a_do_not_call_persons_number_is_refused_even_from_another_record(
    twilio_post, user, company
):
    factories.PersonFactory(company=company, full_name="Dee Notcall",
                            direct_phone="+12125550199", status=PersonStatus.DO_NOT_CALL)
    params = browser_call_params(user, "+12125550199", company=company)
    root = twiml(twilio_post("/twilio/voice", params))
    assert root.find("Dial") is None and "do not call" in root.find("Say").text
    assert count(Call) == 0


def test_a_recording_url_off_twilios_host_is_never_fetched(browser_call, logged_in, http):
    browser_call.recording_url = "https://evil.example.com/steal"
    browser_call.recording_status = "completed"
    db.session.commit()
    assert logged_in.get(f"/calls/{browser_call.id}/recording").status_code == 404
    assert len(http.calls) == 0


def test_twilio_unreachable_for_a_recording_is_a_502(browser_call, logged_in, http):
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    browser_call.recording_url, browser_call.recording_status = url, "completed"
    db.session.commit()
    http.add(responses.GET, url + ".mp3", body=requests.ConnectionError("no route"))
    assert logged_in.get(f"/calls/{browser_call.id}/recording").status_code == 502


def test_the_api_keeps_twilios_media_url_to_itself(browser_call, twilio_post, app):
    from app.auth.service import issue_token

    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE9"
    twilio_post(f"/twilio/recording?call_id={browser_call.id}", {
        "CallSid": browser_call.twilio_call_sid, "RecordingSid": "RE9",
        "RecordingStatus": "completed", "RecordingUrl": url, "RecordingDuration": "3"})
    token = issue_token(db.session.scalars(select(Call)).one().user)
    body = app.test_client().get(f"/api/v1/calls/{browser_call.id}",
                                 headers={"Authorization": f"Bearer {token}"}).get_data(True)
    assert "RE9" in body and url not in body
