"""Logging touchpoints, and each person's furthest step on the ladder online → email → phone → met.

The ladder is one SQL expression (`ladder_step_expr`), so the person page, a list of people and
the metrics page all compute it the same way, in the database.
"""

import enum
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.errors import DomainError
from app.extensions import db
from app.models import Call, Outcome, Person, Touchpoint, TouchpointKind, User, now_utc
from app.people.service import hold_person
from app.validation import FieldErrors, clean_choice

NOTE_MAX = 2000
# Clocks and time zones disagree a little; a touchpoint further ahead than this is a typo.
FUTURE_SLACK = timedelta(days=1)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# A connect outcome on a call aimed at them, except "gatekeeper": that conversation was with
# someone else (who is credited through answered_by instead).
PHONE_CONNECTS = [o for o in Outcome if o.reached_the_target]
IDS_PER_QUERY = 5000  # well under SQLite's and psycopg's bound-parameter limits


class LadderStep(enum.IntEnum):
    """How close we have come to someone: each step outranks the ones before it."""

    ONLINE = 0  # known only, or reached by a LinkedIn / social message
    EMAIL = 1
    PHONE = 2  # a call connected with them (not only their gatekeeper), or they answered
    MET = 3

    @property
    def label(self) -> str:
        return {0: "Online", 1: "Email", 2: "Phone", 3: "Met"}[self.value]


def _clean_when(value: Any, errors: FieldErrors) -> datetime | None:
    if value is None:
        return now_utc()
    if not isinstance(value, datetime):
        errors.add("happened_at", "Must be a date and time.")
        return None
    if value.tzinfo is None:
        errors.add("happened_at", "Give the time with its time zone.")
        return None
    if value > now_utc() + FUTURE_SLACK:
        errors.add("happened_at", "That is in the future: log a touchpoint once it happened.")
        return None
    if value < EARLIEST:
        errors.add("happened_at", "That is too long ago; check the year.")
        return None
    return value.astimezone(UTC)


def _clean_note(value: Any, errors: FieldErrors) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add("note", "Must be text.")
        return None
    value = value.strip()
    if len(value) > NOTE_MAX:
        errors.add("note", f"Keep the note under {NOTE_MAX} characters (you typed {len(value)}).")
        return None
    return value or None


def log_touchpoint(
    person: Person, user: User, kind: Any, happened_at: Any, note: Any,
    found: dict[str, str] | None = None,
) -> Touchpoint:
    """Record an email, LinkedIn/social message or meeting with person (happened_at None: now).

    `found`: the form's own problems; nothing is written and they come back with these.
    """
    errors = FieldErrors(found or {})
    if person.placeholder:
        # An empty box is a position, not a person: there is nobody to email or meet yet.
        errors.add("person_id", "This is an empty box: nobody to email, message or meet yet. "
                                "Fill the box with their name first.")
    if kind in (None, ""):
        errors.add("kind", "Pick how you reached them.")
    cleaned_kind = clean_choice(TouchpointKind, kind, errors, "kind")
    when = _clean_when(happened_at, errors)
    text = _clean_note(note, errors)
    if errors:
        raise DomainError(errors)
    hold_person(person)
    touchpoint = Touchpoint(
        person=person, user=user, kind=cleaned_kind, happened_at=when, note=text
    )
    db.session.add(touchpoint)
    db.session.commit()
    return touchpoint


def _touched(kind: TouchpointKind, person_id: ColumnElement) -> ColumnElement[bool]:
    return exists().where(Touchpoint.person_id == person_id, Touchpoint.kind == kind)


def ladder_step_expr(person_id: ColumnElement | None = None) -> ColumnElement[int]:
    """SQL for a person's ladder step (0–3, see LadderStep), correlated on person_id.

    Usable in any select over Person, e.g. the metrics funnel:
    ``select(ladder_step_expr(), func.count()).select_from(Person).group_by(...)``.
    Every branch is an EXISTS on an indexed column (touchpoint.person_id, call.person_id,
    call.answered_by_id), so it stays cheap per person.
    """
    pid = Person.id if person_id is None else person_id
    phoned = exists().where(Call.person_id == pid, Call.outcome.in_(PHONE_CONNECTS))
    answered = exists().where(Call.answered_by_id == pid)
    return case(
        (_touched(TouchpointKind.MEETING, pid), int(LadderStep.MET)),
        (phoned, int(LadderStep.PHONE)),
        (answered, int(LadderStep.PHONE)),
        (_touched(TouchpointKind.EMAIL, pid), int(LadderStep.EMAIL)),
        else_=int(LadderStep.ONLINE),
    )


def ladder_step(person: Person) -> LadderStep:
    """The furthest step reached with one person (one query)."""
    value = db.session.scalar(select(ladder_step_expr()).where(Person.id == person.id))
    return LadderStep(value or 0)


def ladder_steps(people: Iterable[int] | Select) -> dict[int, LadderStep]:
    """Steps for many people at once: person ids, or a select of person ids (any size)."""
    if isinstance(people, Select):
        rows = db.session.execute(
            select(Person.id, ladder_step_expr()).where(Person.id.in_(people.scalar_subquery()))
        ).all()
        return {pid: LadderStep(step) for pid, step in rows}
    ids = sorted(set(people))
    result: dict[int, LadderStep] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        rows = db.session.execute(
            select(Person.id, ladder_step_expr()).where(Person.id.in_(chunk))
        ).all()
        result.update({pid: LadderStep(step) for pid, step in rows})
    return result


def ladder_counts(people: Select | None = None) -> dict[LadderStep, int]:
    """How many people stand at each step (all people, or those in a select of ids)."""
    step = ladder_step_expr().label("step")
    inner = select(step)
    if people is not None:
        inner = inner.where(Person.id.in_(people.scalar_subquery()))
    sub = inner.subquery()
    rows = db.session.execute(select(sub.c.step, func.count()).group_by(sub.c.step)).all()
    counts = dict.fromkeys(LadderStep, 0)
    counts.update({LadderStep(s): n for s, n in rows})
    return counts
