"""Read-side queries for calls: lists, filters and follow-ups."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Company, Direction, Outcome, User
from app.telephony.inbound import in_ring_group
from app.textmatch import contains
from app.timezones import from_local, to_local


def end_of_today_utc(user: User) -> datetime:
    local_now = to_local(datetime.now().astimezone(), user.timezone)
    tomorrow = datetime.combine(local_now.date() + timedelta(days=1), time())
    return from_local(tomorrow, user.timezone)


FOLLOW_UPS_SHOWN = 50


def due_follow_ups(user: User, limit: int = FOLLOW_UPS_SHOWN) -> tuple[list[Call], int]:
    """The user's open follow-ups due before the end of their today, oldest first, and how many
    there are in all (the page shows the first `limit`)."""
    due = and_(Call.user_id == user.id, Call.follow_up_at.is_not(None),
               Call.follow_up_done_at.is_(None), Call.follow_up_at < end_of_today_utc(user))
    total = db.session.scalar(select(func.count(Call.id)).where(due)) or 0
    query = (
        select(Call).where(due)
        .options(selectinload(Call.company), selectinload(Call.person))
        .order_by(Call.follow_up_at).limit(limit)
    )
    return list(db.session.scalars(query)), total


def recent_calls(limit: int) -> list[Call]:
    query = (select(Call).options(selectinload(Call.company), selectinload(Call.user),
                                  selectinload(Call.person))
             .order_by(Call.started_at.desc(), Call.id.desc()).limit(limit))
    return list(db.session.scalars(query))


@dataclass
class CallFilter:
    user_id: int | None = None
    company_id: int | None = None
    company_name: str | None = None
    outcome: Outcome | None = None
    date_from: date | None = None
    date_to: date | None = None


def filtered_calls(flt: CallFilter, viewer: User) -> Select:
    """Calls matching the filter, newest first; dates are days in the viewer's time zone."""
    query = select(Call).options(selectinload(Call.company), selectinload(Call.user),
                                 selectinload(Call.person), selectinload(Call.people))
    if flt.user_id:
        query = query.where(Call.user_id == flt.user_id)
    if flt.company_id:
        query = query.where(Call.company_id == flt.company_id)
    if flt.company_name:
        query = query.where(Call.company_id.in_(
            select(Company.id).where(contains(flt.company_name, Company.name))))
    if flt.outcome:
        query = query.where(Call.outcome == flt.outcome)
    if flt.date_from:
        query = query.where(Call.started_at >= from_local(
            datetime.combine(flt.date_from, time()), viewer.timezone))
    if flt.date_to:
        query = query.where(Call.started_at < from_local(
            datetime.combine(flt.date_to + timedelta(days=1), time()), viewer.timezone))
    return query.order_by(Call.started_at.desc(), Call.id.desc())


def open_follow_ups_for_company(company_id: int) -> list[Call]:
    query = (select(Call).where(Call.company_id == company_id, Call.follow_up_at.is_not(None),
                                Call.follow_up_done_at.is_(None))
             .options(selectinload(Call.user), selectinload(Call.person))
             .order_by(Call.follow_up_at))
    return list(db.session.scalars(query))


MISSED_SHOWN = 20


def missed_calls(user: User, limit: int = MISSED_SHOWN) -> list[Call]:
    """The user's inbound calls nobody took whose call-back is still open, newest first; a
    call that rang the whole ring group is every member's until one of them calls back."""
    mine = Call.user_id == user.id
    if in_ring_group(user):
        mine = or_(mine, Call.routed_to_id.is_(None))
    query = (
        select(Call)
        .where(mine, Call.direction == Direction.INBOUND,
               Call.answered_at.is_(None), Call.follow_up_at.is_not(None),
               Call.follow_up_done_at.is_(None))
        .options(selectinload(Call.company), selectinload(Call.person))
        .order_by(Call.started_at.desc(), Call.id.desc()).limit(limit)
    )
    return list(db.session.scalars(query))
