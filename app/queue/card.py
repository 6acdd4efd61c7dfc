"""The target card of the calling screen: everything to know before the phone is picked up.

Loaded in a handful of queries whatever the size of the company: the item with its company,
person, box and follow-up call (one query with joins), the last calls to that person or line
(one), and the gatekeepers and phone-tree path of the main line (app.companies' own loaders).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Call, Company, Person, QueueItem, QueueReason, User
from app.queue.targets import dial_number, local_now, within_calling_hours
from app.telephony.dialer import extension_to_key

RECENT_CALLS = 5


@dataclass
class LocalClock:
    """Now at the company: the time, its zone, and whether it is inside calling hours."""

    time: datetime
    zone: str
    within_hours: bool

    @property
    def text(self) -> str:
        return f"{self.time:%a %H:%M}"


@dataclass
class TargetCard:
    """What the card shows for one queue item."""

    item: QueueItem
    company: Company
    person: Person | None
    dial_number: str | None  # E.164, what the dialer and the call form start from
    extension: str | None  # to key in after the main line answers
    clock: LocalClock
    recent_calls: list[Call]
    follow_up: Call | None  # the call whose follow-up this item carries out
    box: Person | None  # the empty box a gap item is meant to fill
    gatekeepers: list = field(default_factory=list)
    phone_tree: list = field(default_factory=list)

    @property
    def is_main_line(self) -> bool:
        return self.person is None

    @property
    def title(self) -> str:
        """The card's heading: who to call, or the main line and whom to ask for."""
        if self.person is not None:
            return self.person.display_name
        return f"{self.company.name} main line"

    @property
    def ask_for(self) -> str | None:
        return self.item.ask_for

    @property
    def reason(self) -> QueueReason:
        return self.item.reason

    @property
    def announcement(self) -> str:
        """One sentence for screen readers when the target loads."""
        where = f" at {self.company.name}" if self.person is not None else ""
        ask = f", ask for {self.ask_for}" if self.ask_for else ""
        hours = "" if self.clock.within_hours else ", outside calling hours"
        return f"Now calling {self.title}{where}{ask}{hours}."


def local_clock(company: Company, now: datetime) -> LocalClock:
    """Now in the company's zone (UTC when it has none) and whether calling hours allow a call."""
    return LocalClock(time=local_now(company, now), zone=company.timezone or "UTC",
                      within_hours=within_calling_hours(company, now))


def recent_calls(item: QueueItem, limit: int = RECENT_CALLS) -> list[Call]:
    """The last calls to this person (aimed at or answered by them), or to this main line."""
    query = select(Call).options(joinedload(Call.user), joinedload(Call.answered_by),
                                 joinedload(Call.person))
    if item.person_id is not None:
        query = query.where(or_(Call.person_id == item.person_id,
                                Call.answered_by_id == item.person_id))
    else:
        main = item.company.main_phone
        line = Call.person_id.is_(None)
        query = query.where(Call.company_id == item.company_id,
                            or_(line, Call.to_number == main) if main else line)
    return list(db.session.scalars(query.order_by(Call.started_at.desc(), Call.id.desc())
                                   .limit(limit)))


def load_item(item_id: int, user: User) -> QueueItem | None:
    """The user's own queue item with what the card reads, in one query; None if not theirs."""
    item = db.session.scalars(
        select(QueueItem).where(QueueItem.id == item_id, QueueItem.user_id == user.id)
        .options(joinedload(QueueItem.company), joinedload(QueueItem.person)
                 .joinedload(Person.reports_to), joinedload(QueueItem.box)
                 .joinedload(Person.reports_to), joinedload(QueueItem.source_call))
    ).first()
    return item


def build_card(item: QueueItem, now: datetime) -> TargetCard:
    """The card for an item (loaded with load_item, or any item of the user's)."""
    from app.companies.gatekeepers import gatekeepers_of
    from app.companies.phone_tree import steps_of

    company = item.company
    number = dial_number(company, item.person)
    return TargetCard(
        item=item, company=company, person=item.person, dial_number=number,
        extension=extension_to_key(item.person, number), clock=local_clock(company, now),
        recent_calls=recent_calls(item),
        follow_up=item.source_call, box=item.box, gatekeepers=gatekeepers_of(company),
        phone_tree=steps_of(company))
