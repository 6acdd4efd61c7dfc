"""Twilio status and recording callbacks: idempotent, and never moving a call backwards.

Twilio retries webhooks and may deliver them out of order. Each raw event is kept; a repeat of
one already stored changes nothing, and a late "ringing" cannot undo "completed": statuses only
move forward by rank, and within a rank by the event's SequenceNumber. A late event still gives
the call what it alone knows (when it was answered, and by whom).

Simultaneous deliveries converge in the database: the event's fingerprint is unique and inserted
with ON CONFLICT DO NOTHING, and the call row is locked (FOR UPDATE on PostgreSQL; on SQLite the
insert already holds the write lock) before its state is read and moved.
"""

import hashlib
import json
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import InvalidRequestError

from app.dates import parse_email_date
from app.extensions import db
from app.models import Call, Outcome, TwilioEvent, now_utc
from app.validation import MAX_ID

STATUS_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3, "answered": 3,
               "completed": 4, "busy": 4, "no-answer": 4, "failed": 4, "canceled": 4}
RECORDING_RANK = {"in-progress": 1, "completed": 2, "absent": 2, "failed": 2}
FINAL = {"completed", "busy", "no-answer", "failed", "canceled"}


SID_LENGTH = 34  # two letters and 32 hex digits: every SID Twilio issues


def twilio_sid(value: Any) -> str | None:
    """A SID as Twilio writes them, or None: anything else is kept in the payload only."""
    text = str(value or "")
    return text if len(text) == SID_LENGTH and text.isascii() and text.isalnum() else None


def fingerprint(kind: str, payload: dict[str, Any]) -> str:
    blob = json.dumps([kind, sorted(payload.items())], separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def store_event(kind: str, payload: dict[str, Any], call: Call | None) -> TwilioEvent | None:
    """Keep the raw event; None when Twilio already delivered exactly this one."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    event_id = db.session.scalar(
        dialect.insert(TwilioEvent)
        .values(kind=kind, payload=payload, fingerprint=fingerprint(kind, payload),
                call_id=call.id if call is not None else None,
                call_sid=twilio_sid(payload.get("CallSid")),
                applied=False, received_at=now_utc())
        .on_conflict_do_nothing(index_elements=["fingerprint"])
        .returning(TwilioEvent.id)
    )
    return db.session.get(TwilioEvent, event_id) if event_id is not None else None


def store_locked(kind: str, payload: dict[str, Any], call: Call) -> TwilioEvent | None:
    """Store the event with the call's row locked and its state read under that lock."""
    # Lock first: the event's foreign key takes a share lock on the call row, and two
    # deliveries upgrading theirs to FOR UPDATE would deadlock (PostgreSQL).
    try:
        db.session.refresh(call, with_for_update=True)
    except InvalidRequestError:  # deleted meanwhile (a bridge call Twilio never confirmed)
        db.session.rollback()
        store_event(kind, payload, None)
        db.session.commit()
        return None
    event = store_event(kind, payload, call)
    if event is None:
        db.session.commit()
        return None
    # SQLite ignores FOR UPDATE; its write lock is taken by the insert, so read again under it.
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.refresh(call)
    return event


def event_time(payload: dict[str, Any]):
    return parse_email_date(payload.get("Timestamp")) or now_utc()


def twilio_count(value: Any) -> int | None:
    """A count Twilio sent (duration, sequence), or None when it is not one our columns can hold.

    ASCII only: str.isdigit() also accepts "²", which int() refuses.
    """
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def suggest_outcome(status: str | None, answered_by: str | None) -> Outcome | None:
    """What the final status says about the call; the sourcer's own outcome always wins."""
    if status == "no-answer" or status == "canceled":
        return Outcome.NO_ANSWER
    if status == "busy":
        return Outcome.BUSY
    if status == "failed":
        return Outcome.BAD_NUMBER
    if status == "completed" and answered_by and answered_by.startswith("machine"):
        return Outcome.VOICEMAIL
    return None


def apply_status(call: Call, payload: dict[str, Any], leg: str) -> bool:
    """Record a status callback; True when it moved the call's state forward."""
    event = store_locked("status", payload | {"_leg": leg}, call)
    if event is None:
        return False
    status = payload.get("CallStatus", "")
    if leg == "agent":
        # The recruiter's own phone in a bridge call: only its failure tells us anything.
        if status in FINAL - {"completed"} and call.twilio_target_sid is None:
            call.twilio_status = f"agent-{status}"
            event.applied = True
        db.session.commit()
        return event.applied
    rank, sequence = STATUS_RANK.get(status), twilio_count(payload.get("SequenceNumber")) or 0
    current = STATUS_RANK.get(call.twilio_status or "", -1)
    # Same rank: only a later event applies (the webhook's own "initiated" has no sequence yet).
    if rank is None:
        db.session.commit()  # kept for audit, not applied
        return False
    if rank < current or (
        rank == current and call.twilio_sequence is not None and sequence <= call.twilio_sequence
    ):
        event.applied = _merge_late(call, payload, status)
        db.session.commit()
        return False
    at = event_time(payload)
    call.twilio_status, call.twilio_sequence, call.twilio_status_at = status, sequence, at
    call.twilio_target_sid = twilio_sid(payload.get("CallSid")) or call.twilio_target_sid
    if status in {"in-progress", "answered"}:
        call.answered_at = call.answered_at or at
    if payload.get("AnsweredBy"):
        call.answered_by_machine = payload["AnsweredBy"][:30]
    if status in FINAL:
        duration = twilio_count(payload.get("CallDuration"))
        if duration is not None:
            call.duration_seconds = duration
        call.suggested_outcome = suggest_outcome(status, call.answered_by_machine)
    event.applied = True
    db.session.commit()
    return True


def _merge_late(call: Call, payload: dict[str, Any], status: str) -> bool:
    """Give the call what a late event alone knows, never its status; True if anything changed."""
    changed = False
    if status in {"in-progress", "answered"} and call.answered_at is None:
        call.answered_at, changed = event_time(payload), True
    if payload.get("AnsweredBy") and call.answered_by_machine is None:
        call.answered_by_machine, changed = payload["AnsweredBy"][:30], True
    if changed and call.twilio_status in FINAL:
        call.suggested_outcome = suggest_outcome(call.twilio_status, call.answered_by_machine)
    return changed


def apply_recording(call: Call, payload: dict[str, Any]) -> bool:
    """Record a recording-status callback; True when it changed the call's recording."""
    event = store_locked("recording", payload, call)
    if event is None:
        return False
    status = payload.get("RecordingStatus", "")
    rank = RECORDING_RANK.get(status)
    if rank is None or rank < RECORDING_RANK.get(call.recording_status or "", 0):
        db.session.commit()
        return False
    call.recording_sid = twilio_sid(payload.get("RecordingSid")) or call.recording_sid
    call.recording_status = status
    call.recording_duration = (twilio_count(payload.get("RecordingDuration"))
                               or call.recording_duration)
    if url := payload.get("RecordingUrl"):
        call.recording_url = url[:300]
    event.applied = True
    db.session.commit()
    return True
