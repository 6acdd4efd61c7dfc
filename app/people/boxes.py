"""Empty boxes (placeholders): a position known, its holder not. Their page is about finding the
name: who might know it, and naming it ("Fill this box") once someone says."""

from dataclasses import dataclass

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.models import Person, PersonRole

PEERS_SHOWN = 8


@dataclass(frozen=True)
class Lead:
    """Someone to ask for the box's holder, and why they would know."""

    person: Person
    why: str


class FillBoxForm(FlaskForm):
    """Name the holder of an empty box; the box keeps its place, reporting line and history."""

    full_name = StringField("Their name", validators=[
        DataRequired("Type the name you were given."), Length(max=200)])


def _live(person: Person | None, box: Person) -> bool:
    return person is not None and person.id != box.id and person.left_at is None \
        and not person.placeholder


def who_to_ask(box: Person) -> list[Lead]:
    """People who might know who holds the box: its manager, the box's own reports, peers in
    its department, whoever told us about it, and the company's gatekeepers (in that order)."""
    leads: list[Lead] = []
    seen: set[int] = set()

    def add(person: Person | None, why: str) -> None:
        if _live(person, box) and person.id not in seen:
            seen.add(person.id)
            leads.append(Lead(person, why))

    add(box.reports_to, "manager of this position, who knows who holds it")
    for report in box.direct_reports:
        add(report, "reports to this position")
    if box.department:
        peers = db.session.scalars(
            select(Person).where(Person.company_id == box.company_id,
                                 Person.department == box.department,
                                 Person.placeholder.is_(False), Person.left_at.is_(None),
                                 Person.id != box.id)
            .order_by(Person.full_name).limit(PEERS_SHOWN)).all()
        for peer in peers:
            add(peer, f"works in {box.department}")
    if box.source_call is not None:
        add(box.source_call.answered_by, "told us about this position")
    for link in box.reporting_links:
        add(link.told_by, "told us where this position sits")
    gatekeepers = db.session.scalars(
        select(Person).where(Person.company_id == box.company_id,
                             Person.role == PersonRole.GATEKEEPER, Person.left_at.is_(None))
        .order_by(Person.full_name)).all()
    for gatekeeper in gatekeepers:
        add(gatekeeper, "gatekeeper, who can name the holder or put you through")
    return leads
