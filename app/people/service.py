"""Key players: cleaning, duplicate detection and the reports-to rules (same company, no cycles)."""

import re
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.errors import AlreadyOnFileError, DomainError, ReportsToCycleError
from app.extensions import db
from app.models import Call, Company, Person, PersonRole, PersonStatus, ReportingLink, User, now_utc
from app.models.person import person_name_key
from app.people.identity import claim_name
from app.people.reporting import (
    CYCLE_MESSAGE,
    chain_reaches,
    hold_people,
    lock_reporting_lines,
)
from app.validation import MAX_ID, FieldErrors, clean_choice, clean_phone, clean_text

TEXT_FIELDS = ("title", "department", "email", "linkedin_url", "notes")
PHONE_FIELDS = ("direct_phone", "mobile_phone")


def clean_email(value: str, errors: FieldErrors, path: str) -> str | None:
    """An address mail systems accept (accented domains too: the API documents idn-email).

    No deliverability lookup (no network on save); test and example domains are allowed.
    """
    try:
        return validate_email(value, check_deliverability=False, globally_deliverable=False,
                              test_environment=True).normalized
    except EmailNotValidError:
        errors.add(path, "That does not look like an email address.")
        return None


def normalize_name(name: str) -> str:
    return " ".join(name.split())


def clean_person(
    data: dict[str, Any], company: Company, errors: FieldErrors, prefix: str = "", partial=False,
    placeholder: bool = False,
) -> dict[str, Any]:
    """Turn raw person fields into model values; only keys present in data when partial.

    A placeholder (a known position, holder unknown) needs a title and may have no name.
    """
    out: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("full_name"):
        name = clean_text(Person, "full_name", data.get("full_name"), errors, prefix + "full_name",
                          required=not placeholder)
        if name:
            out["full_name"] = normalize_name(name)
    for key in TEXT_FIELDS:
        if wanted(key):
            out[key] = clean_text(Person, key, data.get(key), errors, prefix + key)
    if out.get("email"):
        out["email"] = clean_email(out["email"], errors, prefix + "email")
    if out.get("linkedin_url") and not out["linkedin_url"].startswith(("https://", "http://")):
        errors.add(prefix + "linkedin_url", "Paste the full address, starting with https://.")
    if wanted("extension"):
        ext = clean_text(Person, "extension", data.get("extension"), errors, prefix + "extension")
        if ext and not re.fullmatch(r"[0-9*#]{1,10}", ext):
            errors.add(prefix + "extension", "Digits only (up to 10), e.g. 4471.")
        out["extension"] = ext
    for key in PHONE_FIELDS:
        if wanted(key):
            out[key] = clean_phone(data.get(key), company.country, errors, prefix + key)
    if wanted("role"):
        out["role"] = clean_choice(PersonRole, data.get("role"), errors, prefix + "role",
                                   PersonRole.OTHER)
    if wanted("status"):
        out["status"] = clean_choice(PersonStatus, data.get("status"), errors, prefix + "status",
                                     PersonStatus.UNCOVERED)
    if placeholder and not partial and not out.get("title"):
        errors.add(prefix + "title", "A placeholder needs the position's title.")
    return out


def hold_person(person: Person, reporting: bool = False) -> None:
    """Keep person from being merged or erased until commit, or refuse: they went meanwhile.

    `reporting`: the write also changes reporting lines, so the company's lock comes first (the
    order merges take them in).
    """
    # Read before waiting: the row may be gone after, and the lock expires loaded people.
    person_id, company_id, name = person.id, person.company_id, person.display_name
    if reporting:
        lock_reporting_lines(company_id)
    if hold_people(company_id, {person_id}):
        db.session.rollback()
        raise DomainError({"_": f"{name} is no longer on file (merged or erased meanwhile)."})


def find_same_name(company_id: int, full_name: str, exclude_id: int | None = None) -> list[Person]:
    """People at the company whose name matches, ignoring case, Unicode form and extra spaces."""
    query = select(Person).where(
        Person.company_id == company_id, Person.name_key == person_name_key(full_name)
    ).order_by(Person.namesake, Person.id)
    if exclude_id:
        query = query.where(Person.id != exclude_id)
    return list(db.session.scalars(query))


def duplicate_message(matches: list[Person]) -> str:
    first = matches[0]
    label = first.display_name + (f", {first.title}" if first.title else "")
    return f"{label} is already on file at this company. Use the existing person, or confirm "\
           "this is someone else."


def manager_problem(person_id: int | None, manager: Person | None, company_id: int) -> str | None:
    """Why `manager` cannot be the manager of person `person_id`, or None when it can.

    Reads the tree from the database: call it after `lock_reporting_lines`.
    """
    if manager is None:
        return None
    if manager.company_id != company_id:
        return f"{manager.display_name} works at another company; a manager must be a colleague."
    if person_id is not None and chain_reaches(manager.id, person_id):
        return CYCLE_MESSAGE
    return None


def resolve_manager(value: Any, errors: FieldErrors, path: str) -> Person | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not (
        str(value).isascii() and str(value).isdigit()
    ):
        errors.add(path, "Must be the id of a person.")
        return None
    # Read again, not from the session: they may have been merged away since the page loaded.
    manager = db.session.get(Person, int(value), populate_existing=True) if (
        int(value) <= MAX_ID) else None
    if manager is None:
        errors.add(path, f"No person with id {value}.")
    return manager


