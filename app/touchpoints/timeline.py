"""A person's timeline: the calls that touched them and their touchpoints, newest first.

A person's calls are found three ways (aimed at them, answered by them, or naming them via
call_person). One `OR ... IN (...)` over those makes PostgreSQL scan every call, so each way is
its own indexed lookup and the database UNIONs them with the touchpoints, sorts and caps.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal_column, select, union
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Person, Touchpoint, User, call_person

PAGE_SIZE = 100
MAX_PAGE = 10_000


@dataclass(frozen=True)
class TimelineItem:
    """One row of the timeline: exactly one of call / touchpoint is set."""

    at: datetime
    user: User
    call: Call | None = None
    touchpoint: Touchpoint | None = None
    role: str = ""  # for calls: how the call touched the person

    @property
    def note(self) -> str:
        source = self.call.notes if self.call is not None else self.touchpoint.note
        return source or ""


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    page: int
    has_more: bool

    @property
    def has_newer(self) -> bool:
        return self.page > 1


def _entries(person_id: int):
    """(source, id, at) for every call and touchpoint of the person, as one UNION."""
    call = literal_column("'call'").label("source")
    return union(
        select(call, Call.id.label("id"), Call.started_at.label("at")).where(
            Call.person_id == person_id
        ),
        select(call, Call.id, Call.started_at).where(Call.answered_by_id == person_id),
        select(call, Call.id, Call.started_at)
        .join_from(call_person, Call, call_person.c.call_id == Call.id)
        .where(call_person.c.person_id == person_id),
        select(literal_column("'touchpoint'"), Touchpoint.id, Touchpoint.happened_at).where(
            Touchpoint.person_id == person_id
        ),
    ).subquery()


def call_role(call: Call, person_id: int) -> str:
    if call.person_id == person_id:
        return "called"
    if call.answered_by_id == person_id:
        return "answered"
    return "named"


def person_timeline(person: Person, page: int = 1, per_page: int = PAGE_SIZE) -> Timeline:
    """One page (newest first) of the person's calls and touchpoints, in a few queries."""
    page = min(max(page, 1), MAX_PAGE)
    entries = _entries(person.id)
    rows = db.session.execute(
        select(entries.c.source, entries.c.id)
        .order_by(entries.c.at.desc(), entries.c.source, entries.c.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    has_more = len(rows) > per_page
    rows = rows[:per_page]
    call_ids = [ident for source, ident in rows if source == "call"]
    touch_ids = [ident for source, ident in rows if source == "touchpoint"]
    calls = (
        {
            c.id: c
            for c in db.session.scalars(
                select(Call).where(Call.id.in_(call_ids)).options(selectinload(Call.user))
            )
        }
        if call_ids
        else {}
    )
    touches = (
        {
            t.id: t
            for t in db.session.scalars(
                select(Touchpoint)
                .where(Touchpoint.id.in_(touch_ids))
                .options(selectinload(Touchpoint.user))
            )
        }
        if touch_ids
        else {}
    )
    items = []
    for source, ident in rows:
        if source == "call":
            c = calls[ident]
            items.append(TimelineItem(c.started_at, c.user, call=c, role=call_role(c, person.id)))
        else:
            t = touches[ident]
            items.append(TimelineItem(t.happened_at, t.user, touchpoint=t))
    return Timeline(items, page, has_more)
