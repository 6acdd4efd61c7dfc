"""Org-chart gaps: empty boxes and thinly covered departments, each with who to ask.

The company's people are read in one query of plain values (the org chart's loading) and the
tree is walked in Python; one more query (per hundred numbers) checks the suggested people's
numbers against the call log (app.queue.targets.bad_numbers), and a third loads the few people
the gaps name as rows.
Only callable people are suggested (see `is_callable`); a gap nobody callable can answer goes
through the main line, and is left out when the company has no usable main line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.companies.orgchart import ChartPerson, load_chart_people
from app.extensions import db
from app.models import Company, Person, PersonRole, PersonStatus
from app.queue.targets import bad_numbers, company_refusal

# Titles of people who keep someone's calendar: they know the name of whoever they support.
ASSISTANT = re.compile(
    r"\b(?:assistant|coordinator|secretary|chief of staff|(?-i:EA|PA))\b", re.IGNORECASE)


@dataclass
class Gap:
    """A missing name and the best way to get it: call `person`, or the main line when None."""

    company: Company
    person: Person | None  # who to call; None = the main line
    ask_for: str  # what to ask for ("the VP Engineering's name", "Procurement")
    why: str  # one sentence a recruiter reads before dialling
    next_step: str  # what to say / do on the call
    box: Person | None = None  # the empty box this gap is about, when there is one
    kind: str = "box"  # "box", "department" or "company" (nobody named yet)
    department: str | None = None  # the thin department, for kind "department"


@dataclass
class _Plan:
    """A gap before its people are loaded as rows: ids only."""

    person_id: int | None
    ask_for: str
    why: str
    next_step: str
    box_id: int | None = None
    kind: str = "box"
    department: str | None = None


def is_callable(person: ChartPerson, company: Company, bad: set[str] | frozenset = frozenset()
                ) -> bool:
    """May a gap suggest calling this person: the queue's rules (app.queue.targets: not
    off limits, do-not-call, gone or an empty box), and a way to reach them that is not `bad`:
    their own number, or an extension through a main line."""
    if company_refusal(company) or person.placeholder or not person.full_name:
        return False
    if person.left_at is not None or person.status == PersonStatus.DO_NOT_CALL:
        return False
    own = [n for n in (person.direct_phone, person.mobile_phone) if n and n not in bad]
    return bool(own or (person.extension and company.main_phone
                        and company.main_phone not in bad))


def _numbers(person: ChartPerson, company: Company) -> set[str]:
    return {n for n in (person.direct_phone, person.mobile_phone, company.main_phone) if n}


def find_gaps(company: Company) -> list[Gap]:
    """Every gap at the company with who to ask, most useful first.

    Order: empty boxes from the top of the chart down, then thin departments by name, then
    "nobody named yet". An off-limits company has no gaps: nobody there may be called.
    """
    if company.off_limits:
        return []
    everyone = load_chart_people(company.id)
    planner = _Planner(company, [p for p in everyone if p.left_at is None], everyone)
    plans, checked = planner.plans(), set()
    # A suggestion whose numbers the call log shows are dead gives way to the next best (whose
    # numbers are checked in turn, a few rounds at most: a dead number is rare).
    for _ in range(3):
        suggested = {p.person_id for p in plans if p.person_id is not None}
        unchecked = {n for pid in suggested for n in _numbers(planner.live[pid], company)}
        unchecked |= {company.main_phone} if company.main_phone else set()
        unchecked -= checked
        if not unchecked:
            break
        checked |= unchecked
        planner.bad |= bad_numbers(unchecked)
        if all(is_callable(planner.live[pid], company, planner.bad) for pid in suggested):
            break
        plans = planner.plans()
    if not company.main_phone or company.main_phone in planner.bad:  # no line to ask through
        plans = [p for p in plans if p.person_id is not None]
    ids = {i for p in plans for i in (p.person_id, p.box_id) if i is not None}
    rows = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))} \
        if ids else {}
    return [Gap(company=company, person=rows.get(p.person_id) if p.person_id else None,
                ask_for=p.ask_for, why=p.why, next_step=p.next_step,
                box=rows.get(p.box_id) if p.box_id else None, kind=p.kind,
                department=p.department) for p in plans]


def _first_name(person: ChartPerson) -> str:
    return (person.full_name or "").split()[0] if person.full_name else "them"


def is_assistant(person: ChartPerson) -> bool:
    """A gatekeeper, or a title that keeps someone's calendar (assistant, EA, coordinator)."""
    return person.role == PersonRole.GATEKEEPER or bool(ASSISTANT.search(person.title or ""))


def _rank(person: ChartPerson) -> tuple:
    """Within one kind of suggestion: assistants (answering calls is their job), then a direct
    line before an extension; someone not interested in a move comes last."""
    return (person.status == PersonStatus.NOT_INTERESTED, not is_assistant(person),
            not (person.direct_phone or person.mobile_phone), person.full_name or "", person.id)


def _cannot_call(person: ChartPerson) -> str:
    if person.status == PersonStatus.DO_NOT_CALL:
        return "They asked not to be called"
    return "No number on file for them"


