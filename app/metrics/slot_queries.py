"""The metrics page's counts read from the roll-ups (app/models/metric_rollup.py).

A period of local days is a range of quarter-hour slots, and each local midnight a slot number,
so a slot's local day is arithmetic on integers (day_of_slot). Used when every midnight of
the period falls on a quarter hour (any zone since the 1970s, except a few historic offsets,
for which service.py reads the calls as before).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal_column, or_, select

from app.extensions import db
from app.metrics.filters import MetricsFilter
from app.metrics.queries import BUCKET, TOTAL, USER, USER_BUCKET, Row
from app.metrics.rollup import CALL_COLUMNS, NAME_COLUMNS, TOUCH_COLUMNS, slot_expr
from app.models import Call, MetricCompanySlot, MetricSlot
from app.models.metric_rollup import on_slot_boundary, slot_of


def rollups_cover(flt: MetricsFilter) -> bool:
    """Whether every bound of the period is a slot boundary (then the roll-ups are exact)."""
    return all(on_slot_boundary(moment) for moment in flt.day_bounds())


def _slot_bounds(flt: MetricsFilter, extra: int = 0) -> list[int]:
    return [slot_of(moment) for moment in flt.day_bounds(extra)]


def day_of_slot(slot: Any, flt: MetricsFilter, extra: int = 0) -> ColumnElement[int]:
    """SQL: the index of the local day a slot falls in (for slots inside the period).

    Days are 96 slots except where the clocks change (92 or 100), so the period splits into a
    few runs of equal days, and within a run the day is plain integer arithmetic: a CASE per
    run instead of a comparison per day boundary for every row. Past the end (up to `extra`
    days are exact) it keeps counting up; slots before the start are the caller's to exclude.
    """
    bounds = _slot_bounds(flt, extra)
    runs: list[tuple[int, int, int]] = []  # (first slot, first day index, slots per day)
    for day, (start, end) in enumerate(itertools.pairwise(bounds)):
        if not runs or runs[-1][2] != end - start:
            runs.append((start, day, end - start))

    def run_expr(run: tuple[int, int, int]) -> ColumnElement[int]:
        start, first_day, size = (_int(n) for n in run)
        return first_day + (slot - start) // size  # integers, non-negative: / floors

    expr = run_expr(runs[-1])
    for run, following in zip(reversed(runs[:-1]), reversed(runs[1:]), strict=True):
        expr = case((slot < _int(following[0]), run_expr(run)), else_=expr)
    return expr


def _int(n: int) -> ColumnElement[int]:
    # Inlined, typed: GROUP BY must repeat the expression exactly, and an untyped literal
    # would make // a true division on PostgreSQL.
    return literal_column(str(n), Integer)


def bucket_of_slot(slot: Any, flt: MetricsFilter) -> ColumnElement[int]:
    """SQL: the bucket (day, or Monday-first week clipped to the period) a slot falls in."""
    day = day_of_slot(slot, flt)
    if flt.grouping == "day":
        return day
    return (day + _int(flt.first.weekday())) // _int(7)


SLOT_COLUMNS = (*CALL_COLUMNS, *NAME_COLUMNS.values(), *TOUCH_COLUMNS.values())


def slot_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(user_id, day, *SLOT_COLUMNS summed) per recruiter and local day of the period."""
    bounds = _slot_bounds(flt)
    day = day_of_slot(MetricSlot.slot, flt).label("d")
    query = (
        select(MetricSlot.user_id, day,
               *(func.sum(getattr(MetricSlot, c)) for c in SLOT_COLUMNS))
        .where(MetricSlot.slot >= bounds[0], MetricSlot.slot < bounds[-1])
        .group_by(MetricSlot.user_id, day)
    )
    if flt.user_id:
        query = query.where(MetricSlot.user_id == flt.user_id)
    return iter(db.session.execute(query))


