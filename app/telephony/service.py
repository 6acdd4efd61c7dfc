"""Placing calls through Twilio: from the browser (voice webhook) or as a bridge call."""

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from requests import RequestException
from sqlalchemy import select
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.errors import DomainError
from app.extensions import db
from app.models import Call, Company, Person, User, now_utc
from app.telephony.client import get_twilio_client
from app.telephony.identity import user_for_identity
from app.telephony.rules import check_dial
from app.telephony.settings import public_url
from app.validation import get_by_id

STATUS_EVENTS_REST = ["initiated", "ringing", "answered", "completed"]


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


def _extension(params: dict[str, Any]) -> str | None:
    ext = (params.get("extension") or "").strip()
    return ext if ext.isdigit() and len(ext) <= 10 else None


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
        return VoiceDecision(call=existing, extension=_extension(params))
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
    if call is None:
        call = Call(user=user, company=company, person=person, started_at=now_utc())
        db.session.add(call)
    call.to_number, call.dialed_via = check.number, "browser"
    call.twilio_call_sid, call.twilio_status = params.get("CallSid"), "initiated"
    call.dial_warning = "; ".join(check.warnings)[:300] or None
    db.session.commit()
    return VoiceDecision(call=call, extension=_extension(params), warnings=check.warnings)


def answer_bridge_call(call: Call, params: dict[str, Any], extension: str | None) -> VoiceDecision:
    """Voice webhook once the recruiter picks up their own phone: now dial the target."""
    if call.twilio_call_sid != params.get("CallSid"):
        return VoiceDecision(refusal="This call does not match the one Switchboard placed.")
    check = check_dial(call.to_number, call.company, call.person, now_utc())
    if not check.allowed:
        return VoiceDecision(refusal=check.refusal)
    return VoiceDecision(call=call, extension=_extension({"extension": extension}),
                         warnings=check.warnings)


def start_bridge_call(user: User, number: str | None, company: Company, person: Person | None,
                      extension: str | None = None) -> Call:
    """Ring the recruiter's own phone through Twilio's REST API; on answer, dial the target."""
    if not user.phone_e164:
        raise DomainError({"phone": "Add your own phone number to your profile first."})
    check = check_dial(number, company, person, now_utc())
    if not check.allowed:
        raise DomainError({"to_number": check.refusal})
    call = Call(user=user, company=company, person=person, to_number=check.number,
                dialed_via="bridge", started_at=now_utc(), twilio_status="queued",
                dial_warning="; ".join(check.warnings)[:300] or None)
    db.session.add(call)
    db.session.flush()  # the callback URLs carry our call id
    try:
        placed = get_twilio_client().calls.create(
            to=user.phone_e164,
            from_=current_app.config["TWILIO_CALLER_ID"],
            url=public_url(url_for("webhooks.voice", call_id=call.id,
                                   ext=_extension({"extension": extension}))),
            status_callback=public_url(url_for("webhooks.status", call_id=call.id, leg="agent")),
            status_callback_event=STATUS_EVENTS_REST,
            status_callback_method="POST",
        )
    except TwilioRestException as exc:
        db.session.rollback()  # nothing is logged for a call that was never placed
        raise DomainError({"_": f"Twilio refused the call: {exc.msg}"}) from None
    except (TwilioException, RequestException) as exc:
        db.session.rollback()
        raise DomainError({"_": f"Could not reach Twilio ({type(exc).__name__}); nothing was "
                                "dialled. Try again."}) from None
    call.twilio_call_sid = placed.sid
    db.session.commit()
    return call
