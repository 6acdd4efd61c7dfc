"""The calling screen's actions in words: what the queue services did, said to the recruiter.

The services (app.queue.service, app.queue.sessions) decide; this module turns form values into
their arguments and their answers and refusals into one sentence each for the screen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from werkzeug.datastructures import MultiDict

from app.errors import DomainError
from app.extensions import db
from app.models import Call, CallingSession, Company, Person, QueueItem, User
from app.queue.claims import current_item
from app.queue.forms import MAX_BULK, AddForm, BuildForm
from app.queue.quick_times import quick_follow_ups
from app.queue.service import add_to_queue, build_queue, release_item, snooze_item
from app.queue.sessions import current_session, end_session
from app.timezones import from_local, to_local
from app.validation import get_by_id

# The snooze choices in terms of the quick follow-up times (company local 9:00).
SNOOZE_QUICK_KEYS = {"tomorrow": "1", "next_week": "3"}


def target_name(item: QueueItem) -> str:
    """Who the item calls, in a few words."""
    if item.person is not None:
        return f"{item.person.display_name} at {item.company.name}"
    ask = f" (ask for {item.ask_for})" if item.ask_for else ""
    return f"{item.company.name} main line{ask}"


def took_message(item: QueueItem | None) -> str:
    """What taking next gave: the new target, or why there is none."""
    if item is None:
        return "Nothing left to call now."
    return f"Next: {target_name(item)}."


def logged_message(call: Call) -> str:
    names = len(call.people)
    return f"Call to {call.company.name} logged" + (
        f" with {names} {'person' if names == 1 else 'people'} linked." if names else ".")


# Service fields whose messages ("This field is required.") need their name to make sense.
FIELD_NAMES = {"reason": "Reason to skip", "until": "Snooze until", "ask_for": "Ask for",
               "source": "Source", "saved_search_id": "Saved search"}


def refusal(exc: Exception) -> str:
    """A service's refusal as one sentence, naming the field where the message does not."""
    if isinstance(exc, DomainError):
        return " ".join(dict.fromkeys(
            f"{FIELD_NAMES[path]}: {text}" if path in FIELD_NAMES and not text.startswith(
                FIELD_NAMES[path].split()[0]) else text
            for path, text in exc.fields.items()))
    return str(exc) or "You may not change this item."


def first_error(form) -> str:
    """The first problem of a small form, or the expired-token message."""
    for name, messages in form.errors.items():
        if name == "csrf_token":
            return "The form expired: reload the page and try again."
        label = getattr(getattr(form, name, None), "label", None)
        return f"{label.text if label else name}: {messages[0]}"
    return "The form could not be read."


def snooze_until(user: User, item: QueueItem, when: str | None, until_local: datetime | None,
                 now: datetime) -> datetime:
    """The end of a snooze: an hour, the company's tomorrow or next Monday 9:00, or a time typed
    in the recruiter's zone."""
    if until_local is not None:
        return from_local(until_local, user.timezone)
    if when == "1h":
        return now + timedelta(hours=1)
    key = SNOOZE_QUICK_KEYS.get(when or "")
    for choice in quick_follow_ups(item.company, user, now) if key else []:
        if choice.key == key:
            return choice.at
    raise DomainError({"until": "Pick how long to put this target aside."})


def snooze(user: User, item: QueueItem, when: str | None, until_local: datetime | None,
           now: datetime) -> str:
    """Snooze the item; returns the end in the recruiter's words ("Tue 09:00")."""
    until = snooze_until(user, item, when, until_local, now)
    snooze_item(user, item, until, now)
    return to_local(until, user.timezone).strftime("%a %d %b %H:%M")


def _add_people(user: User, ids: list[int]) -> tuple[str, str]:
    if len(ids) > MAX_BULK:
        return "error", f"Tick at most {MAX_BULK} people at once."
    people = {p.id: p for p in db.session.query(Person).filter(Person.id.in_(ids))}
    added = already = 0
    refused: list[str] = []
    for pid in ids:
        person = people.get(pid)
        if person is None:
            refused.append(f"#{pid} no longer exists")
            continue
        try:
            _item, created = add_to_queue(user, person=person)
        except DomainError as exc:
            refused.append(refusal(exc))
            continue
        added += created
        already += not created
    parts = [f"Added {added} to your queue."]
    if already:
        parts.append(f"{already} already in it.")
    if refused:
        parts.append(f"Not added ({len(refused)}): " + "; ".join(refused[:5]) +
                     ("…" if len(refused) > 5 else ""))
    return ("success" if added or already else "error"), " ".join(parts)


def add(user: User, form: AddForm, formdata: MultiDict) -> tuple[str, str]:
    """Add one person, a main line asking for someone, or many people; (flash category, text)."""
    ids = form.person_ids(formdata)
    if ids is not None:
        if not ids:
            return "error", "Tick the people to add first."
        return _add_people(user, ids)
    person = get_by_id(Person, form.person_id.data)
    company = None if person is not None else get_by_id(Company, form.company_id.data)
    if person is None and company is None:
        return "error", "That person or company no longer exists."
    try:
        item, created = add_to_queue(user, person=person, company=company,
                                     ask_for=form.ask_for.data or None)
    except DomainError as exc:
        return "error", "Not added: " + refusal(exc)
    if not created:
        return "info", f"Already in your queue: {target_name(item)}."
    return "success", f"Added to your queue: {target_name(item)}."


def build(user: User, form: BuildForm) -> tuple[str, str]:
    """Build from a source; (flash category, text)."""
    try:
        added = build_queue(user, form.source.data, company_id=form.company_id.data or None,
                            saved_search_id=form.saved_search_id.data or None)
    except DomainError as exc:
        return "error", "Nothing added: " + refusal(exc)
    source = {"follow_ups": "due follow-ups", "gaps": "org-chart gaps",
              "saved_search": "the saved search"}[form.source.data]
    if not added:
        return "info", (f"Nothing new from {source}: everything callable is already queued "
                        "or was worked in the last 24 hours.")
    return "success", f"Added {len(added)} from {source}."


def end_block(user: User, now: datetime) -> CallingSession | None:
    """End the running block; the target held goes back to the queue for teammates."""
    held = current_item(user)
    if held is not None:
        release_item(user, held)
    if current_session(user, now) is None:
        return None
    return end_session(user, now)
