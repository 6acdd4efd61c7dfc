"""Taking the next item: one claim per person or main line across the team, held by the database.

A claim is the status "claimed" on one item; the partial unique index uq_queue_item_claim allows
one per line_key. Two recruiters taking next at the same moment both try to claim inside a
SAVEPOINT; the index lets one through and the other learns it from an IntegrityError and moves
on to its next candidate. One recruiter's own takes (a double click) are serialised by a lock on
their user row, so they never end up holding two items.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.models import QueueItem, QueueStatus, User, now_utc
from app.queue.order import is_live, line_holders, ordered_rows, pending_rows
from app.queue.sessions import touch_session
from app.queue.targets import check_target

CLAIM_INDEX = "uq_queue_item_claim"
NO_CLAIM = {"claimed_by_id": None, "claimed_at": None, "claimed_until": None}


def claim_minutes() -> int:
    return max(1, int(current_app.config["QUEUE_CLAIM_MINUTES"]))


def lock_queue(user: User) -> None:
    """Serialise this user's takes until commit (before the transaction's first write).

    PostgreSQL: the user row FOR NO KEY UPDATE (inserts referencing the user are not held up).
    SQLite: a no-op UPDATE takes the single write lock, so every read after it is current.
    """
    with db.session.no_autoflush:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(select(User.id).where(User.id == user.id)
                               .with_for_update(key_share=True))
        else:
            db.session.execute(text('UPDATE "user" SET id = id WHERE id = :id'), {"id": user.id})


def _is_claim_clash(exc: IntegrityError) -> bool:
    # PostgreSQL names the index; SQLite names its column.
    message = str(exc.orig)
    return CLAIM_INDEX in message or "queue_item.line_key" in message


def _release_own_claims(user: User, now: datetime) -> set[int]:
    """The user's claims go back to pending (no commit); returns their ids."""
    held = set(db.session.scalars(select(QueueItem.id).where(
        QueueItem.user_id == user.id, QueueItem.status == QueueStatus.CLAIMED)))
    if held:
        db.session.execute(
            update(QueueItem).where(QueueItem.id.in_(held))
            .values(status=QueueStatus.PENDING, updated_at=now, **NO_CLAIM)
            .execution_options(synchronize_session=False))
    return held


def wake_snoozed(user: User, now: datetime) -> None:
    """Snoozed items whose time has come are pending again. No commit."""
    db.session.execute(
        update(QueueItem).where(QueueItem.user_id == user.id,
                                QueueItem.status == QueueStatus.SNOOZED,
                                QueueItem.snoozed_until <= now)
        .values(status=QueueStatus.PENDING, snoozed_until=None, updated_at=now)
        .execution_options(synchronize_session=False))


def _claim(item: QueueItem, user: User, now: datetime, expired_holder: int | None) -> bool:
    """Claim the item in a savepoint (taking the line over from an expired claim); False if lost."""
    until = now + timedelta(minutes=claim_minutes())
    try:
        with db.session.begin_nested():
            if expired_holder is not None:
                db.session.execute(
                    update(QueueItem).where(QueueItem.id == expired_holder,
                                            QueueItem.status == QueueStatus.CLAIMED,
                                            QueueItem.claimed_until <= now)
                    .values(status=QueueStatus.PENDING, updated_at=now, **NO_CLAIM)
                    .execution_options(synchronize_session=False))
            claimed = db.session.execute(
                update(QueueItem).where(QueueItem.id == item.id,
                                        QueueItem.status == QueueStatus.PENDING)
                .values(status=QueueStatus.CLAIMED, claimed_by_id=user.id, claimed_at=now,
                        claimed_until=until, updated_at=now)
                .execution_options(synchronize_session=False)).rowcount
    except IntegrityError as exc:
        if not _is_claim_clash(exc):
            raise
        return False
    return claimed == 1


def take_next(user: User, now: datetime | None = None) -> QueueItem | None:
    """Claim the user's most useful item that can be called now, in one transaction (commits).

    First the user's own claims on which no call was logged go back to pending (and are not
    offered again by this call), and snoozed
    items whose time has come wake. An item whose target may no longer be called is skipped
    for good (with the reason); one whose line a teammate holds is passed over. None when
    nothing can be claimed.
    """
    now = now or now_utc()
    lock_queue(user)
    # Asking for next while holding an item means "not this one now": it waits in the queue
    # (pending) while another is offered, and comes round again on a later next.
    put_back = _release_own_claims(user, now)
    wake_snoozed(user, now)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, QueueItem):
            db.session.expire(obj)  # the bulk updates above bypassed the loaded items
    rows = ordered_rows(pending_rows(user), now)
    holders = line_holders(row.line_key for row in rows)
    for row in rows:
        if row.id in put_back:
            continue
        holder = holders.get(row.line_key)
        if holder is not None and holder.user_id != user.id and is_live(holder, now):
            continue  # a teammate is on this line; their claim says who
        item = db.session.get(QueueItem, row.id)
        reach = check_target(item.company, item.person)
        if not reach.callable:
            item.status, item.skip_reason = QueueStatus.SKIPPED, (reach.refusal or "")[:300]
            db.session.flush()
            continue
        if _claim(item, user, now, holder.item_id if holder is not None else None):
            db.session.refresh(item)
            item.session = touch_session(user, now)
            db.session.commit()
            return item
    db.session.commit()
    return None


def current_item(user: User) -> QueueItem | None:
    """The item the user holds now (the one being worked), if any."""
    return db.session.scalars(select(QueueItem).where(
        QueueItem.user_id == user.id, QueueItem.status == QueueStatus.CLAIMED)
        .order_by(QueueItem.claimed_at.desc()).limit(1)).first()


def own_item(user: User, item: QueueItem) -> QueueItem:
    """The item, if it is in this user's queue; only its owner works it."""
    if item.user_id != user.id:
        raise PermissionDenied("This item is in someone else's queue.")
    return item


def release_item(user: User, item: QueueItem) -> QueueItem:
    """Put a claimed, snoozed or skipped item back to pending (commits)."""
    own_item(user, item)
    if item.status == QueueStatus.DONE:
        raise DomainError({"status": "A call was logged on this item: it is done."})
    if item.status != QueueStatus.PENDING:
        item.status = QueueStatus.PENDING
        item.drop_claim()
        item.snoozed_until = item.skip_reason = None
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise DomainError({"status": "This target is already in your queue again."}) from None
    return item


def extend_claim(user: User, item: QueueItem, now: datetime | None = None) -> QueueItem:
    """Hold the claimed item for another QUEUE_CLAIM_MINUTES from now (commits)."""
    own_item(user, item)
    now = now or now_utc()
    if item.status != QueueStatus.CLAIMED:
        raise DomainError({"status": "Only an item you hold can be held longer; take it again."})
    item.claimed_until = now + timedelta(minutes=claim_minutes())
    db.session.commit()
    return item
