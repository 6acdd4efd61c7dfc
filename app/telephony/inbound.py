"""Calls to the team's Twilio numbers: who is calling, whom to ring, who answered, missed calls.

Twilio retries the incoming-call webhook, and may deliver it twice at once: the call row is keyed
by the unique CallSid, so a repeat (or the loser of a race) answers from the row already logged.
"""

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Call, Company, Direction, Person, User, now_utc
from app.phones import PhoneError, format_national, normalize_phone
from app.telephony import events
from app.telephony.events import twilio_sid
from app.telephony.presence import is_online

# Twilio rings at most ten nouns of one <Dial> at once.
MAX_RING = 10
ANSWERED = {"in-progress", "answered"}


@dataclass
class Caller:
    """Who the incoming number belongs to, as far as the data says."""

    number: str | None
    person: Person | None = None
    company: Company | None = None


@dataclass
class InboundDecision:
    """The call as logged, and whom its <Dial> rings (nobody: straight to the message)."""

    call: Call | None
    clients: list[User] = field(default_factory=list)
    phone: User | None = None
    refusal: str | None = None


def caller_number(raw: str | None) -> str | None:
    """The caller's number as E.164, or None (withheld: "anonymous", "+266696687", a client)."""
    if not raw or not raw.startswith("+"):
        return None
    try:
        return normalize_phone(raw, None)
    except PhoneError:
        return None


def identify_caller(raw: str | None) -> Caller:
    """A person whose direct dial or mobile it is (people still there first), else a company's
    main line, else nobody on file."""
    number = caller_number(raw)
    if number is None:
        return Caller(None)
    person = db.session.scalars(
        select(Person).where((Person.direct_phone == number) | (Person.mobile_phone == number))
        .order_by(case((Person.left_at.is_(None), 0), else_=1), Person.placeholder, Person.id)
        .limit(1)).first()
    if person is not None:
        return Caller(number, person, person.company)
    company = db.session.scalars(
        select(Company).where(Company.main_phone == number).order_by(Company.id).limit(1)).first()
    return Caller(number, None, company)


def _last_caller(condition) -> User | None:
    return db.session.scalars(
        select(User).join(Call, Call.user_id == User.id)
        .where(condition, User.active.is_(True))
        .order_by(Call.started_at.desc(), Call.id.desc()).limit(1)).first()


def route(caller: Caller) -> User | None:
    """Whoever last called this person, else this company, else the company's owner; None
    means the team's ring group."""
    if caller.person is not None and (user := _last_caller(Call.person_id == caller.person.id)):
        return user
    if caller.company is not None:
        if user := _last_caller(Call.company_id == caller.company.id):
            return user
        owner = caller.company.created_by
        if owner is not None and owner.active:
            return owner
    return None


def _ring_group_emails() -> set[str]:
    return {e.strip().lower() for e in current_app.config["TWILIO_RING_GROUP"].split(",")
            if e.strip()}


def in_ring_group(user: User) -> bool:
    """A member of TWILIO_RING_GROUP (emails); an empty group is every active user."""
    emails = _ring_group_emails()
    return user.active and (not emails or user.email.lower() in emails)


def owns_callback(call: Call, user: User) -> bool:
    """May close this call's call-back: whoever may edit the call, or, for a call that rang the
    whole ring group, any member (the missed call is on each of their Today pages)."""
    if call.editable_by(user):
        return True
    return call.inbound and call.routed_to_id is None and in_ring_group(user)


def ring_group() -> list[User]:
    """TWILIO_RING_GROUP's active members (emails), or every active user; at most ten."""
    emails = _ring_group_emails()
    query = select(User).where(User.active.is_(True)).order_by(User.id).limit(MAX_RING)
    if emails:
        query = query.where(User.email.in_(emails))
    return list(db.session.scalars(query))


def ring_targets(call: Call) -> tuple[list[User], User | None]:
    """Browsers to ring, and the phone to ring when the routed recruiter's browser is not online.

    A browser is always rung: Twilio ends a <Client> leg at once when no browser is registered
    for it, so ringing one costs the caller nothing, and a presence report that lags (a tab
    opened a moment ago) never loses the call. Presence decides only whether the recruiter's own
    phone rings too.
    """
    routed = call.routed_to
    if routed is not None:
        phone = routed if routed.phone_e164 and not is_online(routed) else None
        return [routed], phone
    return ring_group(), None


def _by_sid(sid: str | None) -> Call | None:
    return db.session.scalars(select(Call).where(Call.twilio_call_sid == sid)).first()


def _answer(call: Call) -> InboundDecision:
    clients, phone = ring_targets(call)
    return InboundDecision(call=call, clients=clients, phone=phone)


