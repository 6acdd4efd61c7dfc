"""The queue's order and what a recruiter sees per item, computed over one user's items at once.

Order: inside the company's calling hours now first, then reason priority (a due follow-up
first), then the longest since the last attempt (never called first), then age. A queue is
hundreds of items, not millions, so the order is computed in Python, over rows read in a fixed
number of queries (no query per item). Taking next orders plain rows (`pending_rows`), not
loaded items: building hundreds of ORM objects would cost more than the queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import OPEN_STATUSES, Call, Company, QueueItem, QueueReason, QueueStatus, User
from app.queue.targets import (
    bad_numbers,
    dial_number,
    local_now,
    numbers_of,
    quick_refusal,
    within_calling_hours,
)
from app.telephony.rules import inside_calling_hours

# At most this many items in one listing (open ones first); `total` still counts them all.
LIST_LIMIT = 500
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class ItemFacts:
    """What the order and the screen need about an item, now."""

    dial_number: str | None
    local_time: datetime
    within_hours: bool
    last_attempt: datetime | None
    holder_id: int | None = None  # who holds the item's line (this user or a teammate)
    holder_name: str | None = None
    holder_until: datetime | None = None


@dataclass
class Holder:
    item_id: int
    user_id: int
    user_name: str
    until: datetime | None


@dataclass
class Row:
    """The columns of a pending item that its place in the queue depends on."""

    id: int
    reason: QueueReason
    created_at: datetime
    line_key: str
    person_id: int | None
    company_id: int
    timezone: str | None


def load_items(user: User, statuses: Iterable[QueueStatus], limit: int | None = None
               ) -> list[QueueItem]:
    """The user's items in these statuses, with company, person and claimer loaded."""
    query = (select(QueueItem)
             .where(QueueItem.user_id == user.id, QueueItem.status.in_(list(statuses)))
             .options(selectinload(QueueItem.company), selectinload(QueueItem.person),
                      selectinload(QueueItem.claimed_by)))
    # Open items are all read (they are ordered in Python); closed ones newest first.
    open_first = case((QueueItem.status.in_(OPEN_STATUSES), 0), else_=1)
    query = query.order_by(open_first, QueueItem.updated_at.desc(), QueueItem.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def pending_rows(user: User) -> list[Row]:
    """The user's pending items as plain rows (one query, no ORM objects)."""
    query = (select(QueueItem.id, QueueItem.reason, QueueItem.created_at, QueueItem.line_key,
                    QueueItem.person_id, QueueItem.company_id, Company.timezone)
             .join(Company, Company.id == QueueItem.company_id)
             .where(QueueItem.user_id == user.id, QueueItem.status == QueueStatus.PENDING))
    return [Row(*row) for row in db.session.execute(query)]


def last_attempts(person_ids: Iterable[int], company_ids: Iterable[int]) -> dict[str, datetime]:
    """line_key -> the latest call to it: to the person, or to the company with no person."""
    person_ids, company_ids = sorted(set(person_ids)), sorted(set(company_ids))
    found: dict[str, datetime] = {}
    if person_ids:
        rows = db.session.execute(select(Call.person_id, func.max(Call.started_at))
                                  .where(Call.person_id.in_(person_ids))
                                  .group_by(Call.person_id))
        found.update({f"person:{pid}": _aware(at) for pid, at in rows})
    if company_ids:
        # One max() per company through ix_call_line_started_at: grouped over an IN list,
        # SQLite's planner walked every call without a person instead (~110 ms at team-year
        # scale, against ~2 ms).
        latest = (select(func.max(Call.started_at))
                  .where(Call.company_id == Company.id, Call.person_id.is_(None))
                  .correlate(Company).scalar_subquery())
        rows = db.session.execute(select(Company.id, latest).where(Company.id.in_(company_ids)))
        found.update({f"line:{cid}": _aware(at) for cid, at in rows if at is not None})
    return found


def _aware(value: datetime | str) -> datetime:
    # max() may come back without the column type's conversion: SQLite hands back naive text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def line_holders(line_keys: Iterable[str]) -> dict[str, Holder]:
    """line_key -> its claim across the team (live or expired; the caller decides)."""
    keys = sorted(set(line_keys))
    if not keys:
        return {}
    rows = db.session.execute(
        select(QueueItem.id, QueueItem.line_key, QueueItem.user_id, User.name,
               QueueItem.claimed_until)
        .join(User, User.id == QueueItem.user_id)
        .where(QueueItem.status == QueueStatus.CLAIMED, QueueItem.line_key.in_(keys)))
    return {key: Holder(item_id, user_id, name, until)
            for item_id, key, user_id, name, until in rows}


def is_live(holder: Holder, now: datetime) -> bool:
    return holder.until is not None and holder.until > now


def _attempts_of(items) -> dict[str, datetime]:
    return last_attempts((i.person_id for i in items if i.person_id is not None),
                         (i.company_id for i in items if i.person_id is None))


def item_facts(items: list[QueueItem], user: User, now: datetime,
               holders: dict[str, Holder] | None = None) -> dict[int, ItemFacts]:
    """Facts per item id: dial number, local time, calling hours, last attempt, line holder."""
    bad = bad_numbers(n for i in items for n in numbers_of(i.company, i.person))
    attempts = _attempts_of(items)
    if holders is None:
        holders = line_holders(i.line_key for i in items)
    facts: dict[int, ItemFacts] = {}
    for item in items:
        fact = ItemFacts(dial_number=dial_number(item.company, item.person, bad),
                         local_time=local_now(item.company, now),
                         within_hours=within_calling_hours(item.company, now),
                         last_attempt=attempts.get(item.line_key))
        holder = holders.get(item.line_key)
        # Our own claim is shown even when its time ran out (nobody took the line over yet);
        # a teammate's only while it lasts.
        if holder is not None and (holder.user_id == user.id or is_live(holder, now)):
            fact.holder_id, fact.holder_name = holder.user_id, holder.user_name
            fact.holder_until = holder.until
        facts[item.id] = fact
    return facts


def sort_key(reason: QueueReason, within_hours: bool, last_attempt: datetime | None,
             created_at: datetime, ident: int) -> tuple:
    """Inside calling hours first, then priority, then longest since the last attempt."""
    return (not within_hours, reason.priority, last_attempt or NEVER, created_at, ident)


def ordered(items: list[QueueItem], facts: dict[int, ItemFacts]) -> list[QueueItem]:
    """Open items in queue order, then the closed ones as loaded (newest first)."""
    open_items = [i for i in items if i.status in OPEN_STATUSES]
    closed = [i for i in items if i.status not in OPEN_STATUSES]
    return sorted(open_items, key=lambda i: sort_key(
        i.reason, facts[i.id].within_hours, facts[i.id].last_attempt, i.created_at, i.id)
    ) + closed


def ordered_rows(rows: list[Row], now: datetime) -> list[Row]:
    """Pending rows in the order take_next tries them."""
    attempts = _attempts_of(rows)
    inside: dict[str | None, bool] = {}  # per time zone: one conversion each
    for row in rows:
        if row.timezone not in inside:
            inside[row.timezone] = inside_calling_hours(row.timezone, now)
    return sorted(rows, key=lambda r: sort_key(r.reason, inside[r.timezone],
                                               attempts.get(r.line_key), r.created_at, r.id))


def queue_listing(user: User, statuses: Iterable[QueueStatus], now: datetime | None = None
                  ) -> tuple[list[QueueItem], dict[int, ItemFacts], int]:
    """The user's items in these statuses in queue order, their facts, and how many match.

    Pending and claimed items whose target may no longer be called (marked do-not-call, left,
    off limits since it was queued) are left out: the next `take_next` skips them for good.
    """
    now = now or datetime.now(UTC)
    statuses = list(statuses)
    total = db.session.scalar(select(func.count(QueueItem.id)).where(
        QueueItem.user_id == user.id, QueueItem.status.in_(statuses))) or 0
    items = load_items(user, statuses, limit=LIST_LIMIT)
    hidden = [i for i in items if i.status in (QueueStatus.PENDING, QueueStatus.CLAIMED)
              and quick_refusal(i.company, i.person)]
    items = [i for i in items if i not in hidden]
    facts = item_facts(items, user, now)
    return ordered(items, facts), facts, total - len(hidden)


def queue_items(user: User, statuses: Iterable[QueueStatus], now: datetime | None = None
                ) -> list[QueueItem]:
    """The user's items in these statuses, in queue order (see queue_listing)."""
    return queue_listing(user, statuses, now)[0]
