"""The reporting tree's rule, no one is their own boss, held under concurrency.

Every write that changes who reports to whom first calls `lock_reporting_lines(company_id)`,
which serialises such writes per company until the transaction ends, and only then checks for
a cycle, with SQL that reads the tree as it is now. Two opposite moves made at the same moment
therefore run one after the other, and the second sees the first and is refused.
- PostgreSQL: the company row is locked FOR NO KEY UPDATE (the mode an UPDATE takes). It
  conflicts with itself, so writers queue, but not with the KEY SHARE lock that inserting a
  call or person referencing the company takes, so logging calls is not held up.
- SQLite: a no-op UPDATE of the company row takes the database's single write lock. Reads are
  outside any transaction until a transaction's first write (pysqlite's default), so every
  read after the lock sees the latest commit, and nobody else can commit until we do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, literal, select, text

from app.extensions import db
from app.models import Company, Person

CYCLE_MESSAGE = "That would make a reporting cycle (someone would end up their own boss)."


def lock_reporting_lines(company_id: int | None, forget_stale: bool = True) -> None:
    """Serialise changes to this company's reporting lines until commit (call before writing).

    `forget_stale` expires people loaded earlier in this session (the request may have read
    them before another writer committed), so the checks that follow read them again.
    """
    if company_id is None or _held(company_id):
        return
    # No autoflush: the lock must come before this transaction's first write, or two writers
    # could each hold a row the other needs (a deadlock) before either reaches the lock.
    with db.session.no_autoflush:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(
                select(Company.id).where(Company.id == company_id).with_for_update(key_share=True)
            )
        else:
            db.session.execute(
                text("UPDATE company SET id = id WHERE id = :id"), {"id": company_id}
            )
    session = db.session()  # the scoped proxy does not expose get_transaction()
    held = session.info.setdefault("reporting_locks", {})
    transaction = session.get_transaction()
    if held.get("transaction") is not transaction:
        held.clear()
        held["transaction"] = transaction
    held.setdefault("companies", set()).add(company_id)
    if forget_stale:
        # Fully expired, not just their managers: session.get() then checks that the row still
        # exists (a concurrent merge may have deleted it) instead of handing back a ghost.
        dirty = session.dirty
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Person) and obj not in dirty:
                session.expire(obj)


def hold_people(company_id: int | None, ids: set[int]) -> set[int]:
    """Keep these people from being merged or erased until commit; return those already gone.

    For a write that links to people (a call, a touchpoint, an edit) while a merge or erasure
    may be deleting one of them. PostgreSQL: FOR KEY SHARE, the lock a foreign key check takes,
    now rather than at the INSERT: a merge's FOR UPDATE (see `lock_people_going`) waits for it,
    and it waits for a merge under way and then no longer finds the deleted row. It takes no
    company lock, so calls at one company are not queued behind each other, and a merge takes
    the company first and the people second, so the two never wait on each other in a circle.
    SQLite: the company's write lock, then a fresh read.
    """
    if not ids:
        return set()
    if db.session.get_bind().dialect.name == "postgresql":
        with db.session.no_autoflush:
            query = select(Person.id).where(Person.id.in_(ids))
            present = set(db.session.scalars(query.with_for_update(read=True, key_share=True)))
    else:
        lock_reporting_lines(company_id)
        present = set(current_rows(ids))
    return ids - present


def lock_people_going(ids: set[int]) -> None:
    """Before a merge or erasure deletes these people: wait for writes linking to them to end.

    A call or touchpoint being logged holds a KEY SHARE lock on each person it names (its
    foreign key check, or `hold_people`) until it commits; FOR UPDATE waits for those, so the
    merge's next statements see that call and move it, instead of failing on the foreign key.
    Call after `lock_reporting_lines` (locks in one order: company, then people). SQLite's
    write lock already waited for every other writer.
    """
    if ids and db.session.get_bind().dialect.name == "postgresql":
        with db.session.no_autoflush:
            db.session.execute(select(Person.id).where(Person.id.in_(ids)).with_for_update())


def _held(company_id: int) -> bool:
    session = db.session()
    held = session.info.get("reporting_locks") or {}
    return held.get("transaction") is session.get_transaction() and company_id in held.get(
        "companies", ()
    )


def chain_reaches(start_id: int, target_id: int) -> bool:
    """Whether following managers up from start_id (itself included) reaches target_id.

    One recursive query on the stored (flushed) tree; UNION drops repeats, so a cycle already
    stored elsewhere ends the walk instead of looping. The top's missing manager (NULL) joins
    nothing, which ends the walk too: no `reports_to_id IS NOT NULL` filter, because with
    planner statistics SQLite answers that filter with a Bloom filter built over all of
    `person` at every step (80 ms at 200,000 people instead of microseconds).
    """
    up = select(literal(start_id, Integer).label("id")).cte("up", recursive=True)
    up = up.union(select(Person.reports_to_id).join(up, Person.id == up.c.id))
    return db.session.scalar(select(up.c.id).where(up.c.id == target_id).limit(1)) is not None


def current_rows(ids: set[int]) -> dict[int, dict[str, Any]]:
    """Company and manager of these people as stored now (missing ids were merged or erased)."""
    rows = db.session.execute(
        select(Person.id, Person.company_id, Person.reports_to_id).where(Person.id.in_(ids))
    )
    return {pid: {"company_id": cid, "reports_to_id": mid} for pid, cid, mid in rows}


def stored_tree(company_id: int) -> dict[int, int | None]:
    """Each person's manager id at the company, read fresh (not from the session)."""
    return dict(
        db.session.execute(
            select(Person.id, Person.reports_to_id).where(Person.company_id == company_id)
        ).all()
    )


def find_cycles(tree: dict[int, int | None]) -> list[list[int]]:
    """Every cycle in a manager map, each listed once from its lowest id, following managers."""
    state: dict[int, int] = {}  # 1: on the current walk, 2: done
    cycles: list[list[int]] = []
    for start in sorted(tree):
        path: list[int] = []
        node: int | None = start
        while node is not None and node in tree and node not in state:
            state[node] = 1
            path.append(node)
            node = tree[node]
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node) :]
            first = loop.index(min(loop))
            cycles.append(loop[first:] + loop[:first])
        for visited in path:
            state[visited] = 2
    return cycles