def receive_call(params: dict[str, Any]) -> InboundDecision:
    """Log the incoming call once (whoever it is from) and decide whom to ring."""
    sid = twilio_sid(params.get("CallSid"))
    if sid is None:
        return InboundDecision(None, refusal="This call could not be taken.")
    if (existing := _by_sid(sid)) is not None:  # Twilio retried the webhook
        return _answer(existing)
    caller = identify_caller(params.get("From") or params.get("Caller"))
    routed = route(caller)
    group = [] if routed is not None else ring_group()
    owner = routed or (group[0] if group else None)
    if owner is None:
        return InboundDecision(None, refusal="Sorry, nobody can take your call.")
    to_number = caller_number(params.get("To"))
    call = Call(user=owner, routed_to=routed, direction=Direction.INBOUND,
                person=caller.person, company=caller.company, caller_id=caller.number,
                to_number=to_number, twilio_call_sid=sid, twilio_status="ringing",
                started_at=now_utc())
    db.session.add(call)
    try:
        db.session.flush()
        events.store_event("inbound", params, call)
        db.session.commit()
    except IntegrityError:
        # A simultaneous delivery logged it first (CallSid is unique): answer as it did.
        db.session.rollback()
        if (existing := _by_sid(sid)) is None:
            raise
        return _answer(existing)
    return _answer(call)


def caller_label(call: Call) -> str:
    """"Peter Gibbons (Initech)", "Initech (+1 212-555-0100)" or the bare number."""
    number = format_national(call.caller_id, current_app.config["DEFAULT_COUNTRY"]) \
        if call.caller_id else "a withheld number"
    if call.person is not None:
        return f"{call.person.display_name}" + (f" ({call.company.name})" if call.company else "")
    if call.company is not None:
        return f"{call.company.name} ({number})"
    return number


def _answered_by(call: Call, user_id: Any, at) -> None:
    """The recruiter who took the call owns its log entry from now on."""
    user = db.session.get(User, int(user_id)) if str(user_id or "").isdigit() else None
    if user is not None and user.active:
        call.user = user
    call.answered_at = call.answered_at or at
    if events.STATUS_RANK.get(call.twilio_status or "", -1) < events.STATUS_RANK["in-progress"]:
        call.twilio_status = "in-progress"


# events' locking store, timestamp and count parsers are reused as they are: one rule for every
# callback (stored once, the call row locked before it is read), outbound or inbound.


def apply_leg(call: Call, payload: dict[str, Any], user_id: Any, kind: str) -> bool:
    """A status callback of one ringing leg (a browser or the recruiter's phone)."""
    event = events.store_locked("dial", payload | {"_leg": f"{kind}:{user_id}"}, call)
    if event is None:
        return False
    status = payload.get("CallStatus", "")
    # A phone's "answered" may be its own voicemail: only the key press (accept) counts there.
    if kind == "client" and status in ANSWERED and call.answered_at is None:
        _answered_by(call, user_id, events.event_time(payload))
        call.twilio_target_sid = twilio_sid(payload.get("CallSid"))
        event.applied = True
    elif status == "completed" and call.twilio_target_sid and \
            call.twilio_target_sid == payload.get("CallSid"):
        duration = events.twilio_count(payload.get("CallDuration"))
        if duration is not None:
            call.duration_seconds = duration
        event.applied = True
    db.session.commit()
    return event.applied


def accept_on_phone(call: Call, payload: dict[str, Any], user_id: Any) -> bool:
    """The recruiter pressed a key on their own phone: a person, not their voicemail, took it."""
    event = events.store_locked("gather", payload | {"_user": str(user_id)}, call)
    if not payload.get("Digits"):
        db.session.commit()
        return False
    if event is not None and call.answered_at is None:
        _answered_by(call, user_id, now_utc())
        call.twilio_target_sid = twilio_sid(payload.get("CallSid"))
        event.applied = True
    db.session.commit()
    return True


def finish_dial(call: Call, payload: dict[str, Any]) -> bool:
    """The <Dial> ended; True when nobody took the call (the caller may leave a message).

    A missed call becomes a follow-up of the routed recruiter (or the ring group's first).
    """
    event = events.store_locked("dial", payload, call)
    bridged = call.answered_at is not None or payload.get("DialBridged") == "true"
    if event is None:  # a retry: answer as before
        return not bridged
    status = payload.get("DialCallStatus", "")
    if bridged:
        call.twilio_status = "completed"
        duration = events.twilio_count(payload.get("DialCallDuration"))
        if duration is not None:
            call.duration_seconds = duration
    else:
        call.twilio_status = status if status in events.FINAL - {"completed"} else "no-answer"
        if call.follow_up_at is None:
            call.follow_up_at = now_utc()
            call.follow_up_note = f"Missed call from {caller_label(call)} — call back"[:500]
    event.applied = True
    db.session.commit()
    return not bridged