def company_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(tag, user_id, bucket, distinct companies) for the groupings queries.call_counts tags.

    One pass over the period's rows of the narrow roll-up, from its index: a row counts for a
    grouping when it is its company's first there, i.e. the previous row of its chain (the
    recruiter's, or the team's) lies before the period or in an earlier bucket. Those flags
    add up across recruiters and buckets, so the four groupings are sums of one GROUP BY."""
    table = MetricCompanySlot
    slots = _slot_bounds(flt)
    bucket = bucket_of_slot(table.slot, flt)

    def first(prev: Any, per_bucket: bool) -> ColumnElement[bool]:
        in_period = or_(prev.is_(None), prev < slots[0])
        return or_(in_period, bucket_of_slot(prev, flt) < bucket) if per_bucket else in_period

    prevs = [table.prev_user_slot] if flt.user_id else [table.prev_user_slot,
                                                         table.prev_team_slot]
    firsts = [first(prev, per_bucket) for prev in prevs for per_bucket in (True, False)]
    # Rows that are nobody's first (a company dialled again in the same bucket: most of a
    # year's rows) add 0 to every sum: dropped before the grouping, which then sorts a few
    # instead of every row. No group empties: a company's earliest row in a bucket is a first.
    query = (
        select(table.user_id, bucket, *(func.sum(case((f, 1), else_=0)) for f in firsts))
        .where(table.slot >= slots[0], table.slot < slots[-1],
               or_(*(f for f in firsts[::2])))
        .group_by(table.user_id, bucket)
    )
    if flt.user_id:
        query = query.where(table.user_id == flt.user_id)
    per_user: dict[int, int] = {}
    per_bucket: dict[int, int] = {}
    total = 0
    for u, b, in_bucket, in_period, *team in db.session.execute(query):
        yield USER_BUCKET, u, b, in_bucket
        per_user[u] = per_user.get(u, 0) + in_period
        if team:
            per_bucket[b] = per_bucket.get(b, 0) + team[0]
            total += team[1]
    for u, count in per_user.items():
        yield USER, u, -1, count
    if not flt.user_id:
        for b, count in per_bucket.items():
            yield BUCKET, -1, b, count
        yield TOTAL, -1, -1, total


def follow_up_counts(flt: MetricsFilter, now: datetime) -> Iterator[Row]:
    """queries.follow_up_counts with local days by slot arithmetic (the calls' own rows, from
    the covering follow-up indexes): (user_id, day, due, kept, missed)."""
    conn = db.session.connection()
    missed = and_(Call.follow_up_done_at.is_(None), Call.follow_up_at < now)
    rows = select(Call.user_id.label("u"), slot_expr(conn, Call.follow_up_at).label("due"),
                  # Only when done: SQLite's floor() (a Python function) rejects NULL.
                  case((Call.follow_up_done_at.is_not(None),
                        slot_expr(conn, Call.follow_up_done_at))).label("done"),
                  case((missed, 1), else_=0).label("m"),
                  ).where(Call.follow_up_at >= flt.start, Call.follow_up_at < flt.end)
    if flt.user_id:
        rows = rows.where(Call.user_id == flt.user_id)
    # OFFSET 0 keeps both databases from inlining the slots into every CASE branch below
    # (a slot per branch per row: most of the query's time over a recruiter's year).
    slots = rows.offset(0).subquery()
    due_day = day_of_slot(slots.c.due, flt)
    # Kept: done before the end of the local day after the due day (or before the period).
    kept = and_(slots.c.done.is_not(None),
                or_(slots.c.done < _slot_bounds(flt)[0],
                    day_of_slot(slots.c.done, flt, extra=1) <= due_day + _int(1)))
    sub = select(slots.c.u, due_day.label("d"), case((kept, 1), else_=0).label("k"),
                 slots.c.m).subquery()
    return iter(db.session.execute(
        select(sub.c.u, sub.c.d, func.count(), func.sum(sub.c.k), func.sum(sub.c.m))
        .group_by(sub.c.u, sub.c.d)))
