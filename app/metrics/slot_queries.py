"""The metrics page's counts read from the roll-ups (app/models/metric_rollup.py).

A period of local days is a range of quarter-hour slots, and each local midnight a slot number,
so a slot's local day is arithmetic on integers (day_of_slot). Used when every midnight of
the period falls on a quarter hour (any zone since the 1970s, except a few historic offsets,
for which service.py reads the calls as before).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    case,
    func,
    literal_column,
    select,
    union_all,
)

from app.extensions import db
from app.metrics.filters import MetricsFilter
from app.metrics.queries import BUCKET, TOTAL, USER, USER_BUCKET, Row
from app.metrics.rollup import CALL_COLUMNS, NAME_COLUMNS, TOUCH_COLUMNS
from app.models import MetricCompanySlot, MetricSlot
from app.models.metric_rollup import on_slot_boundary, slot_of


def rollups_cover(flt: MetricsFilter) -> bool:
    """Whether every bound of the period is a slot boundary (then the roll-ups are exact)."""
    return all(on_slot_boundary(moment) for moment in flt.day_bounds())


def _slot_bounds(flt: MetricsFilter) -> list[int]:
    return [slot_of(moment) for moment in flt.day_bounds()]


def day_of_slot(slot: Any, flt: MetricsFilter) -> ColumnElement[int]:
    """SQL: the index of the local day a slot falls in (for slots inside the period).

    Days are 96 slots except where the clocks change (92 or 100), so the period splits into a
    few runs of equal days, and within a run the day is plain integer arithmetic: a CASE per
    run instead of a comparison per day boundary for every row.
    """
    bounds = _slot_bounds(flt)
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

    The period's (recruiter, bucket, company) triples are formed once (a materialized CTE over
    the narrow roll-up, read from its index), then counted four ways."""
    slots = _slot_bounds(flt)
    triples = (
        select(MetricCompanySlot.user_id.label("u"),
               bucket_of_slot(MetricCompanySlot.slot, flt).label("b"),
               MetricCompanySlot.company_id.label("co"))
        .where(MetricCompanySlot.slot >= slots[0], MetricCompanySlot.slot < slots[-1])
        .distinct()
    )
    if flt.user_id:
        triples = triples.where(MetricCompanySlot.user_id == flt.user_id)
    cte = triples.cte("triples").prefix_with("MATERIALIZED")
    none = literal_column("-1", Integer)

    def counted(tag: int, user: bool, bucket: bool) -> Select:
        if user and bucket:  # the triples are distinct already
            return select(literal_column(str(tag), Integer), cte.c.u, cte.c.b,
                          func.count()).group_by(cte.c.u, cte.c.b)
        # DISTINCT keys first, then count(*): hashed, where count(DISTINCT) would sort.
        keys = [k for k, on in ((cte.c.u, user), (cte.c.b, bucket)) if on]
        pairs = select(*keys, cte.c.co).distinct().subquery()
        group = [pairs.c[k.name] for k in keys]
        return select(literal_column(str(tag), Integer),
                      pairs.c.u if user else none, pairs.c.b if bucket else none,
                      func.count()).select_from(pairs).group_by(*group)

    parts = [counted(USER_BUCKET, True, True), counted(USER, True, False)]
    if not flt.user_id:
        parts += [counted(BUCKET, False, True), counted(TOTAL, False, False)]
    return iter(db.session.execute(union_all(*parts)))
