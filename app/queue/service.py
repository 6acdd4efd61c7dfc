"""The calling queue's use cases: add, skip, snooze, and the call that marks an item done.

Taking next, releasing and extending claims live in app.queue.claims, building in
app.queue.build, the order and listing in app.queue.order; all are importable from here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app import dates
from app.errors import DomainError
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    Call,
    Company,
    Person,
    QueueItem,
    QueueReason,
    QueueStatus,
    SavedSearch,
    User,
    now_utc,
)
from app.queue.build import build_queue  # noqa: F401
from app.queue.claims import (  # noqa: F401
    current_item,
    extend_claim,
    own_item,
    release_item,
    take_next,
)
from app.queue.items import insert_item, new_item, open_item
from app.queue.order import ItemFacts, item_facts, queue_items, queue_listing  # noqa: F401
from app.queue.sessions import touch_session
from app.queue.targets import check_target, item_key
from app.validation import FieldErrors, clean_text, get_by_id

MAX_SNOOZE = timedelta(days=90)


def add_to_queue(user: User, *, person: Person | None = None, company: Company | None = None,
                 ask_for: str | None = None, reason: QueueReason = QueueReason.MANUAL,
                 why: str | None = None, next_step: str | None = None,
                 source_call: Call | None = None, saved_search: SavedSearch | None = None,
                 box: Person | None = None) -> tuple[QueueItem, bool]:
    """Queue a person, or a company's main line asking for someone; (item, created). Commits.

    An open item for the same target is returned as it is (created False). A target that may
    not be called is a DomainError on `person_id` (or `company_id`) saying why.
    """
    errors = FieldErrors()
    if person is None and company is None:
        errors.add("person_id", "Pick a person, or a company and who to ask for.")
        raise DomainError(errors)
    if person is not None and company is not None and person.company_id != company.id:
        raise DomainError({"person_id": f"{person.display_name} works at another company."})
    company = company or person.company
    ask_for = clean_text(QueueItem, "ask_for", ask_for, errors, "ask_for")
    if errors:
        raise DomainError(errors)
    key = item_key(company.id, person.id if person else None, ask_for)
    if (existing := open_item(user, key)) is not None:
        return existing, False
    reach = check_target(company, person)
    if not reach.callable:
        raise DomainError({"person_id" if person is not None else "company_id": reach.refusal})
    why = why or (f"Asked for: {ask_for}" if ask_for and person is None else None)
    item, created = insert_item(new_item(
        user, company, person, ask_for, reason, why=why or reason.label, next_step=next_step,
        source_call=source_call, saved_search=saved_search, box=box))
    db.session.commit()
    return item, created


def _open_or_error(item: QueueItem, action: str) -> None:
    if item.status not in OPEN_STATUSES:
        raise DomainError({"status": f"This item is {item.status.value}: only an open item can "
                                     f"be {action}."})


def skip_item(user: User, item: QueueItem, reason: Any) -> QueueItem:
    """Take an open item off the queue, saying why (required, at most 300 characters). Commits."""
    own_item(user, item)
    errors = FieldErrors()
    text = clean_text(QueueItem, "skip_reason", reason, errors, "reason", required=True)
    if errors:
        raise DomainError(errors)
    _open_or_error(item, "skipped")
    item.status, item.skip_reason, item.snoozed_until = QueueStatus.SKIPPED, text, None
    item.drop_claim()
    db.session.commit()
    return item


def clean_until(value: Any, now: datetime) -> datetime:
    """A snooze end: ISO 8601 with an offset (or an aware datetime), after now, within 90 days."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise DomainError({"until": "Give a time zone with the time."})
        if not dates.in_window(value.date()):
            raise DomainError({"until": dates.WINDOW_MESSAGE})
        until = value
    else:
        try:
            until = dates.parse_datetime(value)
        except dates.DateError as exc:
            raise DomainError({"until": str(exc)}) from None
    if until <= now:
        raise DomainError({"until": "Pick a time in the future."})
    if until - now > MAX_SNOOZE:
        raise DomainError({"until": f"Snooze for at most {MAX_SNOOZE.days} days."})
    return until


def snooze_item(user: User, item: QueueItem, until: Any, now: datetime | None = None
                ) -> QueueItem:
    """Put an open item aside until a time (in the next 90 days); it wakes on a later take."""
    own_item(user, item)
    now = now or now_utc()
    moment = clean_until(until, now)
    _open_or_error(item, "snoozed")
    item.status, item.snoozed_until = QueueStatus.SNOOZED, moment
    item.drop_claim()
    db.session.commit()
    return item


def check_call_item(author: User, value: Any, company: Company | None,
                    errors: FieldErrors) -> QueueItem | None:
    """The queue item a call is logged for, or a field error on queue_item_id."""
    if value in (None, ""):
        return None
    item = get_by_id(QueueItem, value)
    if item is None or item.user_id != author.id:
        errors.add("queue_item_id", f"No item with id {str(value)[:20]} in your queue.")
        return None
    if item.status not in OPEN_STATUSES:
        errors.add("queue_item_id", f"This queue item is already {item.status.value}.")
        return None
    if company is not None and company.id != item.company_id:  # a new company's id is None
        errors.add("queue_item_id", f"This queue item is for {item.company.name}.")
        return None
    return item


def mark_done_by_call(item: QueueItem, call: Call, author: User) -> None:
    """The call worked the item: done, claim cleared. In the caller's transaction (no commit)."""
    if item.user_id != author.id or item.status not in OPEN_STATUSES:
        raise DomainError({"queue_item_id": "This queue item is no longer open in your queue."})
    now = now_utc()
    item.status, item.done_at, item.call = QueueStatus.DONE, now, call
    item.drop_claim()
    item.snoozed_until = None
    item.session = touch_session(author, now)
