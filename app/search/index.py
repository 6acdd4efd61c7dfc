"""Keeping `search_entry` in step with people, companies and calls on every write.

A session hook notes which records a flush wrote and rewrites their entries in the same
transaction (once, as it commits, or when it reads the index), so the index can never disagree
with committed data. Renaming a company or a person also touches the entries that carry that
name (a person's company, a call's people).
"""

from __future__ import annotations

from sqlalchemy import delete, event, insert, inspect, select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from app.models import Call, Company, Person, SearchEntry, call_person
from app.people.heard_names import sound_keys

KINDS = {Person: "person", Company: "company", Call: "call"}


def _person_rows(conn: Connection, ids: set[int]) -> list[dict]:
    rows = conn.execute(
        select(Person.id, Person.full_name, Person.title, Person.department, Person.notes,
               Company.name).join(Company, Company.id == Person.company_id)
        .where(Person.id.in_(ids))).all()
    out = []
    for pid, name, title, department, notes, company in rows:
        for field, value in (("name", name), ("title", title), ("department", department),
                             ("notes", notes), ("company", company),
                             ("sound", " ".join(sound_keys(name or "")))):
            if value:
                out.append({"kind": "person", "ref_id": pid, "field": field, "text": value})
    return out


def _company_rows(conn: Connection, ids: set[int]) -> list[dict]:
    rows = conn.execute(
        select(Company.id, Company.name, Company.domain, Company.notes, Company.industry,
               Company.location).where(Company.id.in_(ids))).all()
    out = []
    for cid, name, domain, notes, industry, location in rows:
        about = " ".join(v for v in (industry, location) if v)
        for field, value in (("name", " ".join(v for v in (name, domain) if v)),
                             ("notes", notes), ("about", about)):
            if value:
                out.append({"kind": "company", "ref_id": cid, "field": field, "text": value})
    return out


def _call_rows(conn: Connection, ids: set[int]) -> list[dict]:
    calls = conn.execute(
        select(Call.id, Call.notes, Call.follow_up_note, Company.name)
        # Outer: an inbound call from an unknown number has no company, and is still searched.
        .outerjoin(Company, Company.id == Call.company_id).where(Call.id.in_(ids))).all()
    linked = union(
        select(Call.id.label("call_id"), Call.person_id.label("person_id"))
        .where(Call.id.in_(ids), Call.person_id.is_not(None)),
        select(Call.id, Call.answered_by_id).where(Call.id.in_(ids),
                                                   Call.answered_by_id.is_not(None)),
        select(call_person.c.call_id, call_person.c.person_id)
        .where(call_person.c.call_id.in_(ids)),
    ).subquery()
    names: dict[int, list[str]] = {}
    for call_id, name in conn.execute(
        select(linked.c.call_id, Person.full_name).join(Person, Person.id == linked.c.person_id)
        .where(Person.full_name.is_not(None)).order_by(linked.c.call_id, Person.id)
    ):
        names.setdefault(call_id, []).append(name)
    out = []
    for cid, notes, follow_up, company in calls:
        text_notes = "\n".join(v for v in (notes, follow_up) if v)
        for field, value in (("notes", text_notes), ("company", company),
                             ("name", " · ".join(names.get(cid, [])))):
            if value:
                out.append({"kind": "call", "ref_id": cid, "field": field, "text": value})
    return out


BUILDERS = {"person": _person_rows, "company": _company_rows, "call": _call_rows}


def reindex(conn: Connection, kind: str, ids: set[int]) -> None:
    """Rewrite the entries of these records (missing records simply lose theirs)."""
    if not ids:
        return
    ids = set(ids)
    for chunk in _chunks(sorted(ids), 500):
        conn.execute(delete(SearchEntry).where(SearchEntry.kind == kind,
                                               SearchEntry.ref_id.in_(chunk)))
        rows = BUILDERS[kind](conn, set(chunk))
        if rows:
            conn.execute(_upsert(conn), rows)


