"""Numbers inside signed webhooks (durations, sequences, user ids, extensions) never become a 500.

str.isdigit() is true for "²" and "٣", which int() refuses or reads as Arabic-Indic digits, and a
digit string can exceed the database's integer columns: both once reached the database or a crash.
"""

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Call
from tests.telephony.conftest import (
    browser_call_params,
    count,
    status_params,
    status_path,
    twiml,
)

NOT_NUMBERS = ["²", "٣", "99999999999999999999999", "9223372036854775808", "2147483648"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
@pytest.mark.parametrize("field", ["CallDuration", "SequenceNumber"])
def test_a_status_callback_with_an_unusable_number_is_stored_not_a_500(
    twilio_post, browser_call, field, value
):
    params = status_params(browser_call, "completed", 3, CallDuration="42") | {field: value}
    response = twilio_post(status_path(browser_call), params)
    assert response.status_code == 204, response.get_data(as_text=True)
    db.session.expire_all()
    call = db.session.get(Call, browser_call.id)
    assert call.twilio_status == "completed"
    assert call.duration_seconds in (None, 42)
    assert call.twilio_sequence in (0, 3)  # an unreadable sequence counts as none (0)


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_a_recording_callback_with_an_unusable_duration_is_stored_not_a_500(
    twilio_post, browser_call, value
):
    response = twilio_post(
        f"/twilio/recording?call_id={browser_call.id}",
        {
            "CallSid": browser_call.twilio_call_sid,
            "RecordingSid": "RE" + "1" * 32,
            "RecordingStatus": "completed",
            "RecordingDuration": value,
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        },
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Call, browser_call.id).recording_duration is None


@pytest.mark.parametrize("user_part", ["²", "٣", "99999999999999999999999", "0"])
def test_a_voice_call_from_an_impossible_client_identity_is_refused_in_twiml(
    twilio_post, user, person, user_part
):
    params = browser_call_params(user, person=person) | {
        "From": f"client:user-{user_part}",
        "Caller": f"client:user-{user_part}",
    }
    response = twilio_post("/twilio/voice", params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert twiml(response).find("Dial") is None
    assert count(Call) == 0


@pytest.mark.parametrize("extension", ["²", "١٢"])
def test_an_extension_in_other_scripts_digits_is_not_sent_as_dtmf(
    twilio_post, user, person, extension
):
    params = browser_call_params(user, person=person, extension=extension)
    root = twiml(twilio_post("/twilio/voice", params))
    number = root.find("Dial/Number")
    assert number is not None and number.get("sendDigits") is None
    assert db.session.scalars(select(Call)).one().to_number == person.direct_phone


@pytest.mark.parametrize("field", ["CallSid", "RecordingSid"])
@pytest.mark.parametrize("repeat", [False, True])
def test_a_sid_longer_than_twilios_34_characters_is_a_400_not_a_500(
    twilio_post, browser_call, field, repeat
):
    # A SID column holds 34 characters; PostgreSQL refused a longer one (a 500), SQLite stored it.
    sid = browser_call.twilio_call_sid if field == "CallSid" else "RE" + "1" * 32
    data = {
        "CallSid": browser_call.twilio_call_sid,
        "RecordingSid": "RE" + "1" * 32,
        "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
    }
    data[field] = sid + "0"
    if repeat:  # a repeated key is signed as Twilio signs it, and joined when stored: too long
        data = MultiDict(
            [*(item for item in data.items() if item[0] != field), (field, sid), (field, sid)]
        )
    response = twilio_post(f"/twilio/recording?call_id={browser_call.id}", data)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Call, browser_call.id).recording_sid is None


def test_a_voice_webhook_with_an_overlong_call_sid_is_a_400(twilio_post, user, person):
    params = browser_call_params(user, person=person)
    params["CallSid"] += "0"
    assert twilio_post("/twilio/voice", params).status_code == 400
    assert count(Call) == 0
