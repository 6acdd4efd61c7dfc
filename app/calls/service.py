"""Logging a call: the call, a new company, a new gatekeeper and every name uncovered, atomically.

Everything is validated before anything is written, and the whole write is one transaction: a bad
fourth row leaves nothing behind, and the caller gets every problem at once, keyed by field path.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app.companies.service import build_company
from app.errors import AlreadyOnFileError, DomainError
from app.extensions import db
from app.models import Call, Company, Outcome, Person, PersonRole, PersonStatus, User, now_utc
from app.models.person import person_name_key
from app.people.identity import capture_person, claim_name
from app.people.reporting import current_rows, lock_reporting_lines
from app.people.service import (
    clean_person,
    duplicate_message,
    find_same_name,
    manager_problem,
    set_manager,
)
from app.validation import MAX_ID, FieldErrors, clean_choice, clean_phone, clean_text

MAX_ROWS = 50
MAX_DURATION = 24 * 3600


@dataclass
class _Row:
    """One "names uncovered" row after cleaning."""

    index: int
    values: dict[str, Any]
    person: Person | None = None  # existing person this row refers to
    manager: Person | None = None
    manager_row: int | None = None
    new: bool = True
    extras: dict[str, Any] = field(default_factory=dict)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value <= MAX_ID else None


def _get(model: type, value: Any, errors: FieldErrors, path: str, label: str):
    if value in (None, ""):
        return None
    ident = _as_id(value)
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        errors.add(path, f"No {label} with id {value}.")
    return obj


def _resolve_company(data: dict, call: Call | None, author: User, errors: FieldErrors):
    if data.get("new_company"):
        return build_company(data["new_company"], author, errors, prefix="new_company.")
    if "company_id" not in data and call is not None:
        return call.company
    company = _get(Company, data.get("company_id"), errors, "company_id", "company")
    if company is None and "company_id" not in errors:
        errors.add("company_id", "Pick the company you called, or add a new one.")
    if call is not None and company is not None and company.id != call.company_id and (
        call.people or call.person_id or call.answered_by_id
    ):
        # Its people belong to the old company: moving only the call would split the record.
        errors.add("company_id", "This call's people work at another company; log a new call "
                                 "for this one instead.")
    return company


def _clean_rows(raw_rows: Any, company: Company, errors: FieldErrors) -> list[_Row]:
    if raw_rows in (None, ""):
        return []
    if not isinstance(raw_rows, list):
        errors.add("people", "Must be a list of people.")
        return []
    if len(raw_rows) > MAX_ROWS:
        errors.add("people", f"At most {MAX_ROWS} names per call.")
        return []
    rows: list[_Row] = []
    for i, raw in enumerate(raw_rows):
        path = f"people.{i}."
        if not isinstance(raw, dict):
            errors.add(f"people.{i}", "Must be an object with person fields.")
            continue
        existing = _get(Person, raw.get("id"), errors, path + "id", "person")
        if existing is not None and existing.company_id != company.id:
            errors.add(path + "id", f"{existing.display_name} works at another company.")
        # A row for an existing person only carries what the call added; blanks change nothing.
        given = {k: v for k, v in raw.items() if v not in (None, "")} if existing else raw
        values = clean_person(given, company, errors, prefix=path, partial=existing is not None)
        if existing is None and "status" not in raw:
            values["status"] = PersonStatus.UNCOVERED
        renamed = values.get("full_name")
        if existing is not None and renamed and not existing.placeholder and (
            person_name_key(renamed) != existing.name_key
        ):
            # A row links to someone as they are; a rename belongs on their own page.
            errors.add(path + "full_name", f"This row is {existing.display_name}: to rename "
                                           "them, edit the person.")
        row = _Row(i, values, person=existing, new=existing is None)
        ref = raw.get("reports_to")
        if isinstance(ref, dict):
            target = ref.get("row")
            if not isinstance(target, int) or isinstance(target, bool) or not (
                0 <= target < len(raw_rows)
            ) or target == i:
                errors.add(path + "reports_to", "Must point at another row of this call.")
            else:
                row.manager_row = target
        elif ref not in (None, ""):
            row.manager = _get(Person, ref, errors, path + "reports_to", "person")
            if row.manager is not None and row.manager.company_id != company.id:
                errors.add(path + "reports_to",
                           f"{row.manager.display_name} works at another company.")
        row.extras["allow_duplicate"] = bool(raw.get("allow_duplicate"))
        rows.append(row)
    return rows


def _check_duplicates(rows: list[_Row], company: Company, errors: FieldErrors) -> dict:
    matches: dict[str, list[int]] = {}
    seen: dict[str, int] = {}
    for row in rows:
        name = row.values.get("full_name")
        # A new name, or the first name of an empty box: either may already be on file.
        naming = row.new or (row.person.placeholder and not row.person.full_name)
        if not naming or not name:
            continue
        key = person_name_key(name)
        if key in seen and not row.extras["allow_duplicate"]:
            errors.add(f"people.{row.index}.full_name",
                       f"{name} is already in row {seen[key] + 1} of this call.")
        seen.setdefault(key, row.index)
        if company.id is None or row.extras["allow_duplicate"]:
            continue
        if found := find_same_name(company.id, name):
            path = f"people.{row.index}.full_name"
            errors.add(path, duplicate_message(found))
            matches[path] = [p.id for p in found]
    return matches


def _check_cycles(rows: list[_Row], errors: FieldErrors) -> None:
    """Follow each row's chain of managers, through rows and stored people; a repeat is a cycle."""
    by_person = {row.person.id: row for row in rows if row.person is not None}

    def node_of_row(row: _Row) -> tuple[str, int]:
        return ("p", row.person.id) if row.person is not None else ("r", row.index)

    def manager_of(node: tuple[str, int]) -> tuple[str, int] | None:
        kind, key = node
        row = rows[key] if kind == "r" else by_person.get(key)
        if row is not None and row.manager_row is not None:
            return node_of_row(rows[row.manager_row])
        if row is not None and row.manager is not None:
            return ("p", row.manager.id)
        if kind == "p":
            stored = db.session.get(Person, key)
            if stored is not None and stored.reports_to_id is not None:
                return ("p", stored.reports_to_id)
        return None

    for row in rows:
        seen: set[tuple[str, int]] = set()
        node: tuple[str, int] | None = node_of_row(row)
        while node is not None:
            if node in seen:
                errors.add(f"people.{row.index}.reports_to",
                           "That would make a reporting cycle (someone would be their own boss).")
                break
            seen.add(node)
            node = manager_of(node)


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


