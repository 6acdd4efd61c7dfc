"""Filling the metrics roll-ups (app/models/metric_rollup.py) from the raw rows.

One set of GROUP BY statements serves both uses: rebuilding everything (the migration, bulk
loads, `flask rebuild-metrics`) and recounting the (recruiter, quarter hour) keys a transaction
touched (app/metrics/rollup_hooks.py). A recount replaces those keys' rows with what the calls,
names and touchpoints say now, so it cannot drift the way an increment can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from app.metrics.queries import call_kinds
from app.models import (
    Call,
    MetricCompanySlot,
    MetricSlot,
    Person,
    PersonStatus,
    Touchpoint,
    TouchpointKind,
    User,
)
from app.models.metric_rollup import SLOT_ORIGIN_EPOCH, SLOT_SECONDS, slot_start

Key = tuple[int, int]  # (user_id, slot)
# Which rows a statement covers, given the user column and the time column it keys on.
Scope = Callable[[Any, Any], ColumnElement[bool]]

NAME_COLUMNS = {status: f"names_{status.value}" for status in PersonStatus}
TOUCH_COLUMNS = {kind: f"touch_{kind.value}" for kind in TouchpointKind}
CALL_COLUMNS = ("dials", "connects", "gatekeepers", "voicemails", "put_throughs",
                "gatekeeper_pickups")
# pg_advisory_xact_lock keys: a namespace in the top byte, then the user and slot (a key's
# recount), or the company (its chain of rows, see MetricCompanySlot).
LOCK_NAMESPACE = 0x4D << 56
COMPANY_LOCK_NAMESPACE = 0x4E << 56


def slot_expr(conn: Connection, column: Any) -> ColumnElement[int]:
    """SQL: the slot of a stored UTC time (constants inlined: GROUP BY must repeat it exactly)."""
    origin, size = literal_column(str(-SLOT_ORIGIN_EPOCH)), literal_column(str(SLOT_SECONDS))
    if conn.dialect.name == "postgresql":
        return cast(func.floor((func.extract("epoch", column) + origin) / size), Integer)
    # SQLite keeps naive UTC text; strftime('%s') reads it as UTC seconds, but would round
    # 06:59:59.9999 up to 07:00: the fraction is cut off first. Both operands are integers and
    # positive, so // (SQL's integer /) floors.
    seconds = func.strftime("%s", func.substr(column, 1, 19))
    return (cast(seconds, Integer) + origin) // size


def _sum_flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _call_counts(conn: Connection, scope: Scope) -> Select:
    answered = aliased(Person)
    kinds = call_kinds(answered)
    slot = slot_expr(conn, Call.started_at)
    return (
        select(Call.user_id, slot, func.count(), *(_sum_flag(kinds[k]) for k in (
            "connect", "gatekeeper", "voicemail", "put_through", "gatekeeper_pickup")))
        .outerjoin(answered, answered.id == Call.answered_by_id)
        .where(Call.dialled(), scope(Call.user_id, Call.started_at))
        .group_by(Call.user_id, slot)
    )


def _name_counts(conn: Connection, scope: Scope) -> Select:
    slot = slot_expr(conn, Call.started_at)
    return (
        select(Call.user_id, slot, *(_sum_flag(Person.status == s) for s in NAME_COLUMNS))
        .select_from(Person)
        .join(Call, Call.id == Person.source_call_id)
        .where(Person.placeholder.is_(False), scope(Call.user_id, Call.started_at))
        .group_by(Call.user_id, slot)
    )


def _touch_counts(conn: Connection, scope: Scope) -> Select:
    slot = slot_expr(conn, Touchpoint.happened_at)
    return (
        select(Touchpoint.user_id, slot, *(_sum_flag(Touchpoint.kind == k) for k in TOUCH_COLUMNS))
        .where(scope(Touchpoint.user_id, Touchpoint.happened_at))
        .group_by(Touchpoint.user_id, slot)
    )


def _company_counts(conn: Connection, scope: Scope) -> Select:
    slot = slot_expr(conn, Call.started_at)
    return (
        select(Call.user_id, slot, Call.company_id, func.count())
        .where(Call.dialled(), Call.company_id.is_not(None), scope(Call.user_id, Call.started_at))
        .group_by(Call.user_id, slot, Call.company_id)
    )


def _upsert(conn: Connection, columns: list[str], query: Select):
    """INSERT … SELECT that fills these columns of an existing row instead (names or touchpoints
    landing in a slot that already has dials)."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(MetricSlot).from_select(["user_id", "slot", *columns], query)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "slot"],
        set_={c: getattr(statement.excluded, c) for c in columns})


