"""The calling queue: who to call next, who holds them, and the calling blocks worked from it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum

if TYPE_CHECKING:
    from app.models.call import Call
    from app.models.company import Company
    from app.models.person import Person
    from app.models.search import SavedSearch
    from app.models.user import User



class QueueReason(enum.StrEnum):
    """Why an item is queued; the order here is its priority (a due follow-up first)."""

    FOLLOW_UP = "follow_up"
    MANUAL = "manual"
    GAP = "gap"
    SEARCH = "search"

    @property
    def priority(self) -> int:
        return list(QueueReason).index(self)

    @property
    def label(self) -> str:
        return {"follow_up": "Follow-up due", "manual": "Picked by hand", "gap": "Org-chart gap",
                "search": "Saved search"}[self.value]


class QueueStatus(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DONE = "done"
    SKIPPED = "skipped"
    SNOOZED = "snoozed"


# Statuses of an item still to be worked: a second one for the same target is refused.
OPEN_STATUSES = (QueueStatus.PENDING, QueueStatus.CLAIMED, QueueStatus.SNOOZED)
_OPEN_SQL = "status IN ('pending', 'claimed', 'snoozed')"


class QueueItem(db.Model):
    """A person to reach, or a company's main line with someone to ask for, in one user's queue.

    `line_key` names what a claim holds ("person:12" or "line:7", the main line whoever is asked
    for); `item_key` adds the "ask for" so one line can be queued for several missing people.
    Both invariants live in partial unique indexes, where concurrent requests cannot get past them:
    one open item per target per user, and one live claim per person or line across the team.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"),
                                            index=True)
    # None: the company's main line, asking for `ask_for`.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                                  index=True)
    ask_for: Mapped[str | None] = mapped_column(String(200))
    line_key: Mapped[str] = mapped_column(String(40))
    item_key: Mapped[str] = mapped_column(String(260))
    reason: Mapped[QueueReason] = mapped_column(slug_enum(QueueReason))
    status: Mapped[QueueStatus] = mapped_column(slug_enum(QueueStatus), default=QueueStatus.PENDING)
    # Why this target, in words ("Empty box: VP Engineering; Dana Ortiz is their peer").
    why: Mapped[str | None] = mapped_column(String(500))
    next_step: Mapped[str | None] = mapped_column(String(500))
    # The call whose follow-up this item carries out, the saved search it came from, the empty
    # box it is meant to fill.
    source_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="SET NULL"), index=True)
    saved_search_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_search.id", ondelete="SET NULL"))
    box_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skip_reason: Mapped[str | None] = mapped_column(String(300))
    # The call that worked this item, and the calling block it was taken in.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"),
                                                index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("calling_session.id", ondelete="SET NULL"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    company: Mapped[Company] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    box: Mapped[Person | None] = relationship(foreign_keys=[box_id])
    source_call: Mapped[Call | None] = relationship(foreign_keys=[source_call_id])
    call: Mapped[Call | None] = relationship(foreign_keys=[call_id])
    saved_search: Mapped[SavedSearch | None] = relationship()
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    session: Mapped[CallingSession | None] = relationship(back_populates="items")

    __table_args__ = (
        Index("uq_queue_item_open", "user_id", "item_key", unique=True,
              postgresql_where=text(_OPEN_SQL), sqlite_where=text(_OPEN_SQL)),
        Index("uq_queue_item_claim", "line_key", unique=True,
              postgresql_where=text("status = 'claimed'"),
              sqlite_where=text("status = 'claimed'")),
        Index("ix_queue_item_user_status", "user_id", "status"),
    )

    def drop_claim(self) -> None:
        """Nobody holds this item any more (it left the claimed status)."""
        self.claimed_by_id = self.claimed_at = self.claimed_until = None

    def __repr__(self) -> str:
        return f"<QueueItem {self.id} {self.item_key} {self.status}>"


class CallingSession(db.Model):
    """A calling block: from the first item taken until it is ended or left idle."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Set when ended by hand; an idle block is over once last_activity_at is old enough.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    items: Mapped[list[QueueItem]] = relationship(back_populates="session")

    # One open block per user: two requests starting a block at once cannot both insert one.
    # (A block left idle is closed, ended_at = its last activity, when the next one starts.)
    __table_args__ = (
        Index("uq_calling_session_open", "user_id", unique=True,
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
    )


class PhoneTreeStep(db.Model):
    """One step through a company's phone menu: keys to send, then how long to wait."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int]
    # DTMF as the Voice SDK's sendDigits takes it: 0-9 * # and "w" (a half-second pause).
    digits: Mapped[str] = mapped_column(String(32))
    wait_seconds: Mapped[int] = mapped_column(default=0)
    label: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("company_id", "position"),)