def _upsert(conn: Connection):
    """An insert that takes over a row another transaction wrote meanwhile.

    Two calls naming the same manager both rewrite the manager's entries: the second one's
    delete cannot see the first one's fresh rows, so its insert must update them, not fail.
    """
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(SearchEntry)
    return statement.on_conflict_do_update(
        index_elements=["kind", "ref_id", "field"], set_={"text": statement.excluded.text})


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def rebuild_index(conn: Connection, batch: int = 5000) -> int:
    """Rebuild every entry (after bulk loads that bypass the ORM); returns rows written."""
    conn.execute(delete(SearchEntry))
    written = 0
    for model, kind in KINDS.items():
        last = 0
        while True:
            ids = conn.execute(select(model.id).where(model.id > last).order_by(model.id)
                               .limit(batch)).scalars().all()
            if not ids:
                break
            rows = BUILDERS[kind](conn, set(ids))
            if rows:
                conn.execute(insert(SearchEntry), rows)
                written += len(rows)
            last = ids[-1]
    return written


def _dependents(conn: Connection, touched: dict[str, set[int]]) -> None:
    """Entries that quote a renamed company or person: its people and calls, a person's calls."""
    companies = touched["company"]
    if companies:
        touched["person"] |= set(conn.execute(
            select(Person.id).where(Person.company_id.in_(companies))).scalars())
        touched["call"] |= set(conn.execute(
            select(Call.id).where(Call.company_id.in_(companies))).scalars())
    people = touched["person"]
    if people:
        touched["call"] |= set(conn.execute(union(
            select(Call.id).where(Call.person_id.in_(people)),
            select(Call.id).where(Call.answered_by_id.in_(people)),
            select(call_person.c.call_id).where(call_person.c.person_id.in_(people)),
        )).scalars())


NAME_ATTRS = {Company: ("name",), Person: ("full_name",)}


# Records a transaction's flushes wrote, reindexed once as it commits (a call-log save flushes
# once per new name, and the call's entries changed with each). Reads of the index inside the
# same transaction bring it up to date first (sync), as autoflush does for rows.
PENDING = "search_reindex"


def _after_flush(session: Session, _context) -> None:
    touched: dict[str, set[int]] = {"person": set(), "company": set(), "call": set()}
    renamed: dict[str, set[int]] = {"person": set(), "company": set(), "call": set()}
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = KINDS.get(type(obj))
        if kind is None or obj.id is None:
            continue
        if obj in session.dirty and not _indexed_change(obj):
            continue  # e.g. a manager whose list of reports changed: nothing indexed moved
        touched[kind].add(obj.id)
        if obj in session.dirty and _name_changed(obj):
            renamed[kind].add(obj.id)
    if not any(touched.values()):
        return
    pending = session.info.setdefault(PENDING, ({k: set() for k in touched},
                                                {k: set() for k in renamed}))
    for kind in touched:
        pending[0][kind] |= touched[kind]
        pending[1][kind] |= renamed[kind]


def sync(session: Session) -> None:
    """Write the entries of every record this transaction changed so far (flushing first)."""
    session.flush()
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    touched, renamed = pending
    conn = session.connection()
    _dependents(conn, renamed)
    for kind in touched:
        reindex(conn, kind, touched[kind] | renamed[kind])


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release: the transaction goes on
        sync(session)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back or committed: nothing is pending any more
        session.info.pop(PENDING, None)


def _on_execute(state: ORMExecuteState) -> None:
    """A read of the entries inside a transaction that changed records: sync first."""
    if state.is_select and PENDING in state.session.info and any(
        getattr(t, "name", None) == "search_entry" for t in find_tables(state.statement)
    ):
        sync(state.session)


# What each kind's entries are built from: a change elsewhere leaves its entries as they are.
INDEXED_ATTRS = {
    Person: ("full_name", "title", "department", "notes", "company_id"),
    Company: ("name", "domain", "notes", "industry", "location"),
    Call: ("notes", "follow_up_note", "company_id", "person_id", "answered_by_id", "people"),
}


def _indexed_change(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[attr].history.has_changes() for attr in INDEXED_ATTRS[type(obj)])


def _name_changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[attr].history.has_changes() for attr in NAME_ATTRS.get(type(obj), ()))


def register_index_hooks() -> None:
    """Keep the index in sync for every session (called once by create_app)."""
    for name, hook in (("after_flush", _after_flush), ("before_commit", _before_commit),
                       ("after_transaction_end", _after_transaction_end),
                       ("do_orm_execute", _on_execute)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)

