"""Answer rate by caller ID: which of the pool's numbers people still pick up.

Carriers label numbers that dial a lot as "spam likely", and from then on few people answer
them. A number's rate over the period hides a recent fall, so the last 7 days are shown beside
it, and a number is flagged when its last 7 days are improbably poor for the pool's rate: if
every call had the pool's chance of being answered, at most that many answers would happen
less than one time in 20 (a one-sided binomial test). A fixed "half the average" rule would cry
wolf on a number with 5 calls and miss one with 200 at a third less; the test needs about 40
recent calls at an 8% rate before "no answer at all" counts as a signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import comb

from sqlalchemy import and_, case, func, select

from app.extensions import db
from app.metrics.filters import MetricsFilter
from app.models import Call, Direction, Outcome

ANSWERED = [o for o in Outcome if o.is_connect]  # a pick-up is a pick-up: gatekeepers count
REACHED = [o for o in Outcome if o.reached_the_target]
RECENT_DAYS = 7
SIGNIFICANCE = 0.05


def _rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (no calls: no rate, not 0%)."""
    return part / whole if whole else None


@dataclass
class CallerIdNumbers:
    """One caller ID's outbound calls with an outcome, in the period and its last 7 days."""

    caller_id: str
    calls: int
    answered: int
    reached: int
    last_call: datetime | None
    recent_calls: int
    recent_answered: int
    flagged: bool = False

    @property
    def answer_rate(self) -> float | None:
        return _rate(self.answered, self.calls)

    @property
    def reach_rate(self) -> float | None:
        return _rate(self.reached, self.calls)

    @property
    def recent_rate(self) -> float | None:
        return _rate(self.recent_answered, self.recent_calls)


@dataclass
class CallerIdTable:
    rows: list[CallerIdNumbers]
    calls: int = 0
    answered: int = 0
    reached: int = 0
    recent_from: datetime | None = None

    @property
    def answer_rate(self) -> float | None:
        return _rate(self.answered, self.calls)

    @property
    def reach_rate(self) -> float | None:
        return _rate(self.reached, self.calls)


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def binomial_at_most(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def improbably_low(answered: int, calls: int, rate: float | None) -> bool:
    """Would the pool's rate give this few answers in this many calls less than 1 time in 20?"""
    if not calls or not rate:
        return False
    return binomial_at_most(answered, calls, rate) < SIGNIFICANCE


def answer_rate_by_caller_id(flt: MetricsFilter) -> CallerIdTable:
    """Per caller ID: calls, answered, reached the target, last call, and the last 7 days."""
    recent_from = max(flt.start, flt.midnight(flt.last - timedelta(days=RECENT_DAYS - 1)))
    recent = Call.started_at >= recent_from
    query = (
        select(
            Call.caller_id,
            func.count(),
            _flag(Call.outcome.in_(ANSWERED)),
            _flag(Call.outcome.in_(REACHED)),
            func.max(Call.started_at),
            _flag(recent),
            _flag(and_(recent, Call.outcome.in_(ANSWERED))),
        )
        .where(
            Call.direction == Direction.OUTBOUND,
            Call.caller_id.is_not(None),
            Call.outcome.is_not(None),
            Call.started_at >= flt.start,
            Call.started_at < flt.end,
        )
        .group_by(Call.caller_id)
    )
    if flt.user_id:
        query = query.where(Call.user_id == flt.user_id)
    rows = [
        CallerIdNumbers(caller_id, calls, answered or 0, reached or 0, last, recent_calls or 0,
                        recent_answered or 0)
        for caller_id, calls, answered, reached, last, recent_calls, recent_answered
        in db.session.execute(query)
    ]
    rows.sort(key=lambda r: (-r.calls, r.caller_id))
    table = CallerIdTable(rows, sum(r.calls for r in rows), sum(r.answered for r in rows),
                          sum(r.reached for r in rows), recent_from)
    for row in rows:
        row.flagged = improbably_low(row.recent_answered, row.recent_calls, table.answer_rate)
    return table
