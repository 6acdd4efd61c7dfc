"""A parsed query as SQL, for one kind of record (person, company or call).

Text terms become "this record has an index entry that matches", through the database's own
full-text engine (app/search/engine.py); AND, OR and NOT become the same in SQL. Choice fields
(status, role, outcome), dates (called:) and recruiter: read the tables directly.

When every match must contain one full-text term (or one of an OR of them), that term is the
*driver*: its entries are walked newest first and the rest of the query filters them, so a
common word stops after a thousand records instead of collecting every match.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select

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
from app.search.engine import Arm, Match, entry_exists, matching_refs, ref_column, words
from app.search.query import TEXT_FIELDS, And, DateCompare, Node, Not, Or, Term
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


def is_text(term: Term) -> bool:
    """A term the full-text index answers (not a choice field or a recruiter)."""
    return term.field is None or term.field in TEXT_FIELDS - {"recruiter"}


def term_arms(kind: str, term: Term) -> list[Arm]:
    """The full-text matches a text term asks of one kind (any of them); none: no match.

    A `~` term asks for the name as spelled (marked exact, to rank first) or for any of its
    sound and nickname keys.
    """
    found = words(term.text)
    if term.fuzzy:
        if kind != "person" or not found:
            return []
        arms = [Arm(("name",), Match(tuple(found)), exact=True)]
        if keys := query_keys(term.text):
            arms.append(Arm(("sound",), Match(tuple(keys), any_of=True)))
        return arms
    fields = INDEX_FIELDS[kind].get(term.field, ())
    if not fields or not found:
        return []
    return [Arm(fields, Match(tuple(found), prefix=term.prefix, phrase=term.phrase))]


@dataclass
class Plan:
    """One kind's query: the driver's arms (or none: walk the table) and the rest as a filter."""

    arms: list[Arm] | None
    condition: ColumnElement


def plan(kind: str, tree: Node, timezone: str | None, since: datetime | None) -> Plan:
    """Pick a driver if the query has one, and compile what is left of it."""
    children = list(tree.children) if isinstance(tree, And) else [tree]
    for i, child in enumerate(children):
        alternatives = list(child.children) if isinstance(child, Or) else [child]
        if all(isinstance(t, Term) and is_text(t) for t in alternatives):
            arms = [arm for term in alternatives for arm in term_arms(kind, term)]
            compiler = _Compiler(kind, timezone, ref_column(db.engine.dialect.name))
            rest = [compiler.compile(c) for c in children[:i] + children[i + 1:]]
            if since is not None:
                rest.append(compiler.on_model(MODELS[kind].created_at > since))
            return Plan(arms, and_(*rest) if rest else and_(True))
    compiler = _Compiler(kind, timezone)
    condition = compiler.compile(tree)
    if since is not None:
        condition = and_(condition, MODELS[kind].created_at > since)
    return Plan(None, condition)


class _Compiler:
    """SQL for a query tree, as a condition on `ids` (the model's id, or a driver's record id)."""

    def __init__(self, kind: str, timezone: str | None, ids: ColumnElement | None = None):
        self.kind, self.model, self.tz = kind, MODELS[kind], timezone
        self.ids = self.model.id if ids is None else ids
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
            return self.on_model(self._calls_where(self._date_condition(node)))
        if node.field in {"status", "role", "outcome"}:
            return self.on_model(self._choice(node))
        if node.field == "recruiter":
            users = self._users(node)
            clause = self._calls_where(Call.user_id.in_(users))
            # For a person, whoever logged the name counts as well as whoever called them.
            return self.on_model(or_(clause, Person.created_by_id.in_(users))
                                 if self.kind == "person" else clause)
        return self._text(node)

    def on_model(self, condition: ColumnElement) -> ColumnElement:
        """A condition on the model's columns, as a condition on `ids`."""
        if self.ids is self.model.id:
            return condition
        return exists().where(self.model.id == self.ids, condition)

    def _text(self, term: Term) -> ColumnElement:
        conditions = []
        for arm in term_arms(self.kind, term):
            key = f"q{next(self.keys)}"
            if self.dialect == "postgresql" and self.ids is not self.model.id:
                # Filtering a driver: one probe of the (kind, ref_id, field) index per record.
                found = entry_exists(self.kind, arm, self.ids, key)
            else:
                refs = matching_refs(self.dialect, self.kind, arm, key)
                found = None if refs is None else self.ids.in_(refs)
            if found is not None:
                conditions.append(found)
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
