"""Run a parsed Boolean query against people, companies and calls.

Every term becomes "this record's id is among the index entries that match", through the
database's own full-text engine (app/search/engine.py); AND, OR and NOT become the same in SQL.
Choice fields (status, role, outcome), dates (called:) and recruiter: read the tables directly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, literal_column, not_, or_, select
from sqlalchemy.sql.elements import False_

from app.extensions import db
from app.models import (
    Call,
    Company,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    SearchEntry,
    User,
    call_person,
)
from app.search.engine import match_clause, words
from app.search.highlight import rank
from app.search.query import And, DateCompare, Node, Not, Or, Term, parse
from app.textmatch import contains
from app.timezones import from_local

# Which index fields a query field reads, per kind of record (absent: that kind never matches).
INDEX_FIELDS: dict[str, dict[str | None, tuple[str, ...] | None]] = {
    "person": {None: None, "name": ("name",), "title": ("title",),
               "department": ("department",), "company": ("company",), "notes": ("notes",)},
    "company": {None: None, "name": ("name",), "company": ("name",), "notes": ("notes", "about")},
    "call": {None: None, "name": ("name",), "company": ("company",), "notes": ("notes",)},
}
MODELS = {"person": Person, "company": Company, "call": Call}
PER_PAGE = 20
CANDIDATES = 400  # rows ranked per group before paging
COUNT_CAP = 10_000


@dataclass
class Group:
    kind: str
    items: list = field(default_factory=list)
    total: int = 0

    @property
    def capped(self) -> bool:
        """True when there are more matches than were counted."""
        return self.total > COUNT_CAP


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


class _Compiler:
    def __init__(self, kind: str, timezone: str | None):
        self.kind, self.model, self.tz = kind, MODELS[kind], timezone
        self.dialect = db.engine.dialect.name
        self.keys = itertools.count()

    def compile(self, node: Node) -> ColumnElement:
        if isinstance(node, And):
            return and_(*(self.compile(child) for child in node.children))
        if isinstance(node, Or):
            return or_(*(self.compile(child) for child in node.children))
        if isinstance(node, Not):
            return not_(self.compile(node.child))
        if isinstance(node, DateCompare):
            return self._calls_where(self._date_condition(node))
        if node.field in {"status", "role", "outcome"}:
            return self._choice(node)
        if node.field == "recruiter":
            users = self._users(node)
            clause = self._calls_where(Call.user_id.in_(users))
            # For a person, whoever logged the name counts as well as whoever called them.
            return or_(clause, Person.created_by_id.in_(users)) if self.kind == "person" else (
                clause)
        return self._text(node)

    def _text(self, term: Term) -> ColumnElement:
        fields = INDEX_FIELDS[self.kind].get(term.field, ())
        if fields == ():
            return false()
        match = match_clause(self.dialect, words(term.text), term.prefix, term.phrase,
                             f"q{next(self.keys)}")
        if match is None:
            return false()
        # On SQLite, "+kind" keeps the planner from scanning the kind index instead of starting
        # from the full-text matches (it has no statistics to know better).
        kind = literal_column("+search_entry.kind") if self.dialect == "sqlite" else (
            SearchEntry.kind)
        entries = select(SearchEntry.ref_id).where(kind == self.kind, match)
        if fields is not None:
            entries = entries.where(SearchEntry.field.in_(fields))
        return self.model.id.in_(entries)

    def _choice(self, term: Term) -> ColumnElement:
        slug = term.text.replace(" ", "_").replace("-", "_")
        if term.field == "outcome":
            values = [o for o in Outcome if o.value.startswith(slug)] if term.prefix else [
                o for o in Outcome if o.value == slug]
            return self._calls_where(Call.outcome.in_(values)) if values else false()
        if self.kind != "person":
            return false()
        enum_cls = PersonStatus if term.field == "status" else PersonRole
        column = Person.status if term.field == "status" else Person.role
        values = [m for m in enum_cls if m.value == slug or (term.prefix and m.value.startswith(
            slug))]
        return column.in_(values) if values else false()

    def _users(self, term: Term):
        return select(User.id).where(contains(term.text, User.name, User.email))

    def _date_condition(self, node: DateCompare) -> ColumnElement:
        start = from_local(datetime.combine(node.value, time()), self.tz)
        end = from_local(datetime.combine(node.value + timedelta(days=1), time()), self.tz)
        return {"<": Call.started_at < start, "<=": Call.started_at < end,
                ">": Call.started_at >= end, ">=": Call.started_at >= start,
                "=": and_(Call.started_at >= start, Call.started_at < end)}[node.op]

    def _calls_where(self, condition: ColumnElement) -> ColumnElement:
        """For calls, the condition itself; for people and companies, "has such a call"."""
        if self.kind == "call":
            return condition
        if self.kind == "company":
            return exists().where(Call.company_id == Company.id, condition)
        touched = or_(Call.person_id == Person.id, Call.answered_by_id == Person.id,
                      Call.id.in_(select(call_person.c.call_id)
                                  .where(call_person.c.person_id == Person.id)
                                  .correlate(Person)))
        return exists().where(touched, condition)


def run_search(text: str, page: int = 1, timezone: str | None = None,
               per_page: int = PER_PAGE, since: datetime | None = None,
               counts_only: bool = False) -> Results:
    """Parse and run a query; raises QueryError for a malformed one.

    `since` keeps only records created after it (a saved search's new matches); `counts_only`
    skips loading rows.
    """
    tree = parse(text)
    page = max(1, min(page, 10_000))
    groups = {}
    for kind in ("person", "company", "call"):
        condition = _Compiler(kind, timezone).compile(tree)
        model = MODELS[kind]
        if since is not None:
            condition = and_(condition, model.created_at > since)
        groups[kind] = _group(kind, model, condition, tree, page, per_page, counts_only)
    return Results(tree, groups["person"], groups["company"], groups["call"], page)


def _group(kind: str, model, condition, tree: Node, page: int, per_page: int,
           counts_only: bool = False) -> Group:
    if isinstance(condition, False_):  # a field this kind of record does not have
        return Group(kind)
    # One pass gives both the count (stopping at COUNT_CAP: "10,000+" says enough) and the
    # newest ids, walking the primary key instead of sorting every match.
    ids = db.session.scalars(select(model.id).where(condition).order_by(model.id.desc())
                             .limit(COUNT_CAP + 1)).all()
    total = len(ids)
    offset = (page - 1) * per_page
    if not total or counts_only or offset >= total:
        return Group(kind, total=total)
    if offset < CANDIDATES:
        # Rank the newest candidates by how well they match, then take this page of them.
        wanted = ids[:CANDIDATES]
        rows = _load(model, wanted)
        rows = rank(kind, rows, tree)[offset:offset + per_page]
    else:
        rows = _load(model, ids[offset:offset + per_page])
    return Group(kind, rows, total)


def _load(model, ids: list[int]) -> list:
    """Rows by id, in the order given."""
    by_id = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
