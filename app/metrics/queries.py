"""The GROUP BY queries behind the metrics page: each scans its rows once in the database.

Times are bucketed into the viewer's local days without any database time-zone support: Python
computes each local midnight in UTC (DST included), and `rank()` turns a timestamp into "how many
midnights have passed" with a balanced tree of CASEs, which reads the same on SQLite and PostgreSQL
and costs about log2(days) comparisons per row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from app.extensions import db
from app.metrics.filters import MetricsFilter
from app.models import Call, Outcome, Person, PersonRole, Touchpoint

REACHED = [o for o in Outcome if o.reached_the_target]
Row = tuple[Any, ...]


def rank(col: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """The number of bounds at or before col (0..len(bounds)); bounds must be ascending."""

    def build(lo: int, hi: int) -> ColumnElement[int]:
        if lo == hi:
            return literal_column(str(lo), Integer)
        mid = (lo + hi) // 2
        return case((col < bounds[mid], build(lo, mid)), else_=build(mid + 1, hi))

    return build(0, len(bounds))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def call_kinds(answered: Any) -> dict[str, ColumnElement[bool]]:
    """SQL conditions sorting a dial by who it reached (answered: the Person aliased as the call's
    answered_by). The page's "How these are counted" says the same in words.

    connect: the outcome says the target was reached (connected, referral, not interested, call
    back later), except a call to no one in particular (a main line) that only a gatekeeper
    answered: a name from the receptionist is a gatekeeper pick-up, not a connect.
    put_through: a connect to a named target that someone else (a gatekeeper, a colleague)
    answered first and passed on.
    gatekeeper_pickup: a gatekeeper answered and the call did not reach the target (the outcome
    is gatekeeper, or the person recorded as answering is a gatekeeper other than the target).
    """
    someone_else = and_(Call.answered_by_id.is_not(None),
                        or_(Call.person_id.is_(None), Call.answered_by_id != Call.person_id))
    # IS NOT DISTINCT FROM (IS on SQLite): no answerer recorded must read false, not NULL, or
    # the negation below would drop a main-line connect with nobody recorded as answering.
    gatekeeper_answered = and_(someone_else,
                               answered.role.is_not_distinct_from(PersonRole.GATEKEEPER))
    connect = and_(Call.outcome.in_(REACHED),
                   ~and_(Call.person_id.is_(None), gatekeeper_answered))
    return {
        "connect": connect,
        "put_through": and_(connect, Call.person_id.is_not(None), someone_else),
        "gatekeeper_pickup": and_(~connect, or_(Call.outcome == Outcome.GATEKEEPER,
                                                gatekeeper_answered)),
        # Gatekeepers met: the outcome says so, or the one who answered is one (even the target).
        "gatekeeper": or_(Call.outcome == Outcome.GATEKEEPER,
                          answered.role == PersonRole.GATEKEEPER),
        "voicemail": Call.outcome == Outcome.VOICEMAIL,
    }


def _run(query: Select | CompoundSelect) -> Iterator[Row]:
    return iter(db.session.execute(query))


# Tags of the rows call_counts() returns, one UNION ALL branch each.
DAY, USER_BUCKET, USER, BUCKET, TOTAL = range(5)


def call_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(tag, user_id, day or bucket, dials or companies, connects, gatekeepers, voicemails,
    put-throughs, gatekeeper pick-ups).

    The period's calls are read once into a materialized CTE (on SQLite each read of the call
    table through the started_at index costs a random row lookup per call); the per-day counts
    and the four groupings of distinct companies (distinct counts do not add up) come from it.
    """
    answered = aliased(Person)
    kinds = call_kinds(answered)
    bucket_bounds = [b.start for b in flt.buckets()[1:]]
    scope = (
        select(
            Call.user_id.label("u"),
            (rank(Call.started_at, flt.day_bounds()) - 1).label("d"),
            rank(Call.started_at, bucket_bounds).label("b"),
            Call.company_id.label("co"),
            _flag(kinds["connect"]).label("c"),
            _flag(kinds["gatekeeper"]).label("g"),
            _flag(kinds["voicemail"]).label("v"),
            _flag(kinds["put_through"]).label("p"),
            _flag(kinds["gatekeeper_pickup"]).label("k"),
        )
        .outerjoin(answered, answered.id == Call.answered_by_id)
        .where(Call.started_at >= flt.start, Call.started_at < flt.end, Call.dialled())
    )
    if flt.user_id:
        scope = scope.where(Call.user_id == flt.user_id)
    cte = scope.cte("scope").prefix_with("MATERIALIZED")
    none, zero = literal_column("-1", Integer), literal_column("0", Integer)
    companies = func.count(cte.c.co.distinct())

    def tag(n: int) -> ColumnElement[int]:
        return literal_column(str(n), Integer)

    def distinct_by(n: int, user: bool, bucket: bool) -> Select:
        keys = [k for k, on in ((cte.c.u, user), (cte.c.b, bucket)) if on]
        cols = [cte.c.u if user else none, cte.c.b if bucket else none]
        return select(tag(n), *cols, companies, zero, zero, zero, zero, zero).group_by(*keys)

    days = select(
        tag(DAY),
        cte.c.u,
        cte.c.d,
        func.count(),
        func.sum(cte.c.c),
        func.sum(cte.c.g),
        func.sum(cte.c.v),
        func.sum(cte.c.p),
        func.sum(cte.c.k),
    ).group_by(cte.c.u, cte.c.d)
    parts = [days, distinct_by(USER_BUCKET, True, True), distinct_by(USER, True, False)]
    if not flt.user_id:  # filtered to one recruiter, the team's distinct counts are theirs
        parts += [distinct_by(BUCKET, False, True), distinct_by(TOTAL, False, False)]
    return _run(union_all(*parts))


