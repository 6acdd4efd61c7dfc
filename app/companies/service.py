"""Target companies: cleaning, duplicate names, and the queries the company pages need."""

from typing import Any

import phonenumbers
from flask import current_app
from sqlalchemy import func, select

from app.errors import AlreadyOnFileError, DomainError
from app.extensions import db
from app.models import Call, Company, Person, User
from app.timezones import is_timezone
from app.validation import FieldErrors, clean_phone, clean_text

TEXT_FIELDS = ("domain", "location", "industry", "email_pattern", "off_limits_reason", "notes")


def default_country() -> str:
    return current_app.config["DEFAULT_COUNTRY"].upper()


def clean_company(
    data: dict[str, Any], errors: FieldErrors, partial: bool = False, current: Company | None = None
) -> dict[str, Any]:
    """Model values for the company fields present in data (all of them unless partial)."""
    out: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("name"):
        out["name"] = clean_text(Company, "name", data.get("name"), errors, "name", required=True)
    for key in TEXT_FIELDS:
        if wanted(key):
            out[key] = clean_text(Company, key, data.get(key), errors, key)
    if out.get("domain"):
        out["domain"] = out["domain"].lower().removeprefix("https://").removeprefix("http://")
        out["domain"] = out["domain"].removeprefix("www.").rstrip("/")
    if wanted("country"):
        country = (data.get("country") or default_country())
        if not isinstance(country, str) or country.upper() not in (
            phonenumbers.SUPPORTED_REGIONS
        ):
            errors.add("country", "Use a two-letter country code such as US, GB or DE.")
            country = default_country()
        out["country"] = country.upper()
    region = out.get("country") or (current.country if current else default_country())
    if wanted("main_phone"):
        out["main_phone"] = clean_phone(data.get("main_phone"), region, errors, "main_phone")
    if wanted("timezone"):
        tz = clean_text(Company, "timezone", data.get("timezone"), errors, "timezone")
        if tz and not is_timezone(tz):
            errors.add("timezone", "Pick a time zone such as America/Chicago.")
        out["timezone"] = tz
    if wanted("off_limits"):
        out["off_limits"] = bool(data.get("off_limits"))
    return out


def find_company_by_name(name: str, exclude_id: int | None = None) -> Company | None:
    query = select(Company).where(func.lower(Company.name) == name.strip().lower())
    if exclude_id:
        query = query.where(Company.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def _refuse(errors: FieldErrors, name: str | None, exclude_id: int | None = None) -> None:
    """Raise every problem at once; a name on file alone is a 409 that offers the record."""
    matches = {}
    if name and (existing := find_company_by_name(name, exclude_id)):
        errors.add("name", f"{existing.name} is already on file.")
        matches["name"] = [existing.id]
    if errors:
        raise (AlreadyOnFileError if matches and len(errors) == 1 else DomainError)(
            errors, matches)


def build_company(data: dict[str, Any], author: User | None, errors: FieldErrors,
                  prefix: str = "") -> Company | None:
    """A new, unsaved company (or None with errors added), for use inside a larger transaction."""
    local = FieldErrors()
    values = clean_company(data, local)
    for key, message in local.items():
        errors.add(prefix + key, message)
    if local:
        return None
    if existing := find_company_by_name(values["name"]):
        errors.add(prefix + "name", f"{existing.name} is already on file: pick it from the list.")
        return None
    return Company(created_by=author, **values)


def create_company(data: dict[str, Any], author: User | None,
                   found: dict[str, str] | None = None) -> Company:
    """Add a target company (`found`: the form's own problems, refused with the others)."""
    errors = FieldErrors(found or {})
    values = clean_company(data, errors)
    _refuse(errors, values["name"])
    company = Company(created_by=author, **values)
    db.session.add(company)
    db.session.commit()
    return company


def update_company(company: Company, data: dict[str, Any],
                   found: dict[str, str] | None = None) -> Company:
    """Change the fields present in data (`found`: the form's own problems, as on creation)."""
    errors = FieldErrors(found or {})
    values = clean_company(data, errors, partial=True, current=company)
    _refuse(errors, values.get("name"), exclude_id=company.id)
    for key, value in values.items():
        setattr(company, key, value)
    db.session.commit()
    return company


def company_stats(company_ids: list[int]) -> dict[int, tuple[int, int, Any]]:
    """People count, call count and last call time for a page of companies, in two queries."""
    people = dict(db.session.execute(
        select(Person.company_id, func.count(Person.id))
        .where(Person.company_id.in_(company_ids)).group_by(Person.company_id)).all())
    calls = {cid: (n, last) for cid, n, last in db.session.execute(
        select(Call.company_id, func.count(Call.id), func.max(Call.started_at))
        .where(Call.company_id.in_(company_ids)).group_by(Call.company_id))}
    return {cid: (people.get(cid, 0), *calls.get(cid, (0, None))) for cid in company_ids}
