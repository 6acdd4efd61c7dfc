"""What the browser shows while an inbound call rings: who is calling and what we said last time."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Company, Person, User, now_utc
from app.telephony.inbound import in_ring_group
from app.timezones import to_local

# Enough history to pick up the thread in the seconds before answering, not a call log.
RECENT_CALLS = 5


@dataclass
class ScreenPop:
    call: Call
    number: str | None  # the caller's own number, as Twilio gave it
    person: Person | None
    company: Company | None
    company_time: datetime | None  # now at the company, when its time zone is known
    recent: list[Call]

    @property
    def known(self) -> bool:
        return self.person is not None or self.company is not None


def may_see(call: Call, user: User) -> bool:
    """The recruiter it rings, whoever the call is logged for, or an admin; a call routed to
    nobody in particular rings the team's ring group, each of whom gets its pop."""
    if user.is_admin or user.id in {call.routed_to_id, call.user_id}:
        return True
    return call.routed_to_id is None and in_ring_group(user)


def screen_pop_for(call: Call) -> ScreenPop:
    """The caller's cards and the last calls with them (the person's, else the company's line)."""
    person, company = call.person, call.company
    query = select(Call).where(Call.id != call.id)
    if person is not None:
        query = query.where(Call.person_id == person.id)
    elif company is not None:
        query = query.where(Call.company_id == company.id)
    recent = list(db.session.scalars(
        query.order_by(Call.started_at.desc(), Call.id.desc()).limit(RECENT_CALLS)
    )) if person is not None or company is not None else []
    company_time = (to_local(now_utc(), company.timezone)
                    if company is not None and company.timezone else None)
    return ScreenPop(call=call, number=call.caller_id, person=person, company=company,
                     company_time=company_time, recent=recent)