def follow_up_counts(flt: MetricsFilter, now: datetime) -> Iterator[Row]:
    """(user_id, day, due, kept, missed) for follow-ups due in the period.

    Kept: done before the end of the local day after the one it was due on. Missed: due before
    now and still open. A follow-up done later than the next day is neither.
    """
    due_rank = rank(Call.follow_up_at, flt.day_bounds())
    kept = and_(
        Call.follow_up_done_at.is_not(None),
        rank(Call.follow_up_done_at, flt.day_bounds(extra=1)) <= due_rank + 1,
    )
    inner = select(
        Call.user_id.label("u"),
        (due_rank - 1).label("d"),
        _flag(kept).label("k"),
        _flag(and_(Call.follow_up_done_at.is_(None), Call.follow_up_at < now)).label("m"),
    ).where(Call.follow_up_at >= flt.start, Call.follow_up_at < flt.end)
    if flt.user_id:
        inner = inner.where(Call.user_id == flt.user_id)
    sub = inner.subquery()
    return _run(
        select(sub.c.u, sub.c.d, func.count(), func.sum(sub.c.k), func.sum(sub.c.m)).group_by(
            sub.c.u, sub.c.d
        )
    )


def name_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(user_id, day, status, names): people uncovered by calls in the period, by the call's
    author and day. Placeholders (a known position, name unknown) are not names."""
    inner = (
        select(
            Call.user_id.label("u"),
            (rank(Call.started_at, flt.day_bounds()) - 1).label("d"),
            Person.status.label("s"),
        )
        .select_from(Person)
        .join(Call, Call.id == Person.source_call_id)
        .where(
            Call.started_at >= flt.start, Call.started_at < flt.end, Person.placeholder.is_(False)
        )
    )
    if flt.user_id:
        inner = inner.where(Call.user_id == flt.user_id)
    sub = inner.subquery()
    return _run(select(sub.c.u, sub.c.d, sub.c.s, func.count()).group_by(sub.c.u, sub.c.d, sub.c.s))


def touchpoint_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(user_id, day, kind, touchpoints) for emails, messages and meetings in the period."""
    inner = select(
        Touchpoint.user_id.label("u"),
        (rank(Touchpoint.happened_at, flt.day_bounds()) - 1).label("d"),
        Touchpoint.kind.label("k"),
    ).where(Touchpoint.happened_at >= flt.start, Touchpoint.happened_at < flt.end)
    if flt.user_id:
        inner = inner.where(Touchpoint.user_id == flt.user_id)
    sub = inner.subquery()
    return _run(select(sub.c.u, sub.c.d, sub.c.k, func.count()).group_by(sub.c.u, sub.c.d, sub.c.k))


def funnel_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(status, people) over every name, whoever uncovered it and whenever (the "all" scope).

    A name belongs to its source call's author, or to whoever entered it when no call did."""
    query = (
        select(Person.status, func.count())
        .select_from(Person)
        .where(Person.placeholder.is_(False))
        .group_by(Person.status)
    )
    if flt.user_id:
        query = query.outerjoin(Call, Call.id == Person.source_call_id).where(
            func.coalesce(Call.user_id, Person.created_by_id) == flt.user_id
        )
    return _run(query)
