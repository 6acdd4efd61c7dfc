"""The "names uncovered" rows of a call log: cleaning, duplicate and cycle checks, re-checks.

Everything here reads; `app.calls.service` writes. Row paths (``people.3.full_name``) key every
message, so the form and the API show each problem beside its row.
"""

from dataclasses import dataclass, field
from typing import Any

from app.errors import DomainError
from app.extensions import db
from app.models import Company, Person, PersonStatus
from app.models.person import person_name_key
from app.people.reporting import hold_people
from app.people.service import clean_person, duplicate_message, find_same_name
from app.validation import FieldErrors, parse_id

MAX_ROWS = 50


@dataclass
class Row:
    """One "names uncovered" row after cleaning."""

    index: int
    values: dict[str, Any]
    person: Person | None = None  # existing person this row refers to
    manager: Person | None = None
    manager_row: int | None = None
    new: bool = True
    extras: dict[str, Any] = field(default_factory=dict)


def get_or_error(model: type, value: Any, errors: FieldErrors, path: str, label: str):
    if value in (None, ""):
        return None
    ident = parse_id(value)
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        errors.add(path, f"No {label} with id {value}.")
    return obj


def clean_rows(raw_rows: Any, company: Company, errors: FieldErrors) -> list[Row]:
    if raw_rows in (None, ""):
        return []
    if not isinstance(raw_rows, list):
        errors.add("people", "Must be a list of people.")
        return []
    if len(raw_rows) > MAX_ROWS:
        errors.add("people", f"At most {MAX_ROWS} names per call.")
        return []
    rows: list[Row] = []
    for i, raw in enumerate(raw_rows):
        path = f"people.{i}."
        if not isinstance(raw, dict):
            errors.add(f"people.{i}", "Must be an object with person fields.")
            continue
        existing = get_or_error(Person, raw.get("id"), errors, path + "id", "person")
        if existing is not None and existing.company_id != company.id:
            errors.add(path + "id", f"{existing.display_name} works at another company.")
        # A row for an existing person only carries what the call added; blanks change nothing.
        given = {k: v for k, v in raw.items() if v not in (None, "")} if existing else raw
        # An id not on file (merged or erased meanwhile) is the row's one problem: no "name
        # required" as if it were a new person.
        missing = existing is None and path + "id" in errors
        values = clean_person(given, company, errors, prefix=path,
                              partial=existing is not None or missing)
        if existing is None and "status" not in raw:
            values["status"] = PersonStatus.UNCOVERED
        renamed = values.get("full_name")
        if existing is not None and renamed and not existing.placeholder and (
            person_name_key(renamed) != existing.name_key
        ):
            # A row links to someone as they are; a rename belongs on their own page.
            errors.add(path + "full_name", f"This row is {existing.display_name}: to rename "
                                           "them, edit the person.")
        row = Row(i, values, person=existing, new=existing is None)
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
            row.manager = get_or_error(Person, ref, errors, path + "reports_to", "person")
            if row.manager is not None and row.manager.company_id != company.id:
                errors.add(path + "reports_to",
                           f"{row.manager.display_name} works at another company.")
        row.extras["allow_duplicate"] = bool(raw.get("allow_duplicate"))
        rows.append(row)
    return rows


def check_duplicates(rows: list[Row], company: Company, errors: FieldErrors) -> dict:
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


def check_cycles(rows: list[Row], errors: FieldErrors) -> None:
    """Follow each row's chain of managers, through rows and stored people; a repeat is a cycle."""
    by_person = {row.person.id: row for row in rows if row.person is not None}

    def node_of_row(row: Row) -> tuple[str, int]:
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


def named_people(rows, target, answered) -> dict[int, str]:
    """Each person on file this call names, by id, with the field that names them."""
    named = {p.id: path for path, p in (("person_id", target), ("answered_by_id", answered)) if p}
    for row in rows:
        for path, person in (("person_id", row.person), ("reports_to", row.manager)):
            if person is not None:
                named.setdefault(person.id, f"people.{row.index}.{path}")
    return named


def refuse_people_gone(company_id: int | None, named: dict[int, str]) -> None:
    """Hold everyone this call names until it commits, or refuse if one was merged or erased."""
    gone = hold_people(company_id, set(named))
    if gone:
        raise DomainError({named[pid]: "Someone merged or erased this person a moment ago: "
                                       "reload the page and pick them again." for pid in gone})
