"""Org-chart gaps: empty boxes and thinly covered departments, each with who to ask.

PLACEHOLDER (to be replaced): only empty boxes, always through the main line.
"""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Company, Person


@dataclass
class Gap:
    """A missing name and the best way to get it: call `person`, or the main line when None."""

    company: Company
    person: Person | None  # who to call; None = the main line
    ask_for: str  # what to ask for ("the VP Engineering's name", "Procurement")
    why: str  # one sentence a recruiter reads before dialling
    next_step: str  # what to say / do on the call
    box: Person | None = None  # the empty box this gap is about, when there is one


def find_gaps(company: Company) -> list[Gap]:
    """Every gap at the company with who to ask, most useful first."""
    boxes = db.session.scalars(select(Person).where(
        Person.company_id == company.id, Person.placeholder.is_(True),
        Person.left_at.is_(None)).order_by(Person.id)).all()
    return [Gap(company=company, person=None, ask_for=f"the {box.title or 'unknown position'}",
                why=f"Empty box: {box.title or 'a position'} has no name yet.",
                next_step=f"Ask the switchboard for the {box.title}.", box=box)
            for box in boxes]
