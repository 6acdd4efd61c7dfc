"""Storing queue items: one open item per target per user, held by a partial unique index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models import OPEN_STATUSES, Company, Person, QueueItem, QueueReason, QueueStatus, User
from app.queue.targets import item_key, line_key

OPEN_INDEX = "uq_queue_item_open"


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def new_item(user: User, company: Company, person: Person | None, ask_for: str | None,
             reason: QueueReason, **extra: Any) -> QueueItem:
    """An unsaved item for this target (keys computed here, texts clipped to their columns)."""
    return QueueItem(
        user_id=user.id, company_id=company.id, person_id=person.id if person else None,
        ask_for=_clip(ask_for, 200), line_key=line_key(company.id, person.id if person else None),
        item_key=item_key(company.id, person.id if person else None, ask_for), reason=reason,
        status=QueueStatus.PENDING, why=_clip(extra.get("why"), 500),
        next_step=_clip(extra.get("next_step"), 500),
        source_call_id=extra["source_call"].id if extra.get("source_call") else None,
        saved_search_id=extra["saved_search"].id if extra.get("saved_search") else None,
        box_id=extra["box"].id if extra.get("box") else None,
    )


def open_item(user: User, key: str) -> QueueItem | None:
    """The user's open item for this target key, if any."""
    return db.session.scalars(select(QueueItem).where(
        QueueItem.user_id == user.id, QueueItem.item_key == key,
        QueueItem.status.in_(OPEN_STATUSES))).first()


def insert_item(item: QueueItem) -> tuple[QueueItem, bool]:
    """Store the item in a savepoint; the open item already there if the index refuses it.

    The unique index decides a race between two adds of one target (no look before the write).
    """
    try:
        with db.session.begin_nested():
            db.session.add(item)
            db.session.flush()
    except IntegrityError as exc:
        message = str(exc.orig)
        if OPEN_INDEX not in message and "queue_item.item_key" not in message:
            raise
        existing = open_item(db.session.get(User, item.user_id), item.item_key)
        if existing is None:  # closed again in between: the caller may try once more
            raise DomainError({"_": "This target changed meanwhile; try again."}) from None
        return existing, False
    return item, True


