"""Run a parsed Boolean query against people, companies and calls, a group per kind.

Each kind walks its matches newest first and stops past COUNT_CAP: that gives the count
("1,000+") and the candidates, which app/search/ranking.py orders by the engine's relevance
blended with recency. How a query becomes SQL: app/search/compiler.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.sql.elements import False_

from app.extensions import db
from app.search.compiler import KINDS, MODELS, Plan, is_text, kinds_about, plan, term_arms
from app.search.engine import block_window, driver_walk
from app.search.index import sync
from app.search.query import Node, parse, positive_terms
from app.search.ranking import rank, scores_of

PER_PAGE = 20
COUNT_CAP = 1_000  # past this, "1,000+": counting further costs time and tells a sourcer nothing
# Entries a driver walks at most: a record can match in several fields.
WALK_CAP = 2 * (COUNT_CAP + 1)
FIRST_WINDOW = 4_096  # PostgreSQL: ids in the first window a driver reads


@dataclass
class Group:
    kind: str
    items: list = field(default_factory=list)
    total: int = 0  # at most COUNT_CAP
    capped: bool = False  # True when there are more matches than were counted


@dataclass
class Results:
    query: Node
    people: Group
    companies: Group
    calls: Group
    page: int

    @property
    def total(self) -> int:
        return self.people.total + self.companies.total + self.calls.total

    @property
    def capped(self) -> bool:
        return self.people.capped or self.companies.capped or self.calls.capped


def run_search(text: str, page: int = 1, timezone: str | None = None,
               per_page: int = PER_PAGE, since: datetime | None = None,
               counts_only: bool = False) -> Results:
    """Parse and run a query; raises QueryError for a malformed one.

    `since` keeps only records created after it (a saved search's new matches); `counts_only`
    skips loading rows.
    """
    tree = parse(text)
    sync(db.session)  # this transaction's own writes are found too
    page = max(1, min(page, 10_000))
    about = kinds_about(tree)
    groups = {}
    for kind in KINDS:
        if kind not in about:
            groups[kind] = Group(kind)
            continue
        groups[kind] = _group(kind, plan(kind, tree, timezone, since), tree, page, per_page,
                              counts_only)
    return Results(tree, groups["person"], groups["company"], groups["call"], page)


def _group(kind: str, query: Plan, tree: Node, page: int, per_page: int,
           counts_only: bool) -> Group:
    if isinstance(query.condition, False_):  # a field this kind of record does not have
        return Group(kind)
    if query.arms is not None:
        ids, capped, scores, exact = _walk_driver(kind, query)
    else:
        # No driver: walk the table's primary key down, the rest of the query as a filter.
        model = MODELS[kind]
        ids = db.session.scalars(select(model.id).where(query.condition)
                                 .order_by(model.id.desc()).limit(COUNT_CAP + 1)).all()
        capped, scores, exact = len(ids) > COUNT_CAP, None, None
    ids = ids[:COUNT_CAP]
    offset = (page - 1) * per_page
    if not ids or counts_only or offset >= len(ids):
        return Group(kind, total=len(ids), capped=capped)
    if scores is None:
        arms = [arm for term in positive_terms(tree) if is_text(term)
                for arm in term_arms(kind, term)]
        scores, exact = scores_of(kind, ids, arms)
    ranked = rank(ids, scores, exact)[offset:offset + per_page]
    return Group(kind, _load(MODELS[kind], ranked), len(ids), capped)


def _walk_driver(kind: str, query: Plan):
    """Ids (newest first), whether there are more, and each one's score and exact matches."""
    dialect = db.engine.dialect.name
    rows: list = []
    if dialect == "sqlite":  # FTS5 walks its rowids newest first: one statement
        statement = driver_walk(dialect, kind, query.arms, query.condition, WALK_CAP)
        rows = db.session.execute(statement).all() if statement is not None else []
    else:
        rows = _walk_windows(kind, query)
    ids = [row[0] for row in rows]
    scores = {ref: float(score) for ref, score, _exact, _entries in rows}
    exact = {ref: int(is_exact) for ref, _score, is_exact, _entries in rows}
    # Past the cap, or the walk stopped at its limit with more entries to go.
    more = len(ids) > COUNT_CAP or sum(row[3] for row in rows) >= WALK_CAP
    return ids, more, scores, exact


def _walk_windows(kind: str, query: Plan) -> list:
    """PostgreSQL: the driver asked for the newest blocks of ids, then older ones, each window
    sized from how often the last one matched, until there are enough."""
    model = MODELS[kind]
    # Each window is a short index lookup: starting parallel workers costs more than it saves.
    db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    top = db.session.scalar(select(func.max(model.id)))
    cursor, size, rows, entries = (top or 0) + 1, FIRST_WINDOW, [], 0
    while cursor > 1 and len(rows) <= COUNT_CAP and entries < WALK_CAP:
        blocks, low = block_window(kind, cursor, size)
        statement = driver_walk("postgresql", kind, query.arms, query.condition,
                                WALK_CAP - entries, (blocks, cursor))
        if statement is None:
            break
        found = db.session.execute(statement).all()
        rows += found
        entries += sum(row[3] for row in found)
        # Every row of a window is read (GIN cannot stop early), so grow it by at most 4x:
        # a window too big reads thousands of rows a smaller one would not have.
        span, wanted = cursor - low, COUNT_CAP + 1 - len(rows)
        guess = wanted * span * 5 // 4 // max(len(found), 1)
        size = min(span * 4, max(span * 2, guess))
        cursor = low
    return rows


def _load(model, ids: list[int]) -> list:
    """Rows by id, in the order given."""
    by_id = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
