"""Keeping the metrics roll-ups exact on every write, inside the writing transaction.

Like the search index (app/search/index.py), session hooks see what a flush writes; they note the
(recruiter, quarter hour) keys the counted rows had before and have after, and recount those keys
(app/metrics/rollup.py) once, as the transaction commits (inside it), or earlier when the
transaction itself reads the roll-ups (as autoflush does for rows). Set-based UPDATE/DELETE
statements (a person merge or erase) are caught as they execute, with the rows they match read
first.

Races: before reading a row's old key the row is locked FOR UPDATE (PostgreSQL), which also waits
for anyone pointing a new call or name at it (their foreign-key check holds KEY SHARE). So no
other transaction can move a counted row between our reading its key and our commit, and the
recount of each key runs under that key's lock (rollup.lock_keys) after our own writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from app.metrics.rollup import Key, recount
from app.models import Call, MetricCompanySlot, MetricSlot, Person, Touchpoint
from app.models.metric_rollup import slot_of

# Changes to anything else (notes, Twilio's progress details) leave every count as it was.
# Relationships too: setting call.user changes user_id only during the flush, after before_flush.
COUNTED = {
    Call: {"user_id", "started_at", "outcome", "person_id", "answered_by_id", "direction",
           "twilio_status", "company_id", "user", "company", "person", "answered_by"},
    Touchpoint: {"user_id", "happened_at", "kind", "user"},
    # role: every call this person answered (gatekeepers met); the rest: the name's own count.
    Person: {"role", "status", "placeholder", "source_call_id", "source_call"},
}
TABLES = {"call": Call, "touchpoint": Touchpoint, "person": Person}
PENDING = "metric_rollup_keys"
# Keys written by this transaction's flushes, recounted once just before it commits: a call-log
# save flushes several times (each new name, in its savepoint), and one recount serves them all.
TO_RECOUNT = "metric_rollup_recount"


def _chunks(ids: Iterable[int], size: int = 500):
    items = sorted(ids)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _keys(conn: Connection, query) -> set[Key]:
    return {(user_id, slot_of(moment)) for user_id, moment in conn.execute(query)}


def keys_of(conn: Connection, model: type, ids: Iterable[int], lock: bool,
            answered: bool = True) -> set[Key]:
    """The keys these rows count in: a person's are their name's and their touchpoints' (which
    go with them) and, with answered, the calls they answered (their role sorts those).
    lock: FOR UPDATE first (see the module's note)."""
    keys: set[Key] = set()
    for chunk in _chunks(ids):
        if lock and conn.dialect.name == "postgresql":
            conn.execute(select(model.id).where(model.id.in_(chunk)).with_for_update())
        if model is Call:
            query = select(Call.user_id, Call.started_at).where(Call.id.in_(chunk))
        elif model is Touchpoint:
            query = select(Touchpoint.user_id, Touchpoint.happened_at).where(
                Touchpoint.id.in_(chunk))
        else:
            parts = [
                select(Call.user_id, Call.started_at)
                .join(Person, Person.source_call_id == Call.id).where(Person.id.in_(chunk)),
                select(Touchpoint.user_id, Touchpoint.happened_at)
                .where(Touchpoint.person_id.in_(chunk)),
            ]
            if answered:
                parts.append(select(Call.user_id, Call.started_at)
                             .where(Call.answered_by_id.in_(chunk)))
            query = union_all(*parts)
        keys |= _keys(conn, query)
    return keys


def _changed(obj: Any, attrs: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in attrs)


# A person whose role changed (or who goes): the calls they answered count differently.
ANSWERER = "answerer"


def _watched(objects: Iterable[Any], dirty: bool = False) -> dict[Any, set[int]]:
    """Ids of counted rows among objects (dirty: only those whose counted columns changed),
    by model, with persons whose calls answered need a recount apart (ANSWERER)."""
    out: dict[Any, set[int]] = {}
    for obj in objects:
        model = type(obj)
        if model not in COUNTED or obj.id is None or (dirty and not _changed(obj, COUNTED[model])):
            continue
        if model is Person and (not dirty or _changed(obj, ("role",))):
            model = ANSWERER
        out.setdefault(model, set()).add(obj.id)
    return out


def _keys_of(conn: Connection, watched: dict[Any, set[int]], lock: bool) -> set[Key]:
    keys: set[Key] = set()
    for model, ids in watched.items():
        if model == ANSWERER:
            keys |= keys_of(conn, Person, ids, lock)
        else:
            keys |= keys_of(conn, model, ids, lock, answered=False)
    return keys


def _before_flush(session: Session, _context, _instances) -> None:
    """Lock and note the keys that changing or deleted rows count in now."""
    before = _watched(session.dirty, dirty=True)
    for model, ids in _watched(session.deleted).items():
        before.setdefault(model, set()).update(ids)
    if before:
        pending = session.info.setdefault(PENDING, set())
        pending |= _keys_of(session.connection(), before, lock=True)


def _after_flush(session: Session, _context) -> None:
    """Note the keys new and changed rows count in now, with the keys they counted in before."""
    after = _watched(session.new)
    for model, ids in _watched(session.dirty, dirty=True).items():
        after.setdefault(model, set()).update(ids)
    pending = session.info.pop(PENDING, set())
    if not after and not pending:
        return
    keys = pending | _keys_of(session.connection(), after, lock=False)  # written: locked already
    session.info.setdefault(TO_RECOUNT, set()).update(keys)


def _before_commit(session: Session) -> None:
    """Recount every key this transaction touched, after its last flush, inside it."""
    if session.in_nested_transaction():  # a savepoint's release: the transaction goes on
        return
    session.flush()
    _recount_noted(session)


def _recount_noted(session: Session) -> None:
    keys = session.info.pop(TO_RECOUNT, set())
    if keys:
        recount(session.connection(), keys)


ROLLUP_TABLES = {MetricSlot.__tablename__, MetricCompanySlot.__tablename__}


def _reads_rollups(statement: Any) -> bool:
    return any(getattr(t, "name", None) in ROLLUP_TABLES for t in find_tables(statement))


def _after_transaction_end(session: Session, transaction) -> None:
    """A rolled-back transaction's keys go with it (a savepoint's stay: recounting is safe)."""
    if transaction.parent is None:
        session.info.pop(TO_RECOUNT, None)
        session.info.pop(PENDING, None)


def _sets_counted(statement: Any, model: type) -> bool:
    values = getattr(statement, "_values", None)
    if not values:
        return True  # a form we cannot read: recount to be safe
    names = {v if isinstance(v, str) else getattr(v, "key", None) for v in values}
    return bool(names & COUNTED[model])


def _on_execute(state: ORMExecuteState):
    """A set-based UPDATE or DELETE of counted rows: recount the keys of the rows it matches."""
    if state.is_select:
        # The transaction reads roll-ups it has written to: bring them up to date first.
        session = state.session
        writing = session.info.get(TO_RECOUNT) or session.new or session.deleted or (
            session.identity_map.check_modified())
        if writing and _reads_rollups(state.statement):
            state.session.flush()  # (autoflush would, after this hook: too late to recount)
            _recount_noted(state.session)
        return None
    if not (state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    model = TABLES.get(getattr(table, "name", ""))
    if model is None or (state.is_update and not _sets_counted(state.statement, model)):
        return None
    conn = state.session.connection()
    matched = select(table.c.id)
    if state.statement.whereclause is not None:
        matched = matched.where(state.statement.whereclause)
    ids = set(conn.execute(matched).scalars())
    keys = keys_of(conn, model, ids, lock=True)
    result = state.invoke_statement()
    if state.is_update:
        keys |= keys_of(conn, model, ids, lock=False)
    recount(conn, keys)
    return result


def register_rollup_hooks() -> None:
    """Keep the roll-ups exact for every session (called once by create_app)."""
    for name, hook in (("before_flush", _before_flush), ("after_flush", _after_flush),
                       ("before_commit", _before_commit),
                       ("after_transaction_end", _after_transaction_end),
                       ("do_orm_execute", _on_execute)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
