"""Run a parsed Boolean query against people, companies and calls.

Every term becomes "this record's id is among those whose index entries match", through the
database's own full-text engine (app/search/engine.py); AND, OR and NOT become the same in SQL.
Choice fields (status, role, outcome), dates (called:) and recruiter: read the tables directly.
Each kind of record walks its matches newest first and stops past COUNT_CAP: that gives the
count ("1,000+") and the candidates, which app/search/ranking.py orders by the engine's
relevance blended with recency.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select
from sqlalchemy.sql.elements import False_

from app.extensions import db
from app.models import (
    Call,
    Company,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    User,
    call_person,
)
from app.people.heard_names import query_keys
from app.search.engine import Match, matching_refs, words
from app.search.query import (
    TEXT_FIELDS,
    And,
    DateCompare,
    Node,
    Not,
    Or,
    Term,
    parse,
    positive_terms,
)
from app.search.ranking import Scored, rank
from app.textmatch import contains
from app.timezones import from_local

KINDS = ("person", "company", "call")
# Which index fields a query field reads, per kind of record (absent: that kind never matches).
# No field reads every field but "sound", whose made-up tokens are only for `~`.
INDEX_FIELDS: dict[str, dict[str | None, tuple[str, ...]]] = {
    "person": {None: ("name", "title", "department", "company", "notes"), "name": ("name",),
               "title": ("title",), "department": ("department",), "company": ("company",),
               "notes": ("notes",)},
    "company": {None: ("name", "notes", "about"), "company": ("name",),
                "notes": ("notes", "about")},
    "call": {None: ("notes", "company", "name"), "company": ("company",), "notes": ("notes",)},
}
# Fields only people have: a query made of these alone is about people (issue 14.4), and so is
# `~`, which compares the sound of people's names.
PEOPLE_FIELDS = frozenset({"name", "title", "department", "status", "role"})
MODELS = {"person": Person, "company": Company, "call": Call}
PER_PAGE = 20
COUNT_CAP = 1_000  # past this, "1,000+": counting further costs time and tells a sourcer nothing


def kinds_about(node: Node) -> frozenset[str]:
    """The kinds of record a query asks about: AND narrows them, OR widens, NOT keeps them.

    `NOT title:intern` is about people, so companies and calls (which have no title) are not
    listed as "not interns"; `title:director OR kafka` is about every kind.
    """
    if isinstance(node, Term):
        about_people = node.fuzzy or node.field in PEOPLE_FIELDS
        return frozenset({"person"}) if about_people else frozenset(KINDS)
    if isinstance(node, Not):
        return kinds_about(node.child)
    if isinstance(node, And):
        return frozenset.intersection(*(kinds_about(child) for child in node.children))
    if isinstance(node, Or):
        return frozenset.union(*(kinds_about(child) for child in node.children))
    return frozenset(KINDS)  # a date compares calls, which every kind has


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


def term_matches(kind: str, term: Term) -> list[tuple[tuple[str, ...], Match]]:
    """The (index fields, full-text match) pairs a text term asks of one kind; none: no match.

    A `~` term asks for the name as spelled or for any of its sound and nickname keys.
    """
    fields = INDEX_FIELDS[kind].get(term.field, ())
    found = words(term.text)
    if term.fuzzy:
        if kind != "person" or not found:
            return []
        pairs = [(("name",), Match(tuple(found)))]
        if keys := query_keys(term.text):
            pairs.append((("sound",), Match(tuple(keys), any_of=True)))
        return pairs
    if not fields or not found:
        return []
    return [(fields, Match(tuple(found), prefix=term.prefix, phrase=term.phrase))]


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
        conditions = []
        for fields, match in term_matches(self.kind, term):
            refs = matching_refs(self.dialect, self.kind, fields, match, f"q{next(self.keys)}")
            if refs is not None:
                conditions.append(self.model.id.in_(refs))
        return or_(*conditions) if conditions else false()

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
    about = kinds_about(tree)
    groups = {}
    for kind in KINDS:
        if kind not in about:
            groups[kind] = Group(kind)
            continue
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
    # One walk down the primary key gives the count (stopping past COUNT_CAP) and the
    # candidates, newest first, instead of sorting every match.
    ids = db.session.scalars(select(model.id).where(condition).order_by(model.id.desc())
                             .limit(COUNT_CAP + 1)).all()
    capped = len(ids) > COUNT_CAP
    ids = ids[:COUNT_CAP]
    offset = (page - 1) * per_page
    if not ids or counts_only or offset >= len(ids):
        return Group(kind, total=len(ids), capped=capped)
    ranked = rank(kind, ids, _scoring(kind, tree))[offset:offset + per_page]
    return Group(kind, _load(model, ranked), len(ids), capped)


def _scoring(kind: str, tree: Node) -> list[Scored]:
    """What to score one kind's candidates by: every full-text match of a positive term."""
    scoring = []
    for term in positive_terms(tree):
        if term.field in TEXT_FIELDS - {"recruiter"} or term.field is None:
            pairs = term_matches(kind, term)
            scoring += [Scored(fields, match, exact=term.fuzzy and i == 0)
                        for i, (fields, match) in enumerate(pairs)]
    return scoring


def _load(model, ids: list[int]) -> list:
    """Rows by id, in the order given."""
    by_id = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
