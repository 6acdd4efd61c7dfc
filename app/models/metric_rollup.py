"""Roll-ups behind the metrics page: counts per recruiter and UTC quarter hour.

Every real time zone's local midnight falls on a quarter hour (UTC offsets are whole quarter
hours today), so any local day or week is a whole number of 15-minute slots and the page can sum
slots instead of reading a period's calls. app/metrics/rollup.py keeps these rows exact inside
every writing transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

SLOT = timedelta(minutes=15)
# Slots count from year 1, so every storable time has a slot >= 0 and integer division floors.
SLOT_ORIGIN = datetime(1, 1, 1, tzinfo=UTC)
SLOT_ORIGIN_EPOCH = -62135596800  # SLOT_ORIGIN as Unix seconds
SLOT_SECONDS = 900


def slot_of(moment: datetime) -> int:
    """The quarter hour (counted from year 1, UTC) that contains moment."""
    return (moment - SLOT_ORIGIN) // SLOT


def slot_start(slot: int) -> datetime:
    return SLOT_ORIGIN + slot * SLOT


def on_slot_boundary(moment: datetime) -> bool:
    return slot_start(slot_of(moment)) == moment


def _count() -> Mapped[int]:
    return mapped_column(default=0, server_default=text("0"))


class MetricSlot(db.Model):
    """One recruiter's additive numbers in one quarter hour (rows only where something happened).

    Dials and their kinds are keyed by the call's start, names by their source call's start
    (and author), touchpoints by when they happened. The flags follow queries.call_kinds.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dials: Mapped[int] = _count()
    connects: Mapped[int] = _count()
    gatekeepers: Mapped[int] = _count()
    voicemails: Mapped[int] = _count()
    put_throughs: Mapped[int] = _count()
    gatekeeper_pickups: Mapped[int] = _count()
    # Names uncovered, one column per PersonStatus (the period funnel needs their statuses).
    names_uncovered: Mapped[int] = _count()
    names_verified: Mapped[int] = _count()
    names_contacted: Mapped[int] = _count()
    names_candidate: Mapped[int] = _count()
    names_not_interested: Mapped[int] = _count()
    names_do_not_call: Mapped[int] = _count()
    # Touchpoints, one column per TouchpointKind.
    touch_email: Mapped[int] = _count()
    touch_linkedin: Mapped[int] = _count()
    touch_meeting: Mapped[int] = _count()

    # The team view reads a range of slots for every recruiter.
    __table_args__ = (Index("ix_metric_slot_slot", "slot"),)


class MetricCompanySlot(db.Model):
    """Dials per recruiter, quarter hour and company, chained per company so that distinct
    companies count without DISTINCT: a row is a company's first in a bucket (for its recruiter,
    or for the team) when the row before it in that chain lies in an earlier bucket. Then every
    distinct count is a sum of row-local flags, one pass over the period's rows."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), primary_key=True)
    dials: Mapped[int] = _count()
    # The slot of this recruiter's previous row for the company (None: their first).
    prev_user_slot: Mapped[int | None]
    # The slot of the company's previous row in (slot, user_id) order, whoever dialled (None:
    # the company's first): two recruiters in one slot count the company once for the team.
    prev_team_slot: Mapped[int | None]

    __table_args__ = (
        # The team view and one recruiter's, from the index alone; and a company's chain.
        Index("ix_metric_company_slot_slot", "slot", "user_id", "prev_user_slot",
              "prev_team_slot"),
        Index("ix_metric_company_slot_user", "user_id", "slot", "prev_user_slot"),
        Index("ix_metric_company_slot_company", "company_id", "slot", "user_id"),
    )
