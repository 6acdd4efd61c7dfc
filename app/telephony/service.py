"""Placing calls through Twilio: from the browser (voice webhook) or as a bridge call."""

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from requests import RequestException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.errors import DomainError
from app.extensions import db
from app.models import Call, Company, Person, User, now_utc
from app.people.reporting import hold_people
from app.telephony.caller_ids import caller_id_for
from app.telephony.client import get_twilio_client
from app.telephony.errors import CallNotRecorded, twilio_failure
from app.telephony.events import twilio_sid
from app.telephony.identity import user_for_identity
from app.telephony.rules import check_dial, dtmf_extension, number_refusal, owner_refusal
from app.telephony.settings import public_url
from app.validation import get_by_id

STATUS_EVENTS_REST = ["initiated", "ringing", "answered", "completed"]
PENDING = "pending"  # committed before Twilio is asked; "queued" once Twilio placed it
# The person is held (not merged or erased) until the call row is committed; one already gone:
GONE = "Someone merged or erased this person a moment ago: reload the page and dial again."


@dataclass
class VoiceDecision:
    """What the voice webhook should answer: a call to dial, or a refusal to speak."""

    call: Call | None = None
    refusal: str | None = None
    extension: str | None = None
    warnings: list[str] = field(default_factory=list)


def _target(params: dict[str, Any]) -> tuple[Company | None, Person | None]:
    """The browser's custom parameters `person_id` / `company_id` (the dialer's contract)."""
    person = get_by_id(Person, params.get("person_id"))
    company = person.company if person else get_by_id(Company, params.get("company_id"))
    return company, person


def _unplaced_call(params: dict[str, Any], user: User) -> Call | None:
    """An existing entry of this user's, named by `call_id`, that no Twilio call is bound to."""
    call = get_by_id(Call, params.get("call_id"))
    if call is None or call.user_id != user.id or call.twilio_call_sid:
        return None
    return call


def answer_browser_call(params: dict[str, Any]) -> VoiceDecision:
    """Voice webhook for a browser call: who is calling, may they dial this, log the call."""
    existing = db.session.scalars(
        select(Call).where(Call.twilio_call_sid == params.get("CallSid"))).first()
    if existing is not None:  # Twilio retried the webhook: answer the same way, log once
        return VoiceDecision(call=existing, extension=dtmf_extension(params.get("extension")))
    if twilio_sid(params.get("CallSid")) is None:
        return VoiceDecision(refusal="This call could not be placed: Twilio sent no valid CallSid.")
    user = user_for_identity(params.get("From") or params.get("Caller"))
    if user is None:
        return VoiceDecision(refusal="This caller is not a Switchboard user.")
    call = _unplaced_call(params, user)
    company, person = (call.company, call.person) if call else _target(params)
    if company is None:
        return VoiceDecision(refusal="Start the call from a company or a person in Switchboard.")
    check = check_dial(params.get("To"), company, person, now_utc())
    if not check.allowed:
        return VoiceDecision(refusal=check.refusal)
    if call is None and person is not None and hold_people(company.id, {person.id}):
        return VoiceDecision(refusal=GONE)
    if call is None:
        call = Call(user=user, company=company, person=person, started_at=now_utc())
        db.session.add(call)
    call.to_number, call.dialed_via = check.number, "browser"
    call.caller_id = caller_id_for(check.number)
    call.twilio_call_sid, call.twilio_status = params.get("CallSid"), "initiated"
    call.dial_warning = "; ".join(check.warnings)[:300] or None
    try:
        db.session.commit()
    except IntegrityError:
        # A simultaneous delivery of this webhook logged the call first (CallSid is unique).
        db.session.rollback()
        existing = db.session.scalars(
            select(Call).where(Call.twilio_call_sid == params.get("CallSid"))).first()
        if existing is None:
            raise
        return VoiceDecision(call=existing, extension=dtmf_extension(params.get("extension")))
    return VoiceDecision(call=call, extension=dtmf_extension(params.get("extension")),
                         warnings=check.warnings)


