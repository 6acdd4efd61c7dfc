"""Everything the calling screen (/queue) shows at once, assembled for its templates.

The screen is: the recruiter's queue (open items in the order `next` takes them, snoozed ones and
what this block has done), the target they hold with its card, the dialer and the call form
bound to it, and the running block's numbers. Each part is read in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.calls.forms import CallForm
from app.calls.prefill import form_context, prefill
from app.extensions import db
from app.models import (
    CallingSession,
    Company,
    QueueItem,
    QueueStatus,
    SavedSearch,
    User,
)
from app.phones import format_national
from app.queue.card import TargetCard, build_card, load_item
from app.queue.claims import current_item
from app.queue.listing import QueueView, queue_view, teammates_calling
from app.queue.quick_times import QuickTime, quick_follow_ups
from app.queue.session_stats import SessionSummary, session_summary
from app.queue.sessions import current_session
from app.telephony import settings
from app.telephony.dialer import Dialer, build_dialer

RECENT_COMPANIES = 30


@dataclass
class Side:
    """The block's numbers and the queue list: sent after the next target when the screen swaps."""

    queue: QueueView
    session: CallingSession | None = None
    summary: SessionSummary | None = None
    done: list[QueueItem] = field(default_factory=list)
    saved_searches: list[SavedSearch] = field(default_factory=list)
    gap_companies: list[tuple[int, str]] = field(default_factory=list)
    current_company_id: int | None = None  # the target's, preselected for "Add gaps"
    teammates: list[QueueItem] = field(default_factory=list)  # what the team is calling now

    @property
    def minutes_in_block(self) -> int:
        if self.session is None:
            return 0
        end = self.session.ended_at or self.session.last_activity_at
        return max(0, int((end - self.session.started_at).total_seconds() // 60))


@dataclass
class Screen:
    """The calling screen's parts; `target` is None when nothing is held, `side` None when it
    follows in a second request (the screen's script fetches it after showing the target)."""

    side: Side | None = None
    target: TargetCard | None = None
    form: CallForm | None = None
    form_context: dict = field(default_factory=dict)
    dialer: Dialer | None = None
    quick_times: list[QuickTime] = field(default_factory=list)
    calling: bool = False  # calling through Twilio is set up (the page loads the dialer script)
    form_refused: bool = False  # the form is a posted one that saved nothing
    message: str | None = None  # what just happened (logged, skipped...), for the status line
    error: str | None = None  # why the last action was refused


def bind_form(card: TargetCard, user: User, form: CallForm | None = None,
              blank_rows: int | None = None) -> CallForm:
    """The call form for this target: company, person, number, follow-up and item filled in.

    A form posted back with errors is kept exactly as typed; only a new one is filled, with
    `blank_rows` empty name rows when given (the script adds more with Alt+R).
    """
    if form is not None:
        return form
    form = CallForm(formdata=None)
    while blank_rows is not None and len(form.people.entries) > blank_rows:
        form.people.pop_entry()
    item = card.item
    prefill(form, {"company_id": item.company_id, "person_id": item.person_id or ""}, user=user)
    if card.dial_number:
        form.to_number.data = format_national(card.dial_number, card.company.country)
    follow_up = card.follow_up
    if follow_up is not None and follow_up.follow_up_done_at is None and (
        follow_up.editable_by(user)
    ):
        form.previous_call_id.data = str(follow_up.id)
    form.queue_item_id.data = str(item.id)
    # One draft per item: notes typed during a call survive a crash and come back for it.
    form.draft_key.data = f"queue:{item.id}"
    # Left blank, the call is stamped when saved: the dial comes after the target loads, and a
    # minute-rounded time from now could fall before the calling block it belongs to began.
    form.started_at.data = None
    return form


def done_this_block(user: User, session: CallingSession | None) -> list[QueueItem]:
    """Items done or skipped in the running block, latest first."""
    if session is None:
        return []
    return list(db.session.scalars(
        select(QueueItem).where(QueueItem.user_id == user.id, QueueItem.session_id == session.id,
                                QueueItem.status.in_([QueueStatus.DONE, QueueStatus.SKIPPED]))
        .options(selectinload(QueueItem.person), selectinload(QueueItem.company))
        .order_by(QueueItem.updated_at.desc()).limit(100)))


def gap_companies(items: list[QueueItem], current: Company | None) -> list[tuple[int, str]]:
    """Companies to build gap items for: the target's, then those in the queue (no query)."""
    found: dict[int, str] = {}
    for company in ([current] if current is not None else []) + [i.company for i in items]:
        if len(found) >= RECENT_COMPANIES:
            break
        found.setdefault(company.id, company.name)
    return list(found.items())


def build_side(user: User, now: datetime, current: Company | None = None) -> Side:
    """The block's numbers, the queue list, and what the "fill the queue" forms offer."""
    session = current_session(user, now)
    side = Side(queue=queue_view(user, now), session=session,
                summary=session_summary(session) if session is not None else None,
                done=done_this_block(user, session),
                current_company_id=current.id if current is not None else None)
    side.saved_searches = list(db.session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.name)))
    side.gap_companies = gap_companies([entry.item for entry in side.queue.pending], current)
    side.teammates = teammates_calling(user, now)
    return side


def build_screen(user: User, now: datetime, form: CallForm | None = None,
                 item: QueueItem | None = None, message: str | None = None,
                 error: str | None = None, side: bool = True) -> Screen:
    """The whole screen for this user now.

    `item` is the target to show (by default the one the user holds), `form` a posted call form
    to show again as typed, `message` and `error` what just happened. With `side` False the
    block's numbers and the list are left for a second request, unless no target is held (the
    empty screen explains itself from the list).
    """
    screen = Screen(message=message, error=error)
    screen.calling = settings.calling_enabled()
    if item is None:
        item = current_item(user)
    item = load_item(item.id, user) if item is not None else None
    if item is not None:
        card = build_card(item, now)
        screen.target = card
        # A swapped-in form is always scripted: one blank row, and Alt+R for more.
        screen.form = bind_form(card, user, form, blank_rows=None if side else 1)
        screen.form_refused = form is not None
        screen.form_context = form_context(screen.form, lazy_people=True)
        screen.quick_times = quick_follow_ups(card.company, user, now)
        if screen.calling:
            screen.dialer = build_dialer(card.company, card.person, card.dial_number)
    if side or item is None:
        screen.side = build_side(user, now, item.company if item is not None else None)
    return screen
