"""TwiML for inbound calls: ring the recruiter, screen their own phone, take a message."""

from flask import current_app, url_for
from twilio.twiml.voice_response import VoiceResponse

from app.models import Call, User
from app.telephony.identity import identity_for
from app.telephony.inbound import caller_label
from app.telephony.settings import public_url

LEG_EVENTS = "initiated ringing answered completed"
MESSAGE_SECONDS = 120
ACCEPT_SECONDS = 8  # the whisper waits this long for a key before giving the leg up


def _url(endpoint: str, **args) -> str:
    return public_url(url_for(endpoint, **args))


def ring(call: Call, clients: list[User], phone: User | None) -> str:
    """<Dial> the recruiters' browsers (or the routed one's own phone); nobody: a message."""
    if not clients and phone is None:
        return message(call)
    config = current_app.config
    response = VoiceResponse()
    recording = {}
    if config["TWILIO_RECORD_CALLS"]:
        response.say(config["TWILIO_CONSENT_MESSAGE"])  # the caller hears it before ringing
        recording = {
            "record": "record-from-answer-dual",
            "recording_status_callback": _url("webhooks.recording", call_id=call.id),
            "recording_status_callback_event": "in-progress completed absent",
        }
    dial = response.dial(timeout=config["TWILIO_RING_SECONDS"], answer_on_bridge=True,
                         action=_url("webhooks.inbound_dialed", call_id=call.id), **recording)
    for user in clients:
        client = dial.client(
            status_callback=_url("webhooks.inbound_leg", call_id=call.id, user_id=user.id,
                                 kind="client"),
            status_callback_event=LEG_EVENTS, status_callback_method="POST")
        client.identity(identity_for(user))
        # The browser's screen pop reads which call this is.
        client.parameter(name="call_id", value=str(call.id))
    if phone is not None:
        dial.number(
            phone.phone_e164,
            url=_url("webhooks.inbound_whisper", call_id=call.id, user_id=phone.id),
            status_callback=_url("webhooks.inbound_leg", call_id=call.id, user_id=phone.id,
                                 kind="number"),
            status_callback_event=LEG_EVENTS, status_callback_method="POST")
    return str(response)


def whisper(call: Call, user_id: int) -> str:
    """Played to the recruiter's own phone on answer: a key takes the call; silence (their
    voicemail) hangs that leg up, so the caller is never left in the recruiter's voicemail."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, timeout=ACCEPT_SECONDS, action_on_empty_result=False,
        action=_url("webhooks.inbound_accept", call_id=call.id, user_id=user_id))
    gather.say(f"Switchboard call from {caller_label(call)}. Press any key to take it.")
    response.hangup()
    return str(response)


def accepted(taken: bool) -> str:
    """After the key: an empty answer joins the two sides; no key hangs the leg up."""
    response = VoiceResponse()
    if current_app.config["TWILIO_RECORD_CALLS"] and taken:
        response.say(current_app.config["TWILIO_CONSENT_MESSAGE"])
    if not taken:
        response.hangup()
    return str(response)


def message(call: Call) -> str:
    """The greeting, the recording notice, then a message of up to two minutes."""
    config = current_app.config
    response = VoiceResponse()
    response.say(config["TWILIO_INBOUND_GREETING"])
    # A message is recorded whatever TWILIO_RECORD_CALLS says, so the notice always plays: the
    # admin's greeting may not say it, and all-party-consent callers must hear it before the tone.
    response.say(config["TWILIO_CONSENT_MESSAGE"])
    response.record(
        max_length=MESSAGE_SECONDS, play_beep=True,
        action=_url("webhooks.inbound_message_done", call_id=call.id),
        recording_status_callback=_url("webhooks.recording", call_id=call.id),
        recording_status_callback_event="completed absent")
    response.hangup()
    return str(response)


def goodbye() -> str:
    """After <Record>, which would otherwise request the current document again (a loop)."""
    response = VoiceResponse()
    response.say("Thank you. Goodbye.")
    response.hangup()
    return str(response)


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
