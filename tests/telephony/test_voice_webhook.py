"""POST /twilio/voice from a browser call: signed, checked, logged once, answered with TwiML."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Call, PersonStatus, TwilioEvent
from tests import factories
from tests.telephony.conftest import (
    CALLER_ID,
    PUBLIC_BASE_URL,
    browser_call_params,
    counts,
    sign,
    twiml,
    zone_where_it_is,
)


def _refused(response) -> str:
    """The spoken refusal of a TwiML answer that dials nothing."""
    root = twiml(response)
    assert root.find(".//Dial") is None and root.find(".//Number") is None
    assert root.find("Hangup") is not None
    return root.find("Say").text


def test_a_webhook_without_signature_is_refused_and_writes_nothing(twilio_post, user, person):
    response = twilio_post("/twilio/voice", browser_call_params(user, person=person),
                           signature="")
    assert response.status_code == 403
    assert counts() == (0, 0)


def test_a_webhook_with_a_wrong_signature_is_refused_and_writes_nothing(twilio_post, user, person):
    params = browser_call_params(user, person=person)
    forged = sign(PUBLIC_BASE_URL + "/twilio/voice", params | {"To": "+12125550199"})
    response = twilio_post("/twilio/voice", params, signature=forged)
    assert response.status_code == 403
    assert counts() == (0, 0)


def test_a_signature_for_another_address_is_refused(twilio_post, user, person):
    params = browser_call_params(user, person=person)
    response = twilio_post("/twilio/voice", params,
                           signed_url="https://evil.example.com/twilio/voice")
    assert response.status_code == 403
    assert counts() == (0, 0)


def test_a_browser_call_dials_the_number_with_status_callbacks_and_is_logged(
    twilio_post, user, person
):
    params = browser_call_params(user, person=person)
    root = twiml(twilio_post("/twilio/voice", params))

    call = db.session.scalars(select(Call)).one()
    assert call.twilio_call_sid == params["CallSid"]
    assert (call.user, call.company, call.person) == (user, person.company, person)
    assert call.to_number == "+12125550142" and call.dialed_via == "browser"
    assert call.outcome is None  # the sourcer has not logged it yet

    dial = root.find("Dial")
    assert dial.get("callerId") == CALLER_ID
    assert dial.get("record") is None and root.find("Say") is None  # recording is off by default
    number = dial.find("Number")
    assert number.text == "+12125550142"
    assert number.get("statusCallback") == (
        f"{PUBLIC_BASE_URL}/twilio/status?call_id={call.id}&leg=target")
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"
    assert number.get("statusCallbackMethod") == "POST"
    assert number.get("sendDigits") is None and number.get("url") is None
    event = db.session.scalars(select(TwilioEvent)).one()
    assert (event.kind, event.call, event.call_sid) == ("voice", call, params["CallSid"])


def test_a_call_started_from_a_company_dials_its_main_line(twilio_post, user, company):
    params = browser_call_params(user, "(212) 555-0100", company=company)
    number = twiml(twilio_post("/twilio/voice", params)).find("Dial/Number")
    assert number.text == "+12125550100"
    call = db.session.scalars(select(Call)).one()
    assert (call.company, call.person) == (company, None)


def test_twilio_retrying_the_webhook_does_not_log_the_call_twice(twilio_post, user, person):
    params = browser_call_params(user, person=person)
    first = twiml(twilio_post("/twilio/voice", params))
    again = twiml(twilio_post("/twilio/voice", params))
    assert again.find("Dial/Number").text == first.find("Dial/Number").text
    assert counts() == (1, 1)


def test_an_extension_is_sent_as_digits_after_a_pause(twilio_post, user, company):
    params = browser_call_params(user, "+12125550100", company=company, extension="4471")
    number = twiml(twilio_post("/twilio/voice", params)).find("Dial/Number")
    assert number.get("sendDigits") == "wwww4471"


def test_an_extension_that_is_not_digits_is_ignored(twilio_post, user, company):
    params = browser_call_params(user, "+12125550100", company=company, extension="1;9#")
    number = twiml(twilio_post("/twilio/voice", params)).find("Dial/Number")
    assert number.get("sendDigits") is None


@pytest.mark.twilio_config(TWILIO_RECORD_CALLS=True,
                           TWILIO_CONSENT_MESSAGE="This call is recorded for our notes.")
def test_with_recording_on_the_consent_is_played_before_a_recorded_dial(twilio_post, user, person):
    root = twiml(twilio_post("/twilio/voice", browser_call_params(user, person=person)))
    call = db.session.scalars(select(Call)).one()
    verbs = [child.tag for child in root]
    assert verbs == ["Say", "Dial"]  # consent first, then the call
    assert root.find("Say").text == "This call is recorded for our notes."
    dial = root.find("Dial")
    assert dial.get("record") == "record-from-answer-dual"
    assert dial.get("recordingStatusCallback") == (
        f"{PUBLIC_BASE_URL}/twilio/recording?call_id={call.id}")
    assert dial.find("Number").get("url") == f"{PUBLIC_BASE_URL}/twilio/consent"


@pytest.mark.twilio_config(TWILIO_RECORD_CALLS=True)
def test_the_consent_webhook_plays_the_announcement_to_the_called_party(twilio_post):
    root = twiml(twilio_post("/twilio/consent", {"CallSid": "CA" + "1" * 32}))
    assert root.find("Say").text.startswith("This call is being recorded")
    assert twilio_post("/twilio/consent", {"CallSid": "CA" + "1" * 32},
                       signature="").status_code == 403


@pytest.mark.twilio_config(TWILIO_MACHINE_DETECTION=True)
def test_with_machine_detection_on_the_number_asks_for_it(twilio_post, user, person):
    number = twiml(twilio_post("/twilio/voice", browser_call_params(user, person=person))).find(
        "Dial/Number")
    # Waits for the greeting's end (a voicemail drop plays after the beep), verdict to /twilio/amd.
    assert number.get("machineDetection") == "DetectMessageEnd"
    call = db.session.scalars(select(Call)).one()
    assert number.get("amdStatusCallback") == (
        f"https://switchboard.example.com/twilio/amd?call_id={call.id}")
    assert number.get("amdStatusCallbackMethod") == "POST"


def test_outside_calling_hours_a_warning_is_spoken_but_the_call_still_goes_through(
    twilio_post, user
):
    night = factories.CompanyFactory(name="Night Owls", timezone=zone_where_it_is(3))
    root = twiml(twilio_post("/twilio/voice",
                             browser_call_params(user, "+12125550100", company=night)))
    assert [child.tag for child in root] == ["Say", "Dial"]
    assert "outside 8:00–21:00 calling hours" in root.find("Say").text
    assert root.find("Dial/Number").text == "+12125550100"
    assert "calling hours" in db.session.scalars(select(Call)).one().dial_warning


def test_inside_calling_hours_no_warning_is_spoken(twilio_post, user):
    day = factories.CompanyFactory(name="Day Shift", timezone=zone_where_it_is(14))
    root = twiml(twilio_post("/twilio/voice",
                             browser_call_params(user, "+12125550100", company=day)))
    assert [child.tag for child in root] == ["Dial"]
    assert db.session.scalars(select(Call)).one().dial_warning is None


def test_an_unknown_identity_gets_no_dial_and_no_call(twilio_post, user, person):
    params = browser_call_params(user, person=person, From="client:user-9999",
                                 Caller="client:user-9999")
    assert "not a Switchboard user" in _refused(twilio_post("/twilio/voice", params))
    assert counts()[0] == 0


def test_a_non_user_identity_gets_no_dial(twilio_post, user, person):
    params = browser_call_params(user, person=person, From="client:alice", Caller="client:alice")
    _refused(twilio_post("/twilio/voice", params))
    assert counts()[0] == 0


def test_a_deactivated_user_gets_no_dial(twilio_post, user, person):
    user.active = False
    db.session.commit()
    _refused(twilio_post("/twilio/voice", browser_call_params(user, person=person)))
    assert counts()[0] == 0


def test_a_do_not_call_person_is_never_dialled(twilio_post, user, person):
    person.status = PersonStatus.DO_NOT_CALL
    db.session.commit()
    message = _refused(twilio_post("/twilio/voice", browser_call_params(user, person=person)))
    assert "do not call" in message
    assert counts()[0] == 0


def test_an_off_limits_company_is_never_dialled(twilio_post, user, person):
    person.company.off_limits = True
    person.company.off_limits_reason = "Client of ours"
    db.session.commit()
    message = _refused(twilio_post("/twilio/voice", browser_call_params(user, person=person)))
    assert "off limits: Client of ours" in message
    assert counts()[0] == 0


def test_a_number_in_a_country_not_allowed_is_not_dialled(twilio_post, user, company):
    params = browser_call_params(user, "+442079460000", company=company)
    message = _refused(twilio_post("/twilio/voice", params))
    assert "GB" in message and "TWILIO_ALLOWED_COUNTRIES" in message
    assert counts()[0] == 0


@pytest.mark.twilio_config(TWILIO_ALLOWED_COUNTRIES="US,CA,GB")
def test_a_country_added_to_the_setting_is_dialled(twilio_post, user, company):
    params = browser_call_params(user, "+442079460000", company=company)
    assert twiml(twilio_post("/twilio/voice", params)).find("Dial/Number").text == "+442079460000"


def test_an_invalid_number_is_not_dialled(twilio_post, user, company):
    _refused(twilio_post("/twilio/voice", browser_call_params(user, "555-01", company=company)))
    assert counts()[0] == 0


def test_a_call_without_a_company_or_person_is_not_dialled(twilio_post, user):
    _refused(twilio_post("/twilio/voice", browser_call_params(user)))
    assert counts()[0] == 0


def test_a_refused_call_is_still_kept_as_an_unapplied_event_for_audit(twilio_post, user, person):
    person.status = PersonStatus.DO_NOT_CALL
    db.session.commit()
    twilio_post("/twilio/voice", browser_call_params(user, person=person))
    event = db.session.scalars(select(TwilioEvent)).one()
    assert event.call is None and "do not call" in event.payload["_refused"]


def test_the_contracts_custom_parameter_names_are_understood(twilio_post, user, person):
    params = browser_call_params(user, person_id=str(person.id),
                                 company_id=str(person.company_id))
    assert twiml(twilio_post("/twilio/voice", params)).find("Dial") is not None
