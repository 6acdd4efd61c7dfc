"""Filling a queue from due follow-ups, org-chart gaps or a saved search, idempotently.

A target already open in the user's queue is left as it is, and one worked (done or skipped)
in the last 24 hours is not brought back, so building again right after a block adds nothing.
Targets that may not be called are left out without a word; one build adds at most BUILD_CAP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.calls.queries import due_follow_ups
from app.errors import DomainError
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    Call,
    Company,
    Person,
    QueueItem,
    QueueReason,
    QueueStatus,
    SavedSearch,
    User,
    now_utc,
)
from app.queue.gaps import find_gaps
from app.queue.items import insert_item, new_item
from app.queue.targets import bad_numbers, check_target, item_key, numbers_of
from app.search.query import QueryError
from app.search.service import run_search
from app.timezones import to_local
from app.validation import get_by_id

BUILD_CAP = 200
SOURCES = ("follow_ups", "gaps", "saved_search")
RECENT = timedelta(hours=24)
GAP_DAYS = 30
GAP_COMPANIES = 20


@dataclass
class Candidate:
    """A target a source proposes, with what the item should say about it."""

    company: Company
    person: Person | None
    reason: QueueReason
    ask_for: str | None = None
    why: str | None = None
    next_step: str | None = None
    source_call: Call | None = None
    saved_search: SavedSearch | None = None
    box: Person | None = None

    @property
    def key(self) -> str:
        return item_key(self.company.id, self.person.id if self.person else None, self.ask_for)


def _follow_ups(user: User) -> list[Candidate]:
    calls, _total = due_follow_ups(user, limit=BUILD_CAP)
    found = []
    for call in calls:
        if call.company is None:  # a caller nobody has on file: call back from Today instead
            continue
        when = to_local(call.follow_up_at, user.timezone)
        found.append(Candidate(call.company, call.person, QueueReason.FOLLOW_UP,
                               why=f"Follow-up due {when:%a %d %b %H:%M}",
                               next_step=call.follow_up_note, source_call=call))
    return found


def _recently_called_companies(user: User, now: datetime) -> list[Company]:
    latest = func.max(Call.started_at)
    ids = db.session.scalars(
        select(Call.company_id).where(Call.user_id == user.id,
                                      Call.started_at >= now - timedelta(days=GAP_DAYS))
        .group_by(Call.company_id).order_by(latest.desc()).limit(GAP_COMPANIES)).all()
    by_id = {c.id: c for c in db.session.scalars(select(Company).where(Company.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def _gaps(company_id: Any, user: User, now: datetime) -> list[Candidate]:
    if company_id in (None, ""):
        companies = _recently_called_companies(user, now)
    else:
        company = get_by_id(Company, company_id)
        if company is None:
            raise DomainError({"company_id": f"No company with id {company_id}."})
        companies = [company]
    found = []
    for company in companies:
        if company.off_limits:
            continue
        for gap in find_gaps(company):
            found.append(Candidate(company, gap.person, QueueReason.GAP, ask_for=gap.ask_for,
                                   why=gap.why, next_step=gap.next_step, box=gap.box))
    return found


def _saved_search(saved_search_id: Any, user: User) -> list[Candidate]:
    search = get_by_id(SavedSearch, saved_search_id)
    if search is None or search.user_id != user.id:
        raise DomainError({"saved_search_id": f"No saved search of yours with id "
                                              f"{saved_search_id}."})
    try:
        results = run_search(search.query, 1, user.timezone, per_page=BUILD_CAP)
    except QueryError as exc:
        raise DomainError({"saved_search_id": f"The saved search no longer reads: "
                                              f"{exc.message}"}) from None
    why = f"Saved search: {search.name}"
    found = [Candidate(p.company, p, QueueReason.SEARCH, why=why, saved_search=search)
             for p in results.people.items]
    found += [Candidate(c.person.company, c.person, QueueReason.SEARCH, why=why,
                        saved_search=search) for c in results.calls.items if c.person]
    found += [Candidate(c, None, QueueReason.SEARCH, why=why, saved_search=search)
              for c in results.companies.items]
    return found


def _recently_worked(user: User, now: datetime) -> set[str]:
    return set(db.session.scalars(select(QueueItem.item_key).where(
        QueueItem.user_id == user.id,
        QueueItem.status.in_([QueueStatus.DONE, QueueStatus.SKIPPED]),
        QueueItem.updated_at >= now - RECENT)))


def _open_items(user: User) -> dict[str, QueueItem]:
    return {i.item_key: i for i in db.session.scalars(select(QueueItem).where(
        QueueItem.user_id == user.id, QueueItem.status.in_(OPEN_STATUSES)))}


def _carry_follow_up(item: QueueItem, found: Candidate) -> None:
    """A due follow-up on a target queued for a lesser reason: the item now carries it."""
    if found.reason != QueueReason.FOLLOW_UP or item.source_call_id is not None:
        return
    item.reason, item.source_call_id = QueueReason.FOLLOW_UP, found.source_call.id
    item.why, item.next_step = found.why, (found.next_step or item.next_step)


def candidates(user: User, source: Any, company_id: Any = None, saved_search_id: Any = None,
               now: datetime | None = None) -> list[Candidate]:
    """The targets a source proposes, best first (not yet checked against the queue)."""
    now = now or now_utc()
    if source == "follow_ups":
        return _follow_ups(user)
    if source == "gaps":
        return _gaps(company_id, user, now)
    if source == "saved_search":
        if saved_search_id in (None, ""):
            raise DomainError({"saved_search_id": "Pick the saved search to queue."})
        return _saved_search(saved_search_id, user)
    raise DomainError({"source": "Choose one of: " + ", ".join(SOURCES) + "."})


def build_queue(user: User, source: Any, company_id: Any = None, saved_search_id: Any = None,
                now: datetime | None = None) -> list[QueueItem]:
    """Add a source's callable targets to the user's queue; returns the items added. Commits."""
    now = now or now_utc()
    found = candidates(user, source, company_id, saved_search_id, now)
    recent, open_items = _recently_worked(user, now), _open_items(user)
    # Dead numbers for every candidate in one pass, not two queries per candidate.
    bad = bad_numbers(n for c in found for n in numbers_of(c.company, c.person))
    added: list[QueueItem] = []
    seen: set[str] = set()
    for candidate in found:
        key = candidate.key
        if len(added) >= BUILD_CAP or key in seen or key in recent:
            continue
        seen.add(key)
        if key in open_items:
            _carry_follow_up(open_items[key], candidate)
            continue
        if not check_target(candidate.company, candidate.person, bad).callable:
            continue
        item, created = insert_item(new_item(
            user, candidate.company, candidate.person, candidate.ask_for, candidate.reason,
            why=candidate.why or candidate.reason.label, next_step=candidate.next_step,
            source_call=candidate.source_call, saved_search=candidate.saved_search,
            box=candidate.box))
        if created:
            added.append(item)
    db.session.commit()
    return added