def start_bridge_call(user: User, number: str | None, company: Company, person: Person | None,
                      extension: str | None = None) -> Call:
    """Ring the recruiter's own phone through Twilio's REST API; on a key press, dial the target.

    The call row is committed (pending) before Twilio is asked, and settled with its CallSid in a
    new short transaction after: no database transaction stays open while Twilio is waited on,
    so Twilio's own status callbacks can land meanwhile. Raises TwilioFailure when Twilio fails.
    """
    if not user.phone_e164:
        raise DomainError({"phone": "Add your own phone number to your profile first."})
    if refusal := owner_refusal(user.phone_e164) or number_refusal(user.phone_e164):
        # Twilio rings this number too, from our caller ID: every guard on a number applies.
        raise DomainError({"phone": f"Your own phone cannot be rung: {refusal}"})
    check = check_dial(number, company, person, now_utc())
    if not check.allowed:
        raise DomainError({"to_number": check.refusal})
    if person is not None and hold_people(company.id, {person.id}):
        raise DomainError({"person_id": GONE})
    call = Call(user=user, company=company, person=person, to_number=check.number,
                dialed_via="bridge", started_at=now_utc(), twilio_status=PENDING,
                caller_id=caller_id_for(check.number),
                dial_warning="; ".join(check.warnings)[:300] or None)
    db.session.add(call)
    db.session.flush()  # the callback URLs carry our call id
    call_id, request = call.id, {
        "to": user.phone_e164,
        # The recruiter's own phone is rung from the default number: they know it.
        "from_": current_app.config["TWILIO_CALLER_ID"],
        "url": public_url(url_for("webhooks.voice", call_id=call.id,
                                  ext=dtmf_extension(extension))),
        "status_callback": public_url(url_for("webhooks.status", call_id=call.id, leg="agent")),
        "status_callback_event": STATUS_EVENTS_REST,
        "status_callback_method": "POST",
    }
    db.session.commit()
    try:
        sid = get_twilio_client().calls.create(**request).sid
    except (TwilioException, RequestException) as exc:
        _forget_unplaced(call_id)  # nothing is logged for a call that was never placed
        raise twilio_failure(exc, "place the call") from None
    return _settle(call_id, sid)


def _forget_unplaced(call_id: int) -> None:
    """Remove the pending row of a call Twilio did not place (or that we cancelled)."""
    try:
        call = db.session.get(Call, call_id)
        if call is not None and call.twilio_call_sid is None:
            db.session.delete(call)
            db.session.commit()
    except SQLAlchemyError:
        # The user still hears what Twilio did; the row stays pending, and no call binds to it.
        db.session.rollback()
        current_app.logger.exception("Could not remove pending call %s", call_id)


def _settle(call_id: int, sid: str) -> Call:
    """Store Twilio's CallSid on the pending row; if that fails, hang the call up at Twilio."""
    try:
        call = db.session.get(Call, call_id)
        if call is None:
            raise LookupError(f"call {call_id} vanished while Twilio placed it")
        call.twilio_call_sid = sid
        if call.twilio_status == PENDING:  # a callback may already have moved it on
            call.twilio_status = "queued"
        db.session.commit()
        return call
    except (SQLAlchemyError, LookupError):
        db.session.rollback()
        current_app.logger.exception("Bridge call %s placed as %s but not recorded", call_id, sid)
    cancelled = cancel_call(sid)
    _forget_unplaced(call_id)
    raise CallNotRecorded(
        "Twilio placed the call but Switchboard could not record it, so "
        + ("it was cancelled. Try again." if cancelled else
           "it tried to cancel it and could not: if your phone rings, hang up."))


def cancel_call(sid: str) -> bool:
    """End a call we placed, whether it still rings or was answered; False if Twilio refused."""
    calls = get_twilio_client().calls
    for status in ("canceled", "completed"):  # "canceled" only ends a call not yet answered
        try:
            calls(sid).update(status=status)
            return True
        except TwilioRestException:
            continue
        except (TwilioException, RequestException):
            break
    current_app.logger.error("Could not cancel Twilio call %s", sid)
    return False
