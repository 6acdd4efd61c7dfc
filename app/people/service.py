"""Key players: cleaning, duplicate detection and the reports-to rules (same company, no cycles)."""

import re
from typing import Any

from sqlalchemy import func, select

from app.errors import DomainError, DuplicatePersonError
from app.extensions import db
from app.models import Company, Person, PersonRole, PersonStatus, User
from app.validation import MAX_ID, FieldErrors, clean_choice, clean_phone, clean_text

TEXT_FIELDS = ("title", "department", "email", "linkedin_url", "notes")
PHONE_FIELDS = ("direct_phone", "mobile_phone")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_name(name: str) -> str:
    return " ".join(name.split())


def clean_person(
    data: dict[str, Any], company: Company, errors: FieldErrors, prefix: str = "", partial=False
) -> dict[str, Any]:
    """Turn raw person fields into model values; only keys present in data when partial."""
    out: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("full_name"):
        name = clean_text(Person, "full_name", data.get("full_name"), errors, prefix + "full_name",
                          required=True)
        if name:
            out["full_name"] = normalize_name(name)
    for key in TEXT_FIELDS:
        if wanted(key):
            out[key] = clean_text(Person, key, data.get(key), errors, prefix + key)
    if out.get("email") and not EMAIL_RE.match(out["email"]):
        errors.add(prefix + "email", "That does not look like an email address.")
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
    return out


def find_same_name(company_id: int, full_name: str, exclude_id: int | None = None) -> list[Person]:
    """People at the company whose name matches, ignoring case and extra spaces."""
    query = select(Person).where(
        Person.company_id == company_id,
        func.lower(Person.full_name) == normalize_name(full_name).lower(),
    )
    if exclude_id:
        query = query.where(Person.id != exclude_id)
    return list(db.session.scalars(query))


def duplicate_message(matches: list[Person]) -> str:
    first = matches[0]
    label = f"{first.full_name}" + (f", {first.title}" if first.title else "")
    return f"{label} is already on file at this company. Use the existing person, or confirm "\
           "this is someone else."


def manager_problem(person_id: int | None, manager: Person | None, company_id: int) -> str | None:
    """Why `manager` cannot be the manager of person `person_id`, or None when it can."""
    if manager is None:
        return None
    if manager.company_id != company_id:
        return f"{manager.full_name} works at another company; a manager must be a colleague."
    if person_id is None:
        return None
    seen: set[int] = set()
    node: Person | None = manager
    while node is not None and node.id not in seen:
        if node.id == person_id:
            return "That would make a reporting cycle (someone would end up their own boss)."
        seen.add(node.id)
        node = node.reports_to
    return None


def resolve_manager(value: Any, errors: FieldErrors, path: str) -> Person | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not (
        str(value).isascii() and str(value).isdigit()
    ):
        errors.add(path, "Must be the id of a person.")
        return None
    manager = db.session.get(Person, int(value)) if int(value) <= MAX_ID else None
    if manager is None:
        errors.add(path, f"No person with id {value}.")
    return manager


def create_person(
    company: Company, data: dict[str, Any], author: User | None, allow_duplicate: bool = False
) -> Person:
    """Add a key player to a company; refuses a silent duplicate of someone already on file."""
    errors = FieldErrors()
    values = clean_person(data, company, errors)
    manager = resolve_manager(data.get("reports_to_id"), errors, "reports_to_id")
    if problem := manager_problem(None, manager, company.id):
        errors.add("reports_to_id", problem)
    if errors:
        raise DomainError(errors)
    if not allow_duplicate and (matches := find_same_name(company.id, values["full_name"])):
        raise DuplicatePersonError(
            {"full_name": duplicate_message(matches)}, {"full_name": [m.id for m in matches]}
        )
    person = Person(company=company, reports_to=manager, created_by=author, **values)
    db.session.add(person)
    db.session.commit()
    return person


def update_person(person: Person, data: dict[str, Any], allow_duplicate: bool = False) -> Person:
    """Change the fields present in data; the same checks as on creation apply."""
    errors = FieldErrors()
    values = clean_person(data, person.company, errors, partial=True)
    if "reports_to_id" in data:
        manager = resolve_manager(data.get("reports_to_id"), errors, "reports_to_id")
        if problem := manager_problem(person.id, manager, person.company_id):
            errors.add("reports_to_id", problem)
        values["reports_to"] = manager
    if errors:
        raise DomainError(errors)
    new_name = values.get("full_name")
    if new_name and new_name.lower() != person.full_name.lower() and not allow_duplicate:
        if matches := find_same_name(person.company_id, new_name, exclude_id=person.id):
            raise DuplicatePersonError(
                {"full_name": duplicate_message(matches)}, {"full_name": [m.id for m in matches]}
            )
    for key, value in values.items():
        setattr(person, key, value)
    db.session.commit()
    return person
