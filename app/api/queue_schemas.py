"""JSON Schemas of the calling queue's API; app.api.schemas adds them to SCHEMAS (import it there).

Built on app.api.schemas' helpers, which that module defines before it imports this one.
"""

from app.api import shapes
from app.api.schemas import (
    DATETIME_NOTE,
    NOT_BLANK,
    Schema,
    enum,
    ident,
    obj,
    ref,
    request,
    stamp,
    text,
)
from app.models import QueueItem, QueueReason, QueueStatus
from app.queue.build import SOURCES
from app.queue.order import LIST_LIMIT
from app.queue.service import MAX_SNOOZE

QUEUE_ITEM: Schema = obj(
    {
        "id": {**ident(), "readOnly": True},
        "person_id": ident("The person to call; null: the company's main line.", nullable=True),
        "company_id": ident(),
        "reason": {**enum(QueueReason),
                   "description": "Why it is queued; also its priority, in this order."},
        "status": enum(QueueStatus),
        "ask_for": text(QueueItem, "ask_for",
                        description="On a main-line item: who or what to ask for."),
        "dial_number": {"type": ["string", "null"], "pattern": r"^\+[1-9][0-9]{1,14}$",
                        "description": "E.164: direct dial, else mobile, else the main line "
                                       "(numbers last logged as bad or wrong are skipped)."},
        "claimed_by": ident("The user who holds this person or main line now (you or a "
                            "teammate); null when nobody does.", nullable=True),
        "claimed_by_name": {"type": ["string", "null"]},
        "claimed_until": {**stamp(nullable=True),
                          "description": "When that hold ends unless renewed."},
        "local_time": {"type": "string", "format": "date-time",
                       "description": "Now at the company, with its UTC offset (UTC when the "
                                      "company has no time zone)."},
        "within_calling_hours": {"type": "boolean",
                                 "description": "Inside CALLING_HOURS at the company now."},
        "next_step": text(QueueItem, "next_step"),
        "company_name": {"type": "string"},
        "person_name": {"type": ["string", "null"]},
        "why": text(QueueItem, "why"),
        "snoozed_until": stamp(nullable=True),
        "skip_reason": text(QueueItem, "skip_reason"),
        "call_id": ident("The call that worked it (done items).", nullable=True),
        "created_at": stamp(),
    },
    required=["id", "person_id", "company_id", "reason", "status", "ask_for", "dial_number",
              "claimed_by", "claimed_by_name", "claimed_until", "local_time",
              "within_calling_hours", "next_step"],
)
QUEUE_LIST: Schema = obj(
    {"items": {"type": "array", "items": ref("QueueItem"),
               "description": f"Open items in queue order (at most {LIST_LIMIT})."},
     "total": {"type": "integer", "minimum": 0}},
    required=["items", "total"],
)
QUEUE_ADD: Schema = request(
    {"person_id": ident("A person to call (or send company_id and ask_for)."),
     "company_id": ident("The company whose main line to call (with ask_for)."),
     "ask_for": text(QueueItem, "ask_for", description="Who or what to ask the switchboard "
                                                       "for, e.g. the VP Engineering."),
     "next_step": text(QueueItem, "next_step", description="What to say or do on the call.")},
    shapes.QUEUE_ADD,
    description="`person_id`, or `company_id` (and `ask_for`).",
)
QUEUE_BUILD: Schema = request(
    {"source": {"type": "string", "enum": list(SOURCES)},
     "company_id": ident("gaps: this company's (default: those you called in the last 30 "
                         "days).", nullable=True),
     "saved_search_id": ident("saved_search: one of your saved searches.", nullable=True)},
    shapes.QUEUE_BUILD,
    required=["source"],
)
QUEUE_BUILT: Schema = obj(
    {"added": {"type": "integer", "minimum": 0},
     "items": {"type": "array", "items": ref("QueueItem"), "description": "The items added."}},
    required=["added", "items"],
)
QUEUE_SKIP: Schema = request(
    {"reason": text(QueueItem, "skip_reason", nullable=False, pattern=NOT_BLANK,
                    description="Why (required).")},
    shapes.QUEUE_SKIP, required=["reason"],
)
QUEUE_SNOOZE: Schema = request(
    {"until": {**stamp(read_only=False),
               "description": f"{DATETIME_NOTE} In the future, at most {MAX_SNOOZE.days} days "
                              "ahead."}},
    shapes.QUEUE_SNOOZE, required=["until"],
)

QUEUE_SCHEMAS: dict[str, Schema] = {
    "QueueItem": QUEUE_ITEM,
    "QueueList": QUEUE_LIST,
    "QueueAdd": QUEUE_ADD,
    "QueueBuild": QUEUE_BUILD,
    "QueueBuilt": QUEUE_BUILT,
    "QueueSkip": QUEUE_SKIP,
    "QueueSnooze": QUEUE_SNOOZE,
}
