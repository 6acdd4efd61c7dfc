"""TwiML answers for the voice webhook."""

from flask import current_app, url_for
from twilio.twiml.voice_response import VoiceResponse

from app.models import Call
from app.telephony.settings import public_url

STATUS_EVENTS = "initiated ringing answered completed"


def refuse(message: str) -> str:
    """Tell the caller why the call will not be placed, then hang up; nothing is dialled."""
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return str(response)


def dial(call: Call, extension: str | None, warnings: list[str]) -> str:
    """Dial the call's number from our caller ID, with status (and maybe recording) callbacks."""
    config = current_app.config
    response = VoiceResponse()
    for warning in warnings:
        response.say(warning)
    recording = {}
    if config["TWILIO_RECORD_CALLS"]:
        response.say(config["TWILIO_CONSENT_MESSAGE"])  # the caller hears it too
        recording = {
            "record": "record-from-answer-dual",
            "recording_status_callback": public_url(url_for("webhooks.recording",
                                                            call_id=call.id)),
            "recording_status_callback_event": "in-progress completed absent",
        }
    # The pool number chosen (and recorded) when the call was placed; older rows: the default.
    dial_verb = response.dial(caller_id=call.caller_id or config["TWILIO_CALLER_ID"],
                              answer_on_bridge=True, **recording)
    number_options = {
        "status_callback": public_url(url_for("webhooks.status", call_id=call.id, leg="target")),
        "status_callback_event": STATUS_EVENTS,
        "status_callback_method": "POST",
    }
    if extension:
        # Each "w" waits half a second for the switchboard to pick up before the digits.
        number_options["send_digits"] = "wwww" + extension
    if config["TWILIO_RECORD_CALLS"]:
        # Played to the called party on answer, before the two sides are joined.
        number_options["url"] = public_url(url_for("webhooks.consent"))
    if config["TWILIO_MACHINE_DETECTION"]:
        # Asynchronous AMD that waits for the greeting's end: a voicemail drop waits for the beep.
        number_options |= {
            "machine_detection": "DetectMessageEnd",
            "amd_status_callback": public_url(url_for("webhooks.amd", call_id=call.id)),
            "amd_status_callback_method": "POST",
        }
    dial_verb.number(call.to_number, **number_options)
    return str(response)


def consent() -> str:
    response = VoiceResponse()
    response.say(current_app.config["TWILIO_CONSENT_MESSAGE"])
    return str(response)
