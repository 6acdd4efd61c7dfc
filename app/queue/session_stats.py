"""What a calling block achieved: dials, connects, names, time on the phone and between calls.

A block's window runs from its start to its end (or, while open, its last activity); its calls
are the user's calls started in that window. Two grouped queries serve one block or a period's
many: one over the blocks' calls, one over their queue items.

Connects here are the metrics page's: dials that reached the target (app.metrics.queries
.call_kinds). A gatekeeper's pick-up is NOT a connect (it is counted on its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.metrics.queries import call_kinds
from app.models import (
    Call,
    CallingSession,
    Outcome,
    Person,
    PersonRole,
    QueueItem,
    QueueReason,
    QueueStatus,
)


@dataclass
class SessionSummary:
    """One calling block's numbers."""

    session_id: int
    user_id: int
    started_at: datetime
    ended_at: datetime  # when it ended, or its last activity while open
    dials: int = 0
    connects: int = 0
    gatekeepers: int = 0  # calls answered by a gatekeeper, or with the outcome gatekeeper
    names_uncovered: int = 0  # people (not empty boxes) first written down on its calls
    boxes_filled: int = 0  # empty boxes its gap items aimed at that have a name now
    items_done: int = 0
    items_skipped: int = 0
    phone_seconds: int = 0  # the calls' durations added up

    @property
    def length_seconds(self) -> int:
        return max(int((self.ended_at - self.started_at).total_seconds()), 0)

    @property
    def between_seconds(self) -> int:
        """The block's time off the phone: its length minus the time on calls."""
        return max(self.length_seconds - self.phone_seconds, 0)

    @property
    def dials_per_hour(self) -> float | None:
        """None for a block under a minute long: any rate would be noise."""
        return self.dials * 3600 / self.length_seconds if self.length_seconds >= 60 else None


@dataclass
class SessionTotals:
    """Blocks added up, for a recruiter or the team."""

    sessions: int = 0
    dials: int = 0
    connects: int = 0
    gatekeepers: int = 0
    names: int = 0
    boxes_filled: int = 0
    phone_seconds: int = 0
    between_seconds: int = 0

    def add(self, one: SessionSummary) -> None:
        self.sessions += 1
        self.dials += one.dials
        self.connects += one.connects
        self.gatekeepers += one.gatekeepers
        self.names += one.names_uncovered
        self.boxes_filled += one.boxes_filled
        self.phone_seconds += one.phone_seconds
        self.between_seconds += one.between_seconds

    @property
    def between_per_dial(self) -> float | None:
        """Average time between calls: the blocks' time off the phone per dial."""
        return self.between_seconds / self.dials if self.dials else None


@dataclass
class PeriodSessions:
    """The blocks started in a period: per recruiter (user id) and for the team."""

    per_user: dict[int, SessionTotals] = field(default_factory=dict)
    team: SessionTotals = field(default_factory=SessionTotals)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _summaries(*where: ColumnElement[bool]) -> list[SessionSummary]:
    """The blocks matching `where`, oldest first, with their numbers (two grouped queries)."""
    end = func.coalesce(CallingSession.ended_at, CallingSession.last_activity_at)
    answered = aliased(Person)
    names = (select(func.count(Person.id))
             .where(Person.source_call_id == Call.id, Person.placeholder.is_(False))
             .correlate(Call).scalar_subquery())
    calls = (
        select(CallingSession.id.label("sid"), Call.id.label("cid"),
               _flag(call_kinds(answered)["connect"]).label("c"),
               _flag(or_(Call.outcome == Outcome.GATEKEEPER,
                         answered.role == PersonRole.GATEKEEPER)).label("g"),
               func.coalesce(Call.duration_seconds, 0).label("secs"), names.label("n"))
        .join(Call, and_(Call.user_id == CallingSession.user_id, Call.dialled(),
                         Call.started_at >= CallingSession.started_at, Call.started_at <= end))
        .outerjoin(answered, answered.id == Call.answered_by_id)
        .where(*where)
        .cte("block_calls")
    )
    rows = db.session.execute(
        select(CallingSession.id, CallingSession.user_id, CallingSession.started_at, end,
               func.count(calls.c.cid), func.sum(calls.c.c), func.sum(calls.c.g),
               func.sum(calls.c.n), func.sum(calls.c.secs))
        .outerjoin(calls, calls.c.sid == CallingSession.id)
        .where(*where)
        .group_by(CallingSession.id)
        .order_by(CallingSession.started_at, CallingSession.id)
    ).all()
    found = {
        sid: SessionSummary(sid, uid, started, ended, dials, c or 0, g or 0, n or 0,
                            phone_seconds=secs or 0)
        for sid, uid, started, ended, dials, c, g, n, secs in rows
    }
    if not found:
        return []
    box = aliased(Person)
    filled = case((and_(QueueItem.reason == QueueReason.GAP, box.placeholder.is_(False)),
                   QueueItem.box_id))
    items = db.session.execute(
        select(QueueItem.session_id, func.sum(_flag(QueueItem.status == QueueStatus.DONE)),
               func.sum(_flag(QueueItem.status == QueueStatus.SKIPPED)),
               func.count(filled.distinct()))
        .join(CallingSession, CallingSession.id == QueueItem.session_id)
        .outerjoin(box, box.id == QueueItem.box_id)
        .where(*where)
        .group_by(QueueItem.session_id)
    )
    for sid, done, skipped, boxes in items:
        summary = found[sid]
        summary.items_done, summary.items_skipped, summary.boxes_filled = (
            done or 0, skipped or 0, boxes or 0)
    return list(found.values())


def session_summary(session: CallingSession) -> SessionSummary:
    """One block's numbers, from its start to its end (or last activity while open)."""
    (summary,) = _summaries(CallingSession.id == session.id)
    return summary


def sessions_between(start: datetime, end: datetime,
                     user_ids: Iterable[int] | None = None) -> PeriodSessions:
    """Blocks started in [start, end), per recruiter and for the team; user_ids None = all."""
    where = [CallingSession.started_at >= start, CallingSession.started_at < end]
    if user_ids is not None:
        where.append(CallingSession.user_id.in_(list(user_ids)))
    out = PeriodSessions()
    for one in _summaries(*where):
        out.per_user.setdefault(one.user_id, SessionTotals()).add(one)
        out.team.add(one)
    return out