def save_call(author: User, data: dict[str, Any], call: Call | None = None) -> Call:
    """Create (or, given `call`, update) a call with its uncovered people in one transaction.

    A new call carrying `twilio_call_sid` completes the row Twilio's voice webhook already wrote.
    """
    errors = FieldErrors()
    if call is None and data.get("twilio_call_sid"):
        call = _live_call(author, data["twilio_call_sid"], errors)
    company = _resolve_company(data, call, author, errors)
    values = _clean_call_fields(data, company, errors, call)
    # On an update, a link that is not sent stays as it is.
    target = _get(Person, data.get("person_id"), errors, "person_id", "person") if (
        call is None or "person_id" in data) else call.person
    answered = _get(Person, data.get("answered_by_id"), errors, "answered_by_id", "person") if (
        call is None or "answered_by_id" in data or data.get("new_gatekeeper")
    ) else call.answered_by
    previous = _get(Call, data.get("previous_call_id"), errors, "previous_call_id", "call")
    if previous is not None and call is not None and previous.id == call.id:
        errors.add("previous_call_id", "A call cannot carry out its own follow-up.")
    elif previous is not None and not previous.editable_by(author):
        # The rule of the direct "done" routes: only its author or an admin closes a follow-up.
        errors.add("previous_call_id", f"That follow-up belongs to {previous.user.name}: only "
                                       "they or an admin can close it.")
    rows: list[_Row] = []
    matches: dict[str, list[int]] = {}
    gatekeeper_values: dict[str, Any] | None = None
    if company is not None:
        for path, person in (("person_id", target), ("answered_by_id", answered)):
            if person is not None and person.company_id != company.id:
                errors.add(path, f"{person.display_name} works at another company.")
        rows = _clean_rows(data.get("people"), company, errors)
        matches = _check_duplicates(rows, company, errors)
        _check_cycles(rows, errors)
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
                      gatekeeper_values)
    except (SQLAlchemyError, DomainError):
        db.session.rollback()
        raise


def _write(author, call, company, values, target, answered, previous, rows, gatekeeper_values):
    if rows:
        # Rows may set who reports to whom. The lock comes after the checks, so two calls
        # capturing one new name at once both reach the person insert, where the unique name
        # key makes the later one link to the earlier one's person instead of refusing it; and
        # before this transaction's first write, so no writer holds a row another one waits for.
        named = _named_people(rows, target, answered)  # ids read before the lock expires them
        lock_reporting_lines(company.id)
        _refuse_people_gone(named)
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
    db.session.commit()
    return call


def _named_people(rows, target, answered) -> dict[int, str]:
    """Each person on file this call names, by id, with the field that names them."""
    named = {p.id: path for path, p in (("person_id", target), ("answered_by_id", answered)) if p}
    for row in rows:
        for path, person in (("person_id", row.person), ("reports_to", row.manager)):
            if person is not None:
                named.setdefault(person.id, f"people.{row.index}.{path}")
    return named


def _refuse_people_gone(named: dict[int, str]) -> None:
    """Under the lock: someone this call names was merged or erased meanwhile (nothing written)."""
    gone = set(named) - set(current_rows(set(named))) if named else set()
    if gone:
        raise DomainError({named[pid]: "Someone merged or erased this person a moment ago: "
                                       "reload the page and pick them again." for pid in gone})


def complete_follow_up(call: Call) -> None:
    """Mark a call's follow-up as done without logging a new call."""
    call.follow_up_done_at = now_utc()
    db.session.commit()
