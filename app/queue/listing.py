"""The calling screen's list of the queue: what `next` will take, in its order, and what sleeps.

The order is take_next's own (app.queue.order.ordered_rows over plain rows), so the list never
disagrees with the key; only the first SHOWN items are loaded as objects, whatever the queue's
size, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import QueueItem, QueueStatus, User
from app.queue.order import is_live, line_holders, ordered_rows, pending_rows
from app.queue.targets import local_now, quick_refusal, within_calling_hours

SHOWN = 50


@dataclass
class Listed:
    """One waiting item as the list shows it."""

    item: QueueItem
    local_time: datetime  # now at the company
    within_hours: bool
    held_by: str | None  # the teammate holding its line right now, if any


@dataclass
class QueueView:
    pending: list[Listed]  # in the order next takes them, at most SHOWN
    pending_total: int
    snoozed: list[QueueItem]

    @property
    def waiting(self) -> list[Listed]:
        """Shown items `next` could take now (no teammate holds their line)."""
        return [entry for entry in self.pending if entry.held_by is None]


def _items(user: User, status: QueueStatus, ids: list[int] | None = None) -> list[QueueItem]:
    """The user's items in a status (only `ids`, if given), with company and person loaded."""
    query = (select(QueueItem).where(QueueItem.user_id == user.id, QueueItem.status == status)
             .options(selectinload(QueueItem.company), selectinload(QueueItem.person)))
    if ids is not None:
        query = query.where(QueueItem.id.in_(ids))
    return list(db.session.scalars(query.order_by(QueueItem.id).limit(SHOWN + 10)))


def queue_view(user: User, now: datetime) -> QueueView:
    """The user's pending items in take order (the first SHOWN) and their snoozed ones."""
    rows = ordered_rows(pending_rows(user), now)
    # A few spare ids: a target marked do-not-call since it was queued is left out of the list.
    ids = [row.id for row in rows[:SHOWN + 10]]
    loaded = {i.id: i for i in _items(user, QueueStatus.PENDING, ids)} if ids else {}
    shown = [loaded[i] for i in ids if i in loaded
             and quick_refusal(loaded[i].company, loaded[i].person) is None][:SHOWN]
    holders = line_holders(item.line_key for item in shown)
    pending = []
    for item in shown:
        holder = holders.get(item.line_key)
        teammate = holder.user_name if holder is not None and holder.user_id != user.id and (
            is_live(holder, now)) else None
        pending.append(Listed(item=item, local_time=local_now(item.company, now),
                              within_hours=within_calling_hours(item.company, now),
                              held_by=teammate))
    snoozed = sorted(_items(user, QueueStatus.SNOOZED),
                     key=lambda i: (i.snoozed_until is None, i.snoozed_until or now))
    return QueueView(pending=pending, pending_total=len(rows), snoozed=snoozed)


def teammates_calling(user: User, now: datetime, limit: int = 20) -> list[QueueItem]:
    """Targets teammates hold right now (live claims), newest first: who is on which line."""
    return list(db.session.scalars(
        select(QueueItem).where(QueueItem.status == QueueStatus.CLAIMED,
                                QueueItem.user_id != user.id, QueueItem.claimed_until > now)
        .options(selectinload(QueueItem.user), selectinload(QueueItem.person),
                 selectinload(QueueItem.company))
        .order_by(QueueItem.claimed_at.desc()).limit(limit)))
