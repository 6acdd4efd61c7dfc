"""Logging a call: the call, a new company, a new gatekeeper and every name uncovered, atomically.

Everything is validated before anything is written, and the whole write is one transaction: a bad
fourth row leaves nothing behind, and the caller gets every problem at once, keyed by field path.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.calls.rows import (
    Row,
    check_cycles,
    check_duplicates,
    clean_rows,
    get_or_error,
    named_people,
    refuse_people_gone,
)
from app.companies.service import build_company
from app.errors import AlreadyOnFileError, DomainError
from app.extensions import db
from app.models import Call, Company, Outcome, Person, PersonRole, PersonStatus, User, now_utc
from app.people.identity import capture_person, claim_name
from app.people.reporting import lock_reporting_lines
from app.people.service import (
    clean_person,
    duplicate_message,
    find_same_name,
    manager_problem,
    set_manager,
)
from app.queue.service import check_call_item, mark_done_by_call
from app.telephony.inbound import owns_callback
from app.validation import FieldErrors, clean_choice, clean_phone, clean_text

MAX_DURATION = 24 * 3600


def _resolve_company(data: dict, call: Call | None, author: User, errors: FieldErrors):
    if data.get("new_company"):
        return build_company(data["new_company"], author, errors, prefix="new_company.")
    if "company_id" not in data and call is not None:
        if call.company is None:  # an inbound call from a number nobody had on file
            errors.add("company_id", "Pick the caller's company, or add a new one.")
        return call.company
    company = get_or_error(Company, data.get("company_id"), errors, "company_id", "company")
    if company is None and "company_id" not in errors:
        errors.add("company_id", "Pick the company you called, or add a new one.")
    if call is not None and company is not None and company.id != call.company_id and (
        call.people or call.person_id or call.answered_by_id
    ):
        # Its people belong to the old company: moving only the call would split the record.
        errors.add("company_id", "This call's people work at another company; log a new call "
                                 "for this one instead.")
    return company


def _clean_call_fields(data: dict, company: Company | None, errors: FieldErrors,
                       call: Call | None) -> dict[str, Any]:
    partial = call is not None
    out: dict[str, Any] = {}
    region = company.country if company else "US"

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("outcome"):
        outcome = clean_choice(Outcome, data.get("outcome"), errors, "outcome")
        if outcome is None and "outcome" not in errors:
            errors.add("outcome", "Pick how the call went.")
        out["outcome"] = outcome
    if wanted("to_number") and not (call is not None and call.twilio_call_sid and not data.get(
        "to_number"
    )):  # a Twilio call keeps the number it dialled unless another is typed
        out["to_number"] = clean_phone(data.get("to_number"), region, errors, "to_number")
    if wanted("notes"):
        notes = data.get("notes")
        if notes is not None and not isinstance(notes, str):
            errors.add("notes", "Must be text.")
        elif notes and len(notes) > 100_000:
            errors.add("notes", "Notes are limited to 100,000 characters.")
        else:
            out["notes"] = (notes or "").strip() or None
    for key in ("started_at", "follow_up_at"):
        if wanted(key):
            value = data.get(key)
            if value is not None and not (isinstance(value, datetime) and value.tzinfo):
                errors.add(key, "Must be a date and time with a time zone.")
                value = None
            out[key] = value
    if wanted("started_at") and out.get("started_at") is None:
        out["started_at"] = call.started_at if call else now_utc()
    if wanted("duration_seconds"):
        duration = data.get("duration_seconds")
        if duration in (None, "") and call is not None and call.twilio_call_sid:
            pass  # a blank field keeps what Twilio measured
        elif duration in (None, ""):
            out["duration_seconds"] = None
        elif isinstance(duration, bool) or not isinstance(duration, int) or not (
            0 <= duration <= MAX_DURATION
        ):
            errors.add("duration_seconds", "Must be a number of seconds between 0 and 86400.")
        else:
            out["duration_seconds"] = duration
    if wanted("follow_up_note"):
        out["follow_up_note"] = clean_text(Call, "follow_up_note", data.get("follow_up_note"),
                                           errors, "follow_up_note")
        if out["follow_up_note"] and not (out.get("follow_up_at") or (call and call.follow_up_at)):
            errors.add("follow_up_at", "Pick when to follow up.")
    return out


def _live_call(author: User, sid: Any, errors: FieldErrors) -> Call | None:
    if not isinstance(sid, str):
        errors.add("twilio_call_sid", "Must be a Twilio call SID.")
        return None
    live = db.session.scalars(select(Call).where(Call.twilio_call_sid == sid)).first()
    if live is not None and live.user_id != author.id:
        errors.add("twilio_call_sid", "That call was placed by someone else.")
        return None
    return live


def save_call(author: User, data: dict[str, Any], call: Call | None = None,
              found: dict[str, str] | None = None) -> Call:
    """Create (or, given `call`, update) a call with its uncovered people in one transaction.

    A new call carrying `twilio_call_sid` completes the row Twilio's voice webhook already wrote.
    `found`: problems the caller's form already found; every check still runs, nothing is
    written, and they come back with the others in one DomainError.
    """
    errors = FieldErrors(found or {})
    if call is None and data.get("twilio_call_sid"):
        call = _live_call(author, data["twilio_call_sid"], errors)
    company = _resolve_company(data, call, author, errors)
    values = _clean_call_fields(data, company, errors, call)
    # On an update, a link that is not sent stays as it is.
    target = call.person if call is not None and "person_id" not in data else get_or_error(
        Person, data.get("person_id"), errors, "person_id", "person")
    keeps_answerer = call is not None and not (
        "answered_by_id" in data or data.get("new_gatekeeper"))
    answered = call.answered_by if keeps_answerer else get_or_error(
        Person, data.get("answered_by_id"), errors, "answered_by_id", "person")
    queue_item = check_call_item(author, data.get("queue_item_id"), company, errors)
    previous = get_or_error(Call, data.get("previous_call_id"), errors, "previous_call_id", "call")
    if previous is None and data.get("previous_call_id") in (None, "") and (
        queue_item is not None and queue_item.source_call is not None
    ):  # a follow-up item's call carries out that follow-up
        previous = queue_item.source_call
    if previous is not None and call is not None and previous.id == call.id:
        errors.add("previous_call_id", "A call cannot carry out its own follow-up.")
    elif previous is not None and not owns_callback(previous, author):
        # The rule of the direct "done" routes: only its author or an admin closes a follow-up
        # (and any ring-group member a missed call that rang them all).
        errors.add("previous_call_id", f"That follow-up belongs to {previous.user.name}: only "
                                       "they or an admin can close it.")
    rows: list[Row] = []
    matches: dict[str, list[int]] = {}
    gatekeeper_values: dict[str, Any] | None = None
    if company is not None:
        for path, person in (("person_id", target), ("answered_by_id", answered)):
            if person is not None and person.company_id != company.id:
                errors.add(path, f"{person.display_name} works at another company.")
        rows = clean_rows(data.get("people"), company, errors)
        matches = check_duplicates(rows, company, errors)
        check_cycles(rows, errors)
        if data.get("new_gatekeeper"):
            gatekeeper_values = clean_person(data["new_gatekeeper"], company, errors,
                                             prefix="new_gatekeeper.")
            name = gatekeeper_values.get("full_name")
            if name and company.id and (found := find_same_name(company.id, name)):
                errors.add("new_gatekeeper.full_name", duplicate_message(found))
                matches["new_gatekeeper.full_name"] = [p.id for p in found]
    if errors:
        # Only "already on file" problems: a conflict the sourcer resolves by picking a match.
        only_duplicates = bool(matches) and len(matches) == len(errors)
        raise (AlreadyOnFileError if only_duplicates else DomainError)(errors, matches)
    try:
        return _write(author, call, company, values, target, answered, previous, rows,
                      gatekeeper_values, queue_item)
    except (SQLAlchemyError, DomainError):
        db.session.rollback()
        raise


def _write(author, call, company, values, target, answered, previous, rows, gatekeeper_values,
           queue_item=None):
    named = named_people(rows, target, answered)  # ids read before the lock expires them
    if rows:
        # Rows may set who reports to whom. The lock comes after the checks, so two calls
        # capturing one new name at once both reach the person insert, where the unique name
        # key makes the later one link to the earlier one's person instead of refusing it; and
        # before this transaction's first write, so no writer holds a row another one waits for.
        lock_reporting_lines(company.id)
    # Every call naming someone on file, rows or not: a merge or erasure under way finishes
    # first (and this call is refused), or waits for this call and then moves it.
    refuse_people_gone(company.id, named)
    if call is None:
        call = Call(user=author)
        db.session.add(call)
    if company.id is None:
        db.session.add(company)
    call.company = company
    for key, value in values.items():
        setattr(call, key, value)
    call.person = target
    if gatekeeper_values is not None:
        gatekeeper_values.update(role=PersonRole.GATEKEEPER, status=PersonStatus.VERIFIED)
        answered, _ = capture_person(company, gatekeeper_values, created_by=author,
                                     source_call=call)
    call.answered_by = answered
    if previous is not None and previous.follow_up_done_at is None:
        call.previous_call = previous
        previous.follow_up_done_at = now_utc()
    linked = list(call.people)
    for person in (target, answered):
        if person is not None and person not in linked:
            linked.append(person)
    people_by_row: dict[int, Person] = {}
    won_elsewhere: set[int] = set()  # rows whose new name another request wrote first
    for row in rows:
        if row.person is None:
            person, created = capture_person(company, row.values, row.extras["allow_duplicate"],
                                             created_by=author, source_call=call)
            if not created:
                won_elsewhere.add(row.index)
        else:
            person = row.person
            # Read before the changes: the lock expired it, and a load after them would flush a
            # new name outside claim_name's savepoint.
            naming_a_box = person.placeholder
            for key, value in row.values.items():
                setattr(person, key, value)
            if naming_a_box and person.full_name:
                person.placeholder = False  # the call named an empty box: it keeps its place
                try:
                    claim_name(person, row.extras["allow_duplicate"])
                except AlreadyOnFileError as exc:  # taken since the check: offer them on the row
                    path = f"people.{row.index}.full_name"
                    raise AlreadyOnFileError({path: exc.fields["full_name"]},
                                             {path: exc.matches["full_name"]}) from None
        people_by_row[row.index] = person
        if person not in linked:
            linked.append(person)
    for row in rows:
        manager = people_by_row[row.manager_row] if row.manager_row is not None else row.manager
        person = people_by_row[row.index]
        if manager is not None and row.index in won_elsewhere and (
            person.reports_to_id is not None or manager_problem(person.id, manager, company.id)
        ):
            continue  # like its other fields, a linked person's manager is only filled if blank
        if manager is not None:
            # Provenance: this call (and whoever answered it) is where the link was learned.
            set_manager(person, manager, author, source_call=call, told_by=call.answered_by)
    call.people = linked
    if target is not None and call.outcome == Outcome.CONNECTED and target.status in (
        PersonStatus.UNCOVERED, PersonStatus.VERIFIED
    ):
        target.status = PersonStatus.CONTACTED
    if queue_item is not None:
        mark_done_by_call(queue_item, call, author)
    db.session.commit()
    return call


def complete_follow_up(call: Call) -> None:
    """Mark a call's follow-up as done without logging a new call."""
    call.follow_up_done_at = now_utc()
    db.session.commit()
