"""The metrics page's counts read from the roll-ups (app/models/metric_rollup.py).

A period of local days is a range of quarter-hour slots, and each local midnight a slot number,
so queries.rank() buckets slots exactly as it buckets call times. Used when every midnight of
the period falls on a quarter hour (any zone since the 1970s, except a few historic offsets,
for which service.py reads the calls as before).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, Integer, Select, func, literal_column, select, union_all

from app.extensions import db
from app.metrics.filters import MetricsFilter
from app.metrics.queries import BUCKET, TOTAL, USER, USER_BUCKET, Row, rank
from app.metrics.rollup import CALL_COLUMNS, NAME_COLUMNS, TOUCH_COLUMNS
from app.models import MetricCompanySlot, MetricSlot
from app.models.metric_rollup import on_slot_boundary, slot_of


def rollups_cover(flt: MetricsFilter) -> bool:
    """Whether every bound of the period is a slot boundary (then the roll-ups are exact)."""
    return all(on_slot_boundary(moment) for moment in flt.day_bounds())


def _slot_bounds(flt: MetricsFilter) -> list[int]:
    return [slot_of(moment) for moment in flt.day_bounds()]


SLOT_COLUMNS = (*CALL_COLUMNS, *NAME_COLUMNS.values(), *TOUCH_COLUMNS.values())


def slot_counts(flt: MetricsFilter) -> Iterator[Row]:
    """(user_id, day, *SLOT_COLUMNS summed) per recruiter and local day of the period."""
    bounds = _slot_bounds(flt)
    day = (rank(MetricSlot.slot, bounds) - 1).label("d")
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
    bucket_bounds = [slot_of(b.start) for b in flt.buckets()[1:]]
    triples = (
        select(MetricCompanySlot.user_id.label("u"),
               rank(MetricCompanySlot.slot, bucket_bounds).label("b"),
               MetricCompanySlot.company_id.label("co"))
        .where(MetricCompanySlot.slot >= slots[0], MetricCompanySlot.slot < slots[-1])
        .distinct()
    )
    if flt.user_id:
        triples = triples.where(MetricCompanySlot.user_id == flt.user_id)
    cte = triples.cte("triples").prefix_with("MATERIALIZED")
    none = literal_column("-1", Integer)

    def counted(tag: int, user: bool, bucket: bool) -> Select:
        keys: list[ColumnElement] = [k for k, on in ((cte.c.u, user), (cte.c.b, bucket)) if on]
        distinct = not (user and bucket)  # a company appears once per (user, bucket) triple
        companies = func.count(cte.c.co.distinct()) if distinct else func.count()
        return select(literal_column(str(tag), Integer), cte.c.u if user else none,
                      cte.c.b if bucket else none, companies).group_by(*keys)

    parts = [counted(USER_BUCKET, True, True), counted(USER, True, False)]
    if not flt.user_id:
        parts += [counted(BUCKET, False, True), counted(TOTAL, False, False)]
    return iter(db.session.execute(union_all(*parts)))