def _refuse(errors: FieldErrors, matches: list[Person]) -> None:
    """A name already on file: alone, a 409 offering the record; with other problems, all of them.
    """
    if errors:
        errors.add("full_name", duplicate_message(matches))
        raise DomainError(errors, {"full_name": [m.id for m in matches]})
    raise AlreadyOnFileError(
        {"full_name": duplicate_message(matches)}, {"full_name": [m.id for m in matches]}
    )


def create_person(
    company: Company, data: dict[str, Any], author: User | None, allow_duplicate: bool = False,
    found: dict[str, str] | None = None,
) -> Person:
    """Add a key player (or, with placeholder=True, an empty box) to a company.

    Refuses a silent duplicate of someone already on file, with every other problem at once
    (`found`: the form's own).
    """
    errors = FieldErrors(found or {})
    placeholder = bool(data.get("placeholder"))
    if placeholder and data.get("full_name"):
        errors.add("full_name", "An empty box has no name yet: leave the name out, or add the "
                                "person without ticking the empty box.")
    values = clean_person(data, company, errors, placeholder=placeholder)
    if data.get("reports_to_id") not in (None, ""):
        lock_reporting_lines(company.id)
    manager = resolve_manager(data.get("reports_to_id"), errors, "reports_to_id")
    if problem := manager_problem(None, manager, company.id):
        errors.add("reports_to_id", problem)
    name = values.get("full_name")
    if name and not allow_duplicate and (matches := find_same_name(company.id, name)):
        _refuse(errors, matches)
    if errors:
        raise DomainError(errors)
    person = Person(company=company, created_by=author, placeholder=placeholder, **values)
    db.session.add(person)
    claim_name(person, allow_duplicate)  # the unique index settles a race the check above lost
    if manager is not None:
        set_manager(person, manager, author, checked=True)
    db.session.commit()
    return person


def update_person(person: Person, data: dict[str, Any], allow_duplicate: bool = False,
                  author: User | None = None, found: dict[str, str] | None = None) -> Person:
    """Change the fields present in data; the same checks as on creation apply.

    Giving a placeholder a name fills the box: it keeps its id, manager and reports.
    """
    errors = FieldErrors(found or {})
    hold_person(person, reporting="reports_to_id" in data)
    values = clean_person(data, person.company, errors, partial=True,
                          placeholder=person.placeholder)
    manager = person.reports_to
    cycle = False
    if "reports_to_id" in data:
        manager = resolve_manager(data.get("reports_to_id"), errors, "reports_to_id")
        if problem := manager_problem(person.id, manager, person.company_id):
            errors.add("reports_to_id", problem)
            cycle = manager is not None and manager.company_id == person.company_id
    new_name = values.get("full_name")
    if new_name and new_name.lower() != (person.full_name or "").lower() and not allow_duplicate:
        if matches := find_same_name(person.company_id, new_name, exclude_id=person.id):
            _refuse(errors, matches)
    if errors:
        raise (ReportsToCycleError if cycle and len(errors) == 1 else DomainError)(errors)
    for key, value in values.items():
        setattr(person, key, value)
    if person.full_name:
        person.placeholder = False
    claim_name(person, allow_duplicate)  # a rename onto a name just taken: 409, not 500
    if manager is not person.reports_to:
        set_manager(person, manager, author, checked=True)
    db.session.commit()
    return person


def set_manager(person: Person, manager: Person | None, author: User | None,
                source_call: Call | None = None, told_by: Person | None = None,
                checked: bool = False) -> None:
    """Point person at manager and remember who reported it, from which call, and when.

    Every reporting line is set here: it holds the company's lock (taking it if the caller did
    not) and refuses a cycle in the tree as stored, rolling back the whole transaction.
    `checked`: the caller already ran `manager_problem` for this pair under the lock.
    """
    company_id = person.company_id if person.company_id is not None else person.company.id
    lock_reporting_lines(company_id, forget_stale=False)
    if manager is not None and not checked:
        db.session.flush()  # the check below reads the database, this transaction's rows too
        if person.id is not None and chain_reaches(manager.id, person.id):
            db.session.rollback()
            raise ReportsToCycleError({"reports_to_id": CYCLE_MESSAGE})
    person.reports_to = manager
    db.session.add(ReportingLink(person=person, manager=manager, source_call=source_call,
                                 told_by=told_by, reported_by=author))


def move_person(person: Person, manager_id: Any, author: User) -> Person:
    """Change someone's manager (from the org chart); cycles and other companies are refused."""
    return update_person(person, {"reports_to_id": manager_id}, author=author)


def add_report(manager: Person, data: dict[str, Any], author: User) -> Person:
    """Add a direct report under manager: a named person, or a placeholder for an empty box."""
    return create_person(manager.company, data | {"reports_to_id": manager.id}, author,
                         allow_duplicate=bool(data.get("allow_duplicate")))


def mark_left(person: Person, left: bool) -> Person:
    """Take someone off the live chart (or bring them back); their history stays."""
    hold_person(person)
    person.left_at = now_utc() if left else None
    db.session.commit()
    return person
