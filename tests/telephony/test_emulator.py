"""A bridge call placed against a local Twilio emulator through TWILIO_API_BASE_URL alone."""

import base64

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Call
from tests.emulator.twilio_emulator import TwilioEmulator
from tests.telephony.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CALLER_ID,
    PUBLIC_BASE_URL,
    TWIML_APP_SID,
    twiml,
)

MY_PHONE = "+16175550101"


@pytest.fixture
def emulator(app, http):
    """A running Twilio emulator the app's SDK is pointed at; `responses` lets localhost through."""
    http.add_passthru("http://127.0.0.1")
    with TwilioEmulator(ACCOUNT_SID, AUTH_TOKEN, app_sid=TWIML_APP_SID,
                        voice_url=f"{PUBLIC_BASE_URL}/twilio/voice",
                        phone_numbers=[{"phone_number": CALLER_ID,
                                        "voice_url": f"{PUBLIC_BASE_URL}/twilio/inbound"}]
                        ) as emulator:
        app.config["TWILIO_API_BASE_URL"] = emulator.base_url
        yield emulator


def test_a_bridge_call_is_placed_and_logged_through_the_emulator(
    emulator, logged_in, user, person, twilio_post
):
    user.phone_e164 = MY_PHONE
    db.session.commit()
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 201, response.get_data(as_text=True)

    (placed,) = emulator.requests
    assert placed.method == "POST"
    assert placed.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"
    assert placed.form["To"] == [MY_PHONE] and placed.form["From"] == [CALLER_ID]
    (sid,) = emulator.calls
    call = db.session.scalars(select(Call)).one()
    assert call.twilio_call_sid == sid == response.json["call_sid"]
    assert placed.form["Url"] == [f"{PUBLIC_BASE_URL}/twilio/voice?call_id={call.id}"]

    # When "Twilio" connects the recruiter's phone, the voice webhook asks for a key; the key
    # (the Gather's action) dials the target.
    root = twiml(twilio_post(f"/twilio/voice?call_id={call.id}",
                             {"AccountSid": ACCOUNT_SID, "CallSid": sid, "To": MY_PHONE}))
    action = root.find("Gather").get("action").removeprefix(PUBLIC_BASE_URL)
    root = twiml(twilio_post(action, {"AccountSid": ACCOUNT_SID, "CallSid": sid,
                                      "To": MY_PHONE, "Digits": "1"}))
    assert root.find("Dial/Number").text == "+12125550142"


def test_the_emulator_refuses_wrong_credentials_like_twilio(emulator, logged_in, user, person,
                                                             app):
    app.config["TWILIO_AUTH_TOKEN"] = "0" * 32
    user.phone_e164 = MY_PHONE
    db.session.commit()
    response = logged_in.post("/calls/bridge", data={"person_id": str(person.id),
                                                     "to_number": "+12125550142"})
    assert response.status_code == 502
    assert "Twilio rejected our credentials" in response.json["message"]
    assert "Authenticate" in response.json["message"]
    assert db.session.scalars(select(Call)).first() is None
    wrong = base64.b64encode(f"{ACCOUNT_SID}:{'0' * 32}".encode()).decode()
    assert emulator.requests[0].authorization == f"Basic {wrong}"


def test_twilio_check_passes_against_the_emulator(emulator, runner):
    result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 0, result.output
    assert "Account 'Emulated account' is active." in result.output
    assert f"Caller ID {CALLER_ID} is a number of this account." in result.output
    assert [r.path.split("?")[0].rsplit("/", 1)[-1] for r in emulator.requests] == [
        f"{ACCOUNT_SID}.json", f"{TWIML_APP_SID}.json", "IncomingPhoneNumbers.json"]


def test_twilio_check_reads_numbers_and_caller_ids_as_the_emulator_lists_them(app, http, runner):
    http.add_passthru("http://127.0.0.1")
    numbers = [{"phone_number": CALLER_ID, "voice_url": f"{PUBLIC_BASE_URL}/twilio/inbound"},
               "+12125550101"]  # a new number: still answering with Twilio's demo
    with TwilioEmulator(ACCOUNT_SID, AUTH_TOKEN, app_sid=TWIML_APP_SID,
                        voice_url=f"{PUBLIC_BASE_URL}/twilio/voice", phone_numbers=numbers,
                        verified_caller_ids=["+16175550101"]) as emulator:
        app.config.update(TWILIO_API_BASE_URL=emulator.base_url,
                          TWILIO_CALLER_IDS="+12125550101,+16175550101")
        result = runner.invoke(args=["twilio-check"])
    assert result.exit_code == 1
    assert f"\nTWILIO_CALLER_IDS={CALLER_ID},+12125550101\n" in result.output
    assert "Number +12125550101 sends its calls to 'https://demo.twilio.com/welcome/voice/'" in (
        result.output)
    assert "number +16175550101 is a verified caller ID" in result.output
    assert [r.path.split("?")[0].rsplit("/", 1)[-1] for r in emulator.requests][-2:] == [
        "IncomingPhoneNumbers.json", "OutgoingCallerIds.json"]
