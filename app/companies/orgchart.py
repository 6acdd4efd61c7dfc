"""The org chart of a company: a tree built from reports-to links, in one pass over its people.

People are loaded in one query and the tree is assembled in Python. Someone whose manager has
left hangs under the nearest manager still there; people with no manager and no reports are not
roots of their own but are gathered under their department (or "Not yet placed").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Call, Company, Outcome, Person, PersonStatus, ReportingLink

# Statuses that mean a conversation with this person has happened.
CONTACTED = {PersonStatus.CONTACTED, PersonStatus.CANDIDATE, PersonStatus.NOT_INTERESTED}
UNPLACED = "Not yet placed"


@dataclass
class Node:
    person: Person
    reports: list[Node] = field(default_factory=list)
    depth: int = 0
    last_call: tuple[datetime, Outcome | None] | None = None
    other_managers: list[ReportingLink] = field(default_factory=list)

    @property
    def contacted(self) -> bool:
        return self.person.status in CONTACTED

    @property
    def size(self) -> int:
        """Boxes in this subtree, this one included."""
        return 1 + sum(child.size for child in self.reports)


@dataclass
class Coverage:
    boxes: int = 0
    named: int = 0
    contacted: int = 0

    def add(self, person: Person) -> None:
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
    left: list[Person]
    coverage: Coverage
    by_department: dict[str, Coverage]
    people: list[Person]  # everyone live, for pickers

    @property
    def departments(self) -> list[str]:
        return sorted(d for d in self.by_department if d != UNPLACED)


def _last_calls(company_id: int) -> dict[int, tuple[datetime, Outcome | None]]:
    """Each person's latest call (as target or as whoever answered), in one query."""
    rows = db.session.execute(
        select(Call.person_id, Call.answered_by_id, Call.started_at, Call.outcome)
        .where(Call.company_id == company_id,
               or_(Call.person_id.is_not(None), Call.answered_by_id.is_not(None)))
        .order_by(Call.started_at)
    ).all()
    latest: dict[int, tuple[datetime, Outcome | None]] = {}
    for person_id, answered_id, started_at, outcome in rows:
        for pid in {person_id, answered_id} - {None}:
            latest[pid] = (started_at, outcome)
    return latest


def _other_managers(person_ids: set[int], current: dict[int, int | None]):
    """Reports of a manager different from the current one, per person (conflicting sources)."""
    links = db.session.scalars(
        select(ReportingLink).where(ReportingLink.person_id.in_(person_ids))
        .order_by(ReportingLink.id)
    ).all() if person_ids else []
    conflicts: dict[int, list[ReportingLink]] = defaultdict(list)
    for link in links:
        if link.manager_id != current.get(link.person_id) and link.manager_id is not None:
            known = {other.manager_id for other in conflicts[link.person_id]}
            if link.manager_id not in known:
                conflicts[link.person_id].append(link)
    return conflicts


def build_org_chart(company: Company) -> OrgChart:
    """The live chart: managers above reports, departments gathering the unplaced."""
    everyone = db.session.scalars(
        select(Person).where(Person.company_id == company.id).order_by(Person.full_name)
    ).all()
    live = {p.id: p for p in everyone if p.left_at is None}
    by_id = {p.id: p for p in everyone}
    last = _last_calls(company.id)
    conflicts = _other_managers(set(live), {p.id: p.reports_to_id for p in everyone})
    nodes = {pid: Node(p, last_call=last.get(pid), other_managers=conflicts.get(pid, []))
             for pid, p in live.items()}

    def live_manager(person: Person) -> int | None:
        seen: set[int] = set()
        manager_id = person.reports_to_id
        while manager_id is not None and manager_id not in live and manager_id not in seen:
            seen.add(manager_id)
            gone = by_id.get(manager_id)
            manager_id = gone.reports_to_id if gone else None
        return manager_id if manager_id in live else None

    top: list[Node] = []
    for pid, node in nodes.items():
        manager_id = live_manager(node.person)
        if manager_id is None or manager_id == pid:
            top.append(node)
        else:
            nodes[manager_id].reports.append(node)
    roots, unplaced = _place(top)
    _set_depths(roots)
    coverage, by_department = Coverage(), defaultdict(Coverage)
    for person in live.values():
        coverage.add(person)
        by_department[person.department or UNPLACED].add(person)
    return OrgChart(company, roots, unplaced, [p for p in everyone if p.left_at is not None],
                    coverage, dict(sorted(by_department.items())), list(live.values()))


def _place(top: list[Node]) -> tuple[list[Node], dict[str, list[Node]]]:
    roots = sorted((n for n in top if n.reports), key=lambda n: -n.size)
    unplaced: dict[str, list[Node]] = defaultdict(list)
    for node in top:
        if not node.reports:
            unplaced[node.person.department or UNPLACED].append(node)
    return roots, dict(sorted(unplaced.items(), key=lambda kv: (kv[0] == UNPLACED, kv[0])))


def _set_depths(roots: list[Node]) -> None:
    # Iterative: an 8-level chart of thousands must not hit Python's recursion limit.
    stack = [(node, 0) for node in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        node.reports.sort(key=lambda n: (n.person.placeholder, n.person.full_name or ""))
        stack.extend((child, depth + 1) for child in node.reports)


def chart_nodes(chart: OrgChart):
    """Every node on the chart, roots first (for CSV export and tests)."""
    unplaced = [n for group in chart.unplaced.values() for n in group]
    stack = list(reversed(unplaced)) + list(reversed(chart.roots))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.reports))