def fill(conn: Connection, scope: Scope, slot_scope: Scope) -> None:
    """Replace the roll-up rows in scope with counts from the raw rows in scope."""
    conn.execute(delete(MetricSlot).where(slot_scope(MetricSlot.user_id, MetricSlot.slot)))
    conn.execute(delete(MetricCompanySlot).where(
        slot_scope(MetricCompanySlot.user_id, MetricCompanySlot.slot)))
    conn.execute(MetricSlot.__table__.insert().from_select(
        ["user_id", "slot", *CALL_COLUMNS], _call_counts(conn, scope)))
    # SQLite reads "INSERT … SELECT … ON CONFLICT" right only when the SELECT has a WHERE: ours do.
    conn.execute(_upsert(conn, list(NAME_COLUMNS.values()), _name_counts(conn, scope)))
    conn.execute(_upsert(conn, list(TOUCH_COLUMNS.values()), _touch_counts(conn, scope)))
    conn.execute(MetricCompanySlot.__table__.insert().from_select(
        ["user_id", "slot", "company_id", "dials"], _company_counts(conn, scope)))


def _ranges(keys: Iterable[Key]) -> list[tuple[int, int, int]]:
    """(user, first slot, slot after the last) runs of consecutive keys."""
    out: list[tuple[int, int, int]] = []
    for user_id, slot in sorted(set(keys)):
        if out and out[-1][0] == user_id and out[-1][2] == slot:
            out[-1] = (user_id, out[-1][1], slot + 1)
        else:
            out.append((user_id, slot, slot + 1))
    return out


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _advisory_locks(conn: Connection, lock_ids: Iterable[int]) -> None:
    """PostgreSQL: take these transaction locks in ascending order (no deadlock between two
    recounts). SQLite writers are already one at a time."""
    if conn.dialect.name != "postgresql":
        return
    for chunk in _chunks(sorted(set(lock_ids)), 1000):
        conn.execute(text("SELECT count(pg_advisory_xact_lock(k)) FROM "
                          "(SELECT unnest(CAST(:ks AS bigint[])) AS k ORDER BY 1) AS ordered"),
                     {"ks": chunk})


def _key_scopes(chunk: list[tuple[int, int, int]]) -> tuple[Scope, Scope]:
    def scope(user_col, time_col):
        return or_(*(and_(user_col == u, time_col >= slot_start(a), time_col < slot_start(b))
                     for u, a, b in chunk))

    def slot_scope(user_col, slot_col):
        return or_(*(and_(user_col == u, slot_col >= a, slot_col < b) for u, a, b in chunk))

    return scope, slot_scope


def _companies_in(conn: Connection, scope: Scope, slot_scope: Scope) -> set[int]:
    """Companies with roll-up rows or dials in scope: their chains change with a recount."""
    return set(conn.execute(union(
        select(MetricCompanySlot.company_id).where(
            slot_scope(MetricCompanySlot.user_id, MetricCompanySlot.slot)),
        select(Call.company_id).where(Call.company_id.is_not(None),
                                      scope(Call.user_id, Call.started_at)),
    )).scalars())


