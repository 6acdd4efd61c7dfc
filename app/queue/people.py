"""Queue items follow their person through a merge, and go with them when they are erased.

Called inside the merge's (or erasure's) transaction, after its locks; no commit here. Plain SQL
on purpose: SQLite runs without foreign-key enforcement, so ON DELETE CASCADE cannot be relied on.
"""

from sqlalchemy import delete, exists, update
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import OPEN_STATUSES, QueueItem, QueueStatus


def move_queue_items(old_id: int, new_id: int) -> None:
    """Items of a merged-away person go to the survivor; one open item per user stays, one claim."""
    other = aliased(QueueItem)
    open_statuses = list(OPEN_STATUSES)
    # The survivor is already open in that user's queue: the duplicate's item is redundant.
    db.session.execute(delete(QueueItem).where(
        QueueItem.person_id == old_id, QueueItem.status.in_(open_statuses),
        exists().where(other.person_id == new_id, other.user_id == QueueItem.user_id,
                       other.status.in_(open_statuses)))
        .execution_options(synchronize_session=False))
    # Someone holds the survivor: the duplicate's claim would be a second hold on one person.
    db.session.execute(update(QueueItem).where(
        QueueItem.person_id == old_id, QueueItem.status == QueueStatus.CLAIMED,
        exists().where(other.person_id == new_id, other.status == QueueStatus.CLAIMED))
        .values(status=QueueStatus.PENDING, claimed_by_id=None, claimed_at=None,
                claimed_until=None)
        .execution_options(synchronize_session=False))
    key = f"person:{new_id}"
    db.session.execute(update(QueueItem).where(QueueItem.person_id == old_id)
                       .values(person_id=new_id, line_key=key, item_key=key)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(QueueItem).where(QueueItem.box_id == old_id)
                       .values(box_id=new_id).execution_options(synchronize_session=False))


def drop_queue_items(person_id: int) -> None:
    """An erased person leaves no queue item behind, nor a mention as an item's empty box."""
    db.session.execute(delete(QueueItem).where(QueueItem.person_id == person_id)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(QueueItem).where(QueueItem.box_id == person_id)
                       .values(box_id=None).execution_options(synchronize_session=False))
