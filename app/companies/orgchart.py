"""The org chart of a company: a tree built from reports-to links, in one pass over its people.

People are loaded in one query and the tree is assembled in Python. Someone whose manager has
left hangs under the nearest manager still there; people with no manager and no reports are not
roots of their own but are gathered under their department (or "Not yet placed"). Nobody is
dropped: people whose line of managers loops back to them (a cycle stored before cycles were
locked out) or leads to another company are shown under "Could not place", with why.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import DateTime, func, select, true, type_coerce, union_all

from app.extensions import db
from app.models import Call, Company, Outcome, Person, PersonRole, PersonStatus, ReportingLink
from app.models.types import UTCDateTime
from app.people.reporting import find_cycles

# Statuses that mean a conversation with this person has happened.
CONTACTED = {PersonStatus.CONTACTED, PersonStatus.CANDIDATE, PersonStatus.NOT_INTERESTED}
UNPLACED = "Not yet placed"
# Why someone is under "Could not place": the code goes in the JSON, the note on the box and CSV.
PROBLEMS = {
    "reporting_cycle": "In a reporting cycle: their line of managers loops back on itself. "
                       "Move one of them to break it.",
    "manager_elsewhere": "Their manager on file works at another company or is no longer on "
                         "file. Move them to fix it.",
}


@dataclass(slots=True)
class ChartPerson:
    """What a box shows of a person: plain values, not an ORM object (5,000 of those are slow)."""

    id: int
    company_id: int
    full_name: str | None
    title: str | None
    department: str | None
    status: PersonStatus
    placeholder: bool
    direct_phone: str | None
    extension: str | None
    email: str | None
    reports_to_id: int | None
    left_at: datetime | None
    role: PersonRole
    mobile_phone: str | None
    updated_at: datetime | None = None  # picks the name the chart opens the way to by default

    display_name = Person.display_name  # the same wording as everywhere else


@dataclass(frozen=True)
class OtherManager:
    """A manager reported for someone that differs from the one on the chart."""

    manager_id: int
    manager_name: str
    call_at: datetime | None  # when the call that reported it took place, if a call did


@dataclass
class Node:
    person: ChartPerson
    reports: list[Node] = field(default_factory=list)
    depth: int = 0
    below: int = 0  # boxes under this one, all levels (set once the tree is built)
    last_call: tuple[datetime, Outcome | None] | None = None
    other_managers: list[OtherManager] = field(default_factory=list)
    problem: str | None = None  # a PROBLEMS key when the chart could not place them

    @property
    def note(self) -> str:
        return PROBLEMS[self.problem] if self.problem else ""

    @property
    def contacted(self) -> bool:
        return self.person.status in CONTACTED

    @property
    def size(self) -> int:
        """Boxes in this subtree, this one included."""
        return 1 + self.below


@dataclass
class Coverage:
    boxes: int = 0
    named: int = 0
    contacted: int = 0

    def add(self, person: ChartPerson) -> None:
        self.boxes += 1
        if not person.placeholder:
            self.named += 1
            if person.status in CONTACTED:
                self.contacted += 1

    @property
    def named_share(self) -> float:
        return self.named / self.boxes if self.boxes else 0.0

    @property
    def contacted_share(self) -> float:
        return self.contacted / self.named if self.named else 0.0


@dataclass
class OrgChart:
    company: Company
    roots: list[Node]
    unplaced: dict[str, list[Node]]
    left: list[ChartPerson]
    coverage: Coverage
    by_department: dict[str, Coverage]
    people: list[ChartPerson]  # everyone live
    cannot_place: list[Node] = field(default_factory=list)  # with their reports below them
    nodes: dict[int, Node] = field(default_factory=dict)  # every live person's node, by id
    managers: dict[int, int | None] = field(default_factory=dict)  # whom each hangs under
    detailed: bool = True  # False: last calls and disagreeing managers are added per box shown
    everyone: dict[int, ChartPerson] = field(default_factory=dict)  # left included, by id

    @property
    def departments(self) -> list[str]:
        return sorted(d for d in self.by_department if d != UNPLACED)

    @property
    def top(self) -> list[Node]:
        """The biggest tree: the top of the company as far as anyone knows."""
        return self.roots[:1]

    @property
    def unknown_manager(self) -> list[Node]:
        """Other managers whose own manager is not known yet: a lane of their own, labelled,
        rather than a second top of the company beside the CEO."""
        return self.roots[1:]

    def path_to(self, person_id: int) -> list[int]:
        """The managers above someone on the chart, top first, then them (empty if not on it)."""
        if person_id not in self.nodes:
            return []
        path = [person_id]
        while (manager := self.managers.get(path[-1])) is not None and manager not in path:
            path.append(manager)
        return path[::-1]

    def most_recent(self) -> int | None:
        """The live person added or changed last: the chart opens the way to them by default."""
        dated = [p for p in self.people if p.updated_at is not None]
        return max(dated, key=lambda p: (p.updated_at, p.id)).id if dated else None


def _last_calls(company_id: int, only: Collection[int] | None = None
                ) -> dict[int, tuple[datetime, Outcome | None]]:
    """Each person's latest call (as target or as whoever answered), in one query.

    The database picks the latest: a few hundred boxes of a big company have thousands of calls,
    and reading each one's time into Python was most of the boxes' details.
    """
    sides = [select(column.label("pid"), Call.id, Call.started_at, Call.outcome)
             .where(Call.company_id == company_id,
                    column.is_not(None) if only is None else column.in_(only))
             for column in (Call.person_id, Call.answered_by_id)]
    calls = union_all(*sides).subquery()
    ranked = select(calls.c.pid, calls.c.started_at, calls.c.outcome, func.row_number().over(
        partition_by=calls.c.pid, order_by=(calls.c.started_at.desc(), calls.c.id.desc())
    ).label("rank")).subquery()
    rows = db.session.execute(
        select(ranked.c.pid, ranked.c.started_at, ranked.c.outcome).where(ranked.c.rank == 1))
    return {pid: (started_at, outcome) for pid, started_at, outcome in rows}


def _other_managers(company_id: int, everyone: Mapping[int, ChartPerson],
                    only: Collection[int] | None = None) -> dict[int, list[OtherManager]]:
    """Reports of a manager other than the current one, per person, one per manager (oldest).

    Names are looked up for the managers found only, not made for all of a big company.

    A manager set by hand (a move on the chart, an edit) settles what was reported before it:
    only reports that came in after the latest such correction still show as disagreeing.
    """
    rows = db.session.execute(
        select(ReportingLink.person_id, ReportingLink.manager_id, ReportingLink.source_call_id,
               Call.started_at)
        .join(Person, Person.id == ReportingLink.person_id)
        .outerjoin(Call, Call.id == ReportingLink.source_call_id)
        .where(Person.company_id == company_id,
               ReportingLink.person_id.in_(only) if only is not None else true())
        .order_by(ReportingLink.id)
    ).all()
    conflicts: dict[int, list[OtherManager]] = defaultdict(list)
    for person_id, manager_id, source_call_id, call_at in rows:
        if source_call_id is None:  # a correction by hand: earlier disagreements are settled
            conflicts.pop(person_id, None)
            continue
        manager, person = everyone.get(manager_id), everyone.get(person_id)
        if manager is None or person is None or manager_id == person.reports_to_id:
            continue
        if all(other.manager_id != manager_id for other in conflicts[person_id]):
            conflicts[person_id].append(
                OtherManager(manager_id, manager.display_name, call_at))
    return conflicts


def _raw(column):
    """A timestamp column read as the driver gives it: UTCDateTime's per-value processing of
    12,000 rows' two timestamps was a third of the largest chart's time. `_aware` finishes the
    few values that need it (on SQLite they come naive; order and None tests hold either way)."""
    return type_coerce(column, DateTime(timezone=True)).label(column.key)


def _aware(value: datetime | None) -> datetime | None:
    return _UTC.process_result_value(value, db.session.get_bind().dialect) if value else value


_UTC = UTCDateTime()
# The columns the chart shows; notes and the like stay in the database.
CHART_COLUMNS = (Person.id, Person.company_id, Person.full_name, Person.title, Person.department,
                 Person.status, Person.placeholder, Person.direct_phone, Person.extension,
                 Person.email, Person.reports_to_id, _raw(Person.left_at), Person.role,
                 Person.mobile_phone, _raw(Person.updated_at))


def load_chart_people(company_id: int) -> list[ChartPerson]:
    """Everyone at the company (left included), by name, in one query of plain values.

    `left_at` is made aware for those who left; `updated_at` stays as the driver gave it (it is
    only compared, by most_recent)."""
    people = [ChartPerson(*row) for row in db.session.execute(
        select(*CHART_COLUMNS).where(Person.company_id == company_id).order_by(Person.full_name)
    )]
    for person in people:
        if person.left_at is not None:
            person.left_at = _aware(person.left_at)
    return people


@contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while tens of thousands of objects are made.

    None of them is garbage yet, but their count sets the collector off again and again over
    the whole heap: timed at over 40% of building a 12,000-person chart. Counting references
    still frees everything as usual; the collector resumes as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_org_chart(company: Company, details: bool = True) -> OrgChart:
    """The live chart: managers above reports, departments gathering the unplaced.

    Without `details`, boxes have no last call or disagreeing managers yet: a screen that shows
    a few hundred of thousands of boxes adds them for those with `add_details` (the two
    queries over every call and reporting link were most of a 5,000-person chart's time).
    """
    with _no_collection():
        return _build_org_chart(company, details)


def _build_org_chart(company: Company, details: bool) -> OrgChart:
    """The chart as build_org_chart describes it."""
    everyone = load_chart_people(company.id)
    live = {p.id: p for p in everyone if p.left_at is None}
    by_id = {p.id: p for p in everyone}
    last, conflicts = {}, {}
    if details:
        last = _last_calls(company.id)
        conflicts = _other_managers(company.id, by_id)
    nodes = {pid: Node(p, last_call=last.get(pid), other_managers=conflicts.get(pid, []))
             for pid, p in live.items()}

    def live_manager(person: ChartPerson) -> tuple[int | None, str | None]:
        """The nearest manager still at the company, or why there is none to hang them under."""
        seen = {person.id}
        manager_id = person.reports_to_id
        while manager_id is not None and manager_id not in live:
            if manager_id in seen:
                return None, "reporting_cycle"
            seen.add(manager_id)
            gone = by_id.get(manager_id)
            if gone is None:
                return None, "manager_elsewhere"
            manager_id = gone.reports_to_id
        return (None, "reporting_cycle") if manager_id == person.id else (manager_id, None)

    top: list[Node] = []
    parent: dict[int, int | None] = {}
    for pid, node in nodes.items():
        manager_id, node.problem = live_manager(node.person)
        parent[pid] = manager_id
        if manager_id is None:
            top.append(node)
        else:
            nodes[manager_id].reports.append(node)
    # People in a loop of live managers only hang under each other, where no root reaches them:
    # lift each out of the loop, so they and everyone below them still show.
    for loop in find_cycles(parent):
        for pid in loop:
            nodes[parent[pid]].reports.remove(nodes[pid])
            nodes[pid].problem = "reporting_cycle"
            top.append(nodes[pid])
            parent[pid] = None
    _count_below(top)
    roots, unplaced, cannot_place = _place(top)
    _set_depths(roots + cannot_place)
    coverage, by_department = Coverage(), defaultdict(Coverage)
    for person in live.values():
        coverage.add(person)
        by_department[person.department or UNPLACED].add(person)
    return OrgChart(company, roots, unplaced, [p for p in everyone if p.left_at is not None],
                    coverage, dict(sorted(by_department.items())), list(live.values()),
                    cannot_place, nodes, parent, details, by_id)


def add_details(chart: OrgChart, ids: Collection[int]) -> None:
    """Last calls and disagreeing managers for these boxes only (a chart built without them)."""
    ids = list(ids)
    last = _last_calls(chart.company.id, ids)
    conflicts = _other_managers(chart.company.id, chart.everyone, ids)
    for pid in ids:
        node = chart.nodes[pid]
        node.last_call = last.get(pid)
        node.other_managers = conflicts.get(pid, [])


def _place(top: list[Node]) -> tuple[list[Node], dict[str, list[Node]], list[Node]]:
    placed = [n for n in top if n.problem is None]
    cannot_place = sorted((n for n in top if n.problem),
                          key=lambda n: (n.person.full_name or "", n.person.id))
    roots = sorted((n for n in placed if n.reports), key=lambda n: -n.size)
    unplaced: dict[str, list[Node]] = defaultdict(list)
    for node in placed:
        if not node.reports:
            unplaced[node.person.department or UNPLACED].append(node)
    return (roots, dict(sorted(unplaced.items(), key=lambda kv: (kv[0] == UNPLACED, kv[0]))),
            cannot_place)


def _count_below(top: list[Node]) -> None:
    """Subtree sizes in one post-order pass (iterative, like everything that walks the tree)."""
    order: list[Node] = []
    stack = list(top)
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.reports)
    for node in reversed(order):  # children come after their parent in `order`
        node.below = sum(1 + child.below for child in node.reports)


def _set_depths(roots: list[Node]) -> None:
    # Iterative: an 8-level chart of thousands must not hit Python's recursion limit.
    stack = [(node, 0) for node in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        if len(node.reports) > 1:  # most of a big chart's boxes have no reports to sort
            node.reports.sort(key=lambda n: (n.person.placeholder, n.person.full_name or ""))
        stack.extend((child, depth + 1) for child in node.reports)


def chart_nodes(chart: OrgChart):
    """Every node on the chart, roots first, then the unplaced and those it could not place."""
    unplaced = [n for group in chart.unplaced.values() for n in group]
    stack = (list(reversed(chart.cannot_place)) + list(reversed(unplaced))
             + list(reversed(chart.roots)))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.reports))
