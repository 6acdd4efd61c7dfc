"""The API's telephony contract: /me, bridge calls through /calls/dial, and Twilio's view of a call.

Twilio's REST API is faked at the SDK's HTTP transport (`responses`), and its webhooks are
posted with real signatures.
"""

from urllib.parse import parse_qs

import pytest
import responses
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.models import Call
from tests import factories
from tests.test_api import Api, issue_token

SID = "AC" + "a" * 32
TOKEN = "auth-token-for-tests"
PUBLIC = "https://switchboard.example.com"
CALLS_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json"
PLACED_SID = "CA" + "b" * 32


@pytest.fixture
def twilio(app):
    """REST calling switched on (bridge calls need no browser settings)."""
    app.config.update(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=PUBLIC,
                      TWILIO_CALLER_ID="+14155550100")
    return app


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


@pytest.fixture
def person(app):
    company = factories.CompanyFactory(name="Initech", timezone=None)
    return factories.PersonFactory(company=company, full_name="Bill Lumbergh",
                                   direct_phone="+14155550188")


def test_me_reads_and_sets_the_own_phone_and_time_zone(api, user):
    me = api.get("/api/v1/me").get_json()
    assert me["email"] == user.email and me["phone"] is None
    updated = api.patch("/api/v1/me", {"phone": "(415) 555-0123", "timezone": "America/Chicago"})
    assert updated.status_code == 200
    assert updated.get_json()["phone"] == "+14155550123"
    assert updated.get_json()["timezone"] == "America/Chicago"
    refused = api.patch("/api/v1/me", {"phone": "12", "timezone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert set(refused.get_json()["fields"]) == {"phone", "timezone"}
    assert api.get("/api/v1/me").get_json()["phone"] == "+14155550123"


def test_me_needs_a_token(client):
    assert client.get("/api/v1/me").status_code == 401


def test_dial_places_a_bridge_call_and_returns_the_logged_call(api, twilio, user, person, http,
                                                                db):
    user.phone_e164 = "+14155550123"
    db.session.commit()
    http.add(responses.POST, CALLS_URL, status=201,
             json={"sid": PLACED_SID, "status": "queued", "account_sid": SID})
    response = api.post("/api/v1/calls/dial", {"to_number": "415-555-0188",
                                                "company_id": person.company_id,
                                                "person_id": person.id})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["twilio_call_sid"] == PLACED_SID and body["dialed_via"] == "bridge"
    assert body["to_number"] == "+14155550188" and body["recording"] is None
    sent = parse_qs(http.calls[0].request.body)
    assert sent["To"] == ["+14155550123"] and sent["From"] == ["+14155550100"]
    assert sent["Url"] == [f"{PUBLIC}/twilio/voice?call_id={body['id']}"]

    # Twilio reports back; the call's JSON shows its status, recording and raw events.
    for data, path in (
        ({"CallSid": "CA" + "c" * 32, "CallStatus": "completed", "SequenceNumber": "3",
          "CallDuration": "61", "AnsweredBy": "human"},
         f"/twilio/status?call_id={body['id']}&leg=target"),
        ({"CallSid": "CA" + "c" * 32, "RecordingSid": "RE" + "d" * 32,
          "RecordingStatus": "completed", "RecordingDuration": "58",
          "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/RE1"},
         f"/twilio/recording?call_id={body['id']}"),
    ):
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, data)
        posted = api.client.post(path, data=data, headers={"X-Twilio-Signature": signature})
        assert posted.status_code == 204
    call = api.get(f"/api/v1/calls/{body['id']}").get_json()
    assert call["twilio_status"] == "completed" and call["duration_seconds"] == 61
    assert call["answered_by"] == "human"
    assert call["recording"] == {"sid": "RE" + "d" * 32, "status": "completed",
                                 "duration_seconds": 58}
    assert [e["kind"] for e in call["events"]] == ["status", "recording"]


def test_dial_without_your_own_phone_is_refused_and_nothing_is_placed(api, twilio, person, db):
    response = api.post("/api/v1/calls/dial", {"to_number": "+14155550188",
                                                "company_id": person.company_id})
    assert response.status_code == 422 and "phone" in response.get_json()["fields"]
    assert db.session.scalar(select(func.count(Call.id))) == 0


def test_dial_when_twilio_refuses_writes_nothing(api, twilio, user, person, http, db):
    user.phone_e164 = "+14155550123"
    db.session.commit()
    http.add(responses.POST, CALLS_URL, status=400,
             json={"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
    response = api.post("/api/v1/calls/dial", {"to_number": "+14155550188",
                                                "company_id": person.company_id})
    assert response.status_code == 422
    assert "Twilio refused" in response.get_json()["message"]
    assert db.session.scalar(select(func.count(Call.id))) == 0


def test_dial_is_unavailable_without_twilio_settings(api, person):
    response = api.post("/api/v1/calls/dial", {"to_number": "+14155550188",
                                                "company_id": person.company_id})
    assert response.status_code == 503


def test_dial_refuses_a_person_at_another_company(api, twilio, user, person, db):
    user.phone_e164 = "+14155550123"
    other = factories.CompanyFactory(name="Globex")
    db.session.commit()
    response = api.post("/api/v1/calls/dial", {"to_number": "+14155550188",
                                                "company_id": other.id, "person_id": person.id})
    assert response.status_code == 422 and "person_id" in response.get_json()["fields"]
