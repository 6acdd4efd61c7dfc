"""Repair of reporting cycles stored before they were locked out: `flask repair-reporting-cycles`.

Each cycle is broken at the link that was set last: every older link in it passed the cycle
check when it was made, so the newest is the write a lock would have refused. "Set last" is the
latest ReportingLink recording that very manager for that person; a link with no such record
(written by an old merge) counts as oldest, and ties go to the higher person id. The cut person
goes to the top of the chart; their ReportingLink history stays, so a manager reported on a call
still shows beside their box as "Also reported under …".
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from sqlalchemy import func, select

from app.extensions import db
from app.models import Company, Person, ReportingLink
from app.people.reporting import find_cycles, lock_reporting_lines


@dataclass(frozen=True)
class Cut:
    company: str
    person: str
    manager: str
    cycle: list[str]

    def describe(self, dry_run: bool) -> str:
        verb = "would no longer report" if dry_run else "no longer reports"
        loop = " → ".join(self.cycle + self.cycle[:1])
        return f"{self.company}: {self.person} {verb} to {self.manager} (cycle {loop})."


def _all_managers() -> dict[int, int | None]:
    return dict(db.session.execute(select(Person.id, Person.reports_to_id)).all())


def _link_to_cut(cycle: list[int], tree: dict[int, int | None]) -> int:
    """The member whose current manager was recorded last (see the module docstring)."""
    latest = dict(
        db.session.execute(
            select(ReportingLink.person_id, func.max(ReportingLink.id))
            .where(ReportingLink.person_id.in_(cycle))
            .where(ReportingLink.manager_id == Person.reports_to_id)
            .join(Person, Person.id == ReportingLink.person_id)
            .group_by(ReportingLink.person_id)
        ).all()
    )
    return max(cycle, key=lambda pid: (latest.get(pid) or 0, pid))


def repair_reporting_cycles(dry_run: bool = False) -> list[Cut]:
    """Break every stored reporting cycle at its newest link; one transaction per cycle."""
    cuts: list[Cut] = []
    for found in find_cycles(_all_managers()):
        first = db.session.get(Person, found[0])
        lock_reporting_lines(first.company_id)
        tree = _all_managers()  # read again under the lock: a move may have broken it meanwhile
        cycle = next((c for c in find_cycles(tree) if set(c) == set(found)), None)
        if cycle is None:
            db.session.rollback()
            continue
        person = db.session.get(Person, _link_to_cut(cycle, tree))
        names = {
            p.id: p.display_name
            for p in db.session.scalars(select(Person).where(Person.id.in_(cycle)))
        }
        company = db.session.get(Company, person.company_id)
        cuts.append(
            Cut(
                company.name,
                person.display_name,
                names[tree[person.id]],
                [names[pid] for pid in cycle],
            )
        )
        if dry_run:
            db.session.rollback()
            continue
        person.reports_to_id = None
        db.session.commit()
    return cuts


@click.command("repair-reporting-cycles")
@click.option("--dry-run", is_flag=True, help="Only print what would change.")
def repair_reporting_cycles_command(dry_run: bool) -> None:
    """Break reporting cycles stored before they were refused, at the link set last."""
    cuts = repair_reporting_cycles(dry_run=dry_run)
    for cut in cuts:
        click.echo(cut.describe(dry_run))
    if not cuts:
        click.echo("No reporting cycles.")
    else:
        done = "would be cut" if dry_run else "cut"
        click.echo(f"{len(cuts)} cycle(s) found, {len(cuts)} link(s) {done}.")