class _Planner:
    """Works out the gaps of one company from its people, in memory."""

    def __init__(self, company: Company, live: list[ChartPerson],
                 everyone: list[ChartPerson]) -> None:
        self.company = company
        self.live = {p.id: p for p in live}
        self.by_id = {p.id: p for p in everyone}
        self.under: dict[int | None, list[ChartPerson]] = defaultdict(list)
        for person in live:
            self.under[person.reports_to_id].append(person)
        self._depths: dict[int, int] = {}
        self.bad: set[str] = set()  # numbers the call log shows are dead

    def plans(self) -> list[_Plan]:
        named = [p for p in self.live.values() if not p.placeholder]
        boxes = sorted((p for p in self.live.values() if p.placeholder),
                       key=lambda b: (self.depth(b), b.title or "", b.id))
        out = [self._box(box) for box in boxes]
        out.extend(self._departments(named, out))
        if not named:  # after any box: "the CTO" is a sharper question than "the leaders"
            out.append(self._nobody_named())
        return out

    def manager(self, person: ChartPerson) -> ChartPerson | None:
        """The nearest manager still at the company (past those who left); None at the top."""
        seen, manager_id = {person.id}, person.reports_to_id
        while manager_id is not None and manager_id not in seen:
            seen.add(manager_id)
            if manager_id in self.live:
                return self.live[manager_id]
            gone = self.by_id.get(manager_id)
            manager_id = gone.reports_to_id if gone else None
        return None

    def depth(self, person: ChartPerson) -> int:
        """Managers still there above this person (a loop of managers counts once)."""
        chain, seen, current = [], set(), person
        while current is not None and current.id not in self._depths and current.id not in seen:
            seen.add(current.id)
            chain.append(current)
            current = self.manager(current)
        depth = self._depths.get(current.id, -1) if current is not None else -1
        for node in reversed(chain):
            depth += 1
            self._depths[node.id] = depth
        return self._depths[person.id]

    def callable(self, people) -> list[ChartPerson]:
        return sorted((p for p in people if is_callable(p, self.company, self.bad)), key=_rank)

    def _box(self, box: ChartPerson) -> _Plan:
        title = box.title or "unnamed position"
        manager = self.manager(box)
        where = (f"under {manager.display_name}{', ' + manager.title if manager.title else ''}"
                 if manager else "top of the chart")
        lead = f"Empty box: {title} ({where})."
        reports = [p for p in self.under[box.id] if not p.placeholder]
        assistants = [p for p in reports if is_assistant(p)]
        peers = ([p for p in self.under[box.reports_to_id]
                  if not p.placeholder and p.id != box.id] if box.reports_to_id else [])
        ask = f"the {title}'s name"
        choices = (
            (assistants, "{name} assists that box.",
             "Ask {first} the name of the {title} they support"),
            ([p for p in reports if p not in assistants], "{name} reports to that box.",
             "Ask {first} who they report to now"),
            (peers, "{name} sits beside it, under the same manager.",
             "Ask {first} who the new {title} is"),
            ([manager] if manager else [],
             "{name} manages that box.", "Ask {first} who their {title} is"),
        )
        for people, why, step in choices:
            found = self.callable(people)
            if found:
                who = found[0]
                fill = {"name": who.full_name, "first": _first_name(who), "title": title}
                return _Plan(who.id, ask, f"{lead} {why.format(**fill)}",
                             step.format(**fill), box_id=box.id)
        return _Plan(None, f"the {title}", f"{lead} Nobody callable around it: ask the "
                     "switchboard.", f"Ask the switchboard for the {title} and note the name",
                     box_id=box.id)

    def _departments(self, named: list[ChartPerson], box_plans: list[_Plan]) -> list[_Plan]:
        """Departments with exactly one named person, who is asked for the rest of the team.

        Matched case-insensitively. A department of gatekeepers only (a front desk) is no
        sourcing target and is skipped. A department known only from empty boxes is covered by
        those boxes' gaps; and when a box gap in the department already sends the recruiter to
        the same person or the same main line, one call covers both, so it is skipped too.
        """
        groups: dict[str, list[ChartPerson]] = defaultdict(list)
        for person in named:
            if person.department and person.department.strip():
                groups[person.department.strip().casefold()].append(person)
        box_targets: dict[str, set[int | None]] = defaultdict(set)
        for plan in box_plans:
            box = self.live.get(plan.box_id) if plan.box_id else None
            if box is not None and box.department:
                box_targets[box.department.strip().casefold()].add(plan.person_id)
        out = []
        for key in sorted(groups):
            if len(groups[key]) != 1 or groups[key][0].role == PersonRole.GATEKEEPER:
                continue
            only = groups[key][0]
            dept = only.department.strip()
            who = only if is_callable(only, self.company, self.bad) else None
            if (who.id if who else None) in box_targets[key]:
                continue
            lead = f"Thin department: {only.display_name} is the only name in {dept}."
            if who is not None:
                out.append(_Plan(who.id, f"who else is on the {dept} team",
                                 f"{lead} Ask them for the rest of the team.",
                                 f"Ask {_first_name(who)} who else is on the {dept} team",
                                 kind="department", department=dept))
            else:
                out.append(_Plan(None, f"the {dept} team",
                                 f"{lead} {_cannot_call(only)}: ask the switchboard.",
                                 f"Ask the switchboard for {dept} and note who answers",
                                 kind="department", department=dept))
        return out

    def _nobody_named(self) -> _Plan:
        # No field says which function a company is sourced for, and the industry describes
        # what it sells, not a team: the leadership's names open every department at once.
        return _Plan(None, "the leadership team's names",
                     f"Nobody at {self.company.name} is named yet.",
                     "Ask the switchboard who runs each department and note names and titles",
                     kind="company")