def relink(conn: Connection, companies: set[int] | None, from_slot: int | None = None) -> None:
    """Recompute prev_user_slot and prev_team_slot of these companies' rows (None: all).

    from_slot: only rows at or after it can have changed (a row points only to earlier rows),
    so a recount relinks those from the company's index instead of a window over its whole
    history (a big company has ~20,000 rows; a call logged now touches the last one or two).
    """
    table = MetricCompanySlot
    if companies is not None and from_slot is not None:
        _relink_from(conn, companies, from_slot)
        return
    for chunk in ([None] if companies is None else _chunks(sorted(companies), 500)):
        chain = select(
            table.user_id, table.slot, table.company_id,
            func.lag(table.slot).over(partition_by=[table.company_id, table.user_id],
                                      order_by=table.slot).label("pu"),
            func.lag(table.slot).over(partition_by=table.company_id,
                                      order_by=[table.slot, table.user_id]).label("pt"),
        )
        if chunk is not None:
            chain = chain.where(table.company_id.in_(chunk))
        prev = chain.subquery()
        conn.execute(
            update(table).values(prev_user_slot=prev.c.pu, prev_team_slot=prev.c.pt).where(
                table.user_id == prev.c.user_id, table.slot == prev.c.slot,
                table.company_id == prev.c.company_id,
                or_(table.prev_user_slot.is_distinct_from(prev.c.pu),
                    table.prev_team_slot.is_distinct_from(prev.c.pt))))


def _relink_from(conn: Connection, companies: set[int], from_slot: int) -> None:
    """relink for rows at or after from_slot: each row's previous rows, read newest first."""
    table, earlier = MetricCompanySlot, aliased(MetricCompanySlot)
    same_company = earlier.company_id == table.company_id
    prev_user = (select(earlier.slot)
                 .where(same_company, earlier.user_id == table.user_id, earlier.slot < table.slot)
                 .order_by(earlier.slot.desc()).limit(1).scalar_subquery())
    prev_team = (select(earlier.slot)
                 .where(same_company, or_(earlier.slot < table.slot,
                                          and_(earlier.slot == table.slot,
                                               earlier.user_id < table.user_id)))
                 .order_by(earlier.slot.desc(), earlier.user_id.desc()).limit(1)
                 .scalar_subquery())
    for chunk in _chunks(sorted(companies), 500):
        conn.execute(update(table).where(table.company_id.in_(chunk), table.slot >= from_slot)
                     .values(prev_user_slot=prev_user, prev_team_slot=prev_team))


def recount(conn: Connection, keys: Iterable[Key]) -> None:
    """Recount these (recruiter, slot) keys from the raw rows, under their locks (key order,
    then company order: a waiting recount then reads the other's committed rows, since READ
    COMMITTED takes a new snapshot per statement), and relink the companies' chains."""
    keys = set(keys)
    if not keys:
        return
    _advisory_locks(conn, (LOCK_NAMESPACE | (u << 30) | s for u, s in keys))
    scopes = [_key_scopes(chunk) for chunk in _chunks(_ranges(keys), 100)]
    companies: set[int] = set()
    for scope, slot_scope in scopes:
        companies |= _companies_in(conn, scope, slot_scope)
    # Before writing: a chain's relink must not wait on rows another recount holds.
    _advisory_locks(conn, (COMPANY_LOCK_NAMESPACE | c for c in companies))
    for scope, slot_scope in scopes:
        fill(conn, scope, slot_scope)
    relink(conn, companies, from_slot=min(slot for _, slot in keys))


def rebuild(conn: Connection) -> int:
    """Recount everything from the raw rows, one recruiter at a time (a batch the database
    groups in memory), after a bulk load that bypassed the session hooks or for a repair.
    Returns the number of metric_slot rows."""
    if conn.dialect.name == "postgresql":  # recounts wait until the rebuild has committed
        conn.execute(text("LOCK TABLE metric_slot, metric_company_slot IN EXCLUSIVE MODE"))
    conn.execute(delete(MetricSlot))
    conn.execute(delete(MetricCompanySlot))
    user_ids = list(conn.execute(select(User.id).order_by(User.id)).scalars())
    for user_id in user_ids:
        def scope(user_col, _time_col, user_id=user_id):
            return user_col == user_id

        def no_rows(_user_col, _slot_col):
            return literal_column("1") == literal_column("0")  # already emptied above

        fill(conn, scope, no_rows)
    relink(conn, None)
    return conn.execute(select(func.count()).select_from(MetricSlot)).scalar_one()
