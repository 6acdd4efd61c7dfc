"""A bridge call's first leg (the recruiter's own phone): press a key, then the target is dialled.

A voicemail box answers a phone as readily as its owner does. Twilio cannot tell them apart
fast enough, so the recruiter proves they are there by pressing a key: no key within the
timeout (their voicemail is recording silence) and nothing is dialled. The call row stays, as
"not placed" (twilio_status agent-no-key), so the dialer can say what happened.
"""

from collections.abc import Mapping
from typing import Any

from flask import url_for
from twilio.twiml.voice_response import VoiceResponse

from app.extensions import db
from app.models import Call, now_utc
from app.telephony import events, twiml
from app.telephony.events import FINAL
from app.telephony.rules import check_dial, dtmf_extension
from app.telephony.settings import public_url

NO_KEY = "agent-no-key"
REFUSED = "agent-refused"  # the target became undiallable while the recruiter's phone rang
# Seconds of silence after the prompt: time to find the keypad, far less than a mailbox records.
KEY_TIMEOUT = 8
NOT_DIALLED = "No key was pressed, so nothing was dialled. Goodbye."
MISMATCH = "This call does not match the one Switchboard placed."


def answer(call: Call, params: dict[str, Any], args: Mapping[str, str]) -> str:
    """TwiML for the recruiter's leg: the key prompt on pick-up, then (confirmed=1) its result."""
    if call.twilio_call_sid != params.get("CallSid"):
        return _refuse(None, params, "voice", MISMATCH)
    if "confirmed" in args:
        return _after_key(call, params, dtmf_extension(args.get("ext")))
    check = check_dial(call.to_number, call.company, call.person, now_utc())
    if not check.allowed:
        return _refuse(call, params, "voice", check.refusal or "The call cannot be placed.")
    events.store_event("voice", params, call)  # a retried fetch is stored once
    db.session.commit()
    return _prompt(call, args.get("ext"), check.warnings)


def _prompt(call: Call, ext: str | None, warnings: list[str]) -> str:
    """Gather one key; with actionOnEmptyResult, silence is posted to the action too."""
    action = public_url(url_for("webhooks.voice", call_id=call.id, ext=dtmf_extension(ext),
                                confirmed=1))
    response = VoiceResponse()
    gather = response.gather(num_digits=1, timeout=KEY_TIMEOUT, action_on_empty_result=True,
                             action=action, method="POST")
    for warning in warnings:  # heard before the key, so the recruiter can decide not to call
        gather.say(warning)
    gather.say(f"Switchboard: press any key to call {_whom(call)}.")
    return str(response)


def _whom(call: Call) -> str:
    company = call.company.name if call.company else "the number"
    return f"{call.person.display_name} at {company}" if call.person else company


def _after_key(call: Call, params: dict[str, Any], ext: str | None) -> str:
    """The gather's action: a key dials the target (guards checked again), silence hangs up."""
    digits = (params.get("Digits") or "").strip()
    if not digits or call.twilio_status == NO_KEY:
        event = events.store_event("gather", params, call)
        if event is not None and _not_yet_dialled(call):
            call.twilio_status, event.applied = NO_KEY, True
        db.session.commit()
        return twiml.refuse(NOT_DIALLED)
    check = check_dial(call.to_number, call.company, call.person, now_utc())
    if not check.allowed:
        return _refuse(call, params, "gather", check.refusal or "The call cannot be placed.")
    event = events.store_event("gather", params, call)
    if event is not None:
        event.applied = True
    db.session.commit()
    # Calling-hours warnings were heard in the prompt, before the key.
    return twiml.dial(call, ext, [])


def _not_yet_dialled(call: Call) -> bool:
    return call.twilio_target_sid is None and (call.twilio_status or "") not in FINAL


def _refuse(call: Call | None, params: dict[str, Any], kind: str, refusal: str) -> str:
    """Say why nothing is dialled and hang up; the call, if ours, is marked not placed."""
    if call is not None and _not_yet_dialled(call):
        call.twilio_status = REFUSED
    events.store_event(kind, params | {"_refused": refusal}, call)
    db.session.commit()
    return twiml.refuse(refusal)
