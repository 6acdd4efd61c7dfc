"""Models to JSON: phones stay E.164, datetimes are ISO 8601 in UTC, enums are their slugs."""

from datetime import datetime
from enum import Enum
from typing import Any

from app.models import Call, Company, Person, QueueItem, Touchpoint, TwilioEvent, User
from app.people.email_patterns import email_guess
from app.people.similar import similar_to
from app.queue.order import ItemFacts

COMPANY_FIELDS = (
    "id",
    "name",
    "domain",
    "main_phone",
    "country",
    "location",
    "timezone",
    "industry",
    "email_pattern",
    "off_limits",
    "off_limits_reason",
    "notes",
    "created_at",
    "updated_at",
)
PERSON_FIELDS = (
    "id",
    "company_id",
    "full_name",
    "title",
    "department",
    "reports_to_id",
    "direct_phone",
    "extension",
    "mobile_phone",
    "email",
    "email_source",
    "linkedin_url",
    "role",
    "status",
    "notes",
    "placeholder",
    "left_at",
    "source_call_id",
    "created_at",
    "updated_at",
)
CALL_FIELDS = (
    "id",
    "user_id",
    "company_id",
    "person_id",
    "answered_by_id",
    "to_number",
    "outcome",
    "notes",
    "started_at",
    "duration_seconds",
    "follow_up_at",
    "follow_up_note",
    "follow_up_done_at",
    "previous_call_id",
    "dialed_via",
    "twilio_call_sid",
    "twilio_status",
    "direction",
    "caller_id",
    "created_at",
    "updated_at",
)
# Computed, not columns: the address the email pattern suggests (app.people.email_patterns).
PERSON_COMPUTED = ("email_guess",)
TOUCHPOINT_FIELDS = ("id", "person_id", "user_id", "kind", "happened_at", "note", "created_at")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _columns(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json_value(getattr(obj, name)) for name in fields}


def company_json(company: Company) -> dict[str, Any]:
    return _columns(company, COMPANY_FIELDS)


def person_json(person: Person) -> dict[str, Any]:
    guess = email_guess(person)
    return {**_columns(person, PERSON_FIELDS), "email_guess": guess.as_json() if guess else None}


def created_person_json(person: Person) -> dict[str, Any]:
    """A person just written, with the colleagues their name sounds like (never blocking)."""
    return {**person_json(person), "similar": [s.as_json() for s in similar_to(person)]}


def touchpoint_json(touchpoint: Touchpoint) -> dict[str, Any]:
    return _columns(touchpoint, TOUCHPOINT_FIELDS)


def call_json(call: Call, offer_similar: bool = False) -> dict[str, Any]:
    """A call with the people it touched and what Twilio reported (selectinload for lists).

    offer_similar (the answer to a write): people this call uncovered carry `similar`.
    """
    recording = None
    if call.recording_sid:
        recording = {"sid": call.recording_sid, "status": call.recording_status,
                     "duration_seconds": call.recording_duration}
    return {
        **call_summary_json(call),
        "people": [created_person_json(p) if offer_similar and p.source_call_id == call.id
                   else person_json(p) for p in call.people],
        "answered_by": call.answered_by_machine,  # Twilio's AnsweredBy (human / machine_*)
        "recording": recording,
        "events": [event_json(e) for e in call.events],
    }


# Twilio's media address stays on the server: the recording is played through the app.
PRIVATE_PAYLOAD_KEYS = frozenset({"RecordingUrl"})


def call_summary_json(call: Call) -> dict[str, Any]:
    """A call's own fields, without its people and events (for search results)."""
    voicemail = call.voicemail
    return {
        **_columns(call, CALL_FIELDS),
        "routed_to": call.routed_to_id,
        "voicemail_left": {"id": voicemail.id, "name": voicemail.name} if voicemail else None,
    }


def event_json(event: TwilioEvent) -> dict[str, Any]:
    """A raw Twilio callback as received; `applied` is false for late or repeated ones."""
    payload = {k: v for k, v in event.payload.items() if k not in PRIVATE_PAYLOAD_KEYS}
    return {"kind": event.kind, "received_at": event.received_at.isoformat(),
            "applied": event.applied, "payload": payload}


def me_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role.value,
            "phone": user.phone_e164, "timezone": user.timezone}


def page_json(items: list[dict[str, Any]], page: int, per_page: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total}


# The contract's fields first, then what the calling screen also reads.
QUEUE_ITEM_FIELDS = (
    "id", "person_id", "company_id", "reason", "status", "ask_for", "dial_number", "claimed_by",
    "claimed_by_name", "claimed_until", "local_time", "within_calling_hours", "next_step",
    "company_name", "person_name", "why", "snoozed_until", "skip_reason", "call_id", "created_at",
)


def queue_item_json(item: QueueItem, fact: ItemFacts) -> dict[str, Any]:
    """A queue item; `claimed_*` name whoever holds its line now (null when nobody does)."""
    return {
        **_columns(item, ("id", "person_id", "company_id", "reason", "status", "ask_for")),
        "dial_number": fact.dial_number,
        "claimed_by": fact.holder_id,
        "claimed_by_name": fact.holder_name,
        "claimed_until": _json_value(fact.holder_until),
        "local_time": fact.local_time.isoformat(timespec="seconds"),
        "within_calling_hours": fact.within_hours,
        "next_step": item.next_step,
        "company_name": item.company.name,
        "person_name": item.person.display_name if item.person else None,
        **_columns(item, ("why", "snoozed_until", "skip_reason", "call_id", "created_at")),
    }
