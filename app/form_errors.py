"""Every problem of a submission at once: the form's own checks and the service's, in one pass.

A form used to be validated by WTForms first and by the service only when WTForms passed, so
errors came in rounds. `submit_checked` runs both every time: the form's findings (a date it
cannot read, a field too long) go to the service, which adds its own (duplicates, cycles, phone
numbers), writes nothing when there is any, and raises them all in one DomainError.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import request
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField

from app.errors import DomainError
from app.validation import FieldErrors

T = TypeVar("T")

# Where a service's field name differs from the form's.
ALIASES = {"reports_to_id": "reports_to", "new_company.name": "new_company_name",
           "new_company.main_phone": "new_company_phone", "new_gatekeeper.full_name":
           "gatekeeper_name", "new_gatekeeper.title": "gatekeeper_title", "phone": "phone"}


def _find(form, path: str):
    node = form
    for part in path.split("."):
        if isinstance(node, FieldList):
            if not part.isdigit() or int(part) >= len(node.entries):
                return None
            node = node.entries[int(part)]
            continue
        if isinstance(node, FormField):
            node = node.form
        node = getattr(node, part, None) if node is not None else None
        if node is None:
            return None
    if isinstance(node, FormField):
        return None
    return node


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Show each message beside its field; messages with no field go to the form's top.

    A field the form already refused keeps that one message: one problem per field at a time.
    """
    for path, message in errors.items():
        field = _find(form, ALIASES.get(path, path))
        # A hidden field has nowhere to show its message: it goes to the top of the form.
        if field is None or not hasattr(field, "errors") or field.type == "HiddenField":
            if message not in form.form_errors:
                form.form_errors.append(message)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        if not field.errors:
            field.errors.append(message)


def _section_errors(form) -> list[str]:
    """Messages about a whole repeatable section (FieldList), not one of its fields."""
    return [message for field in form if isinstance(field, FieldList)
            for message in field.errors if isinstance(message, str)]


def _leaves(form):
    """Every input field of a form, rows and sub-forms included, in page order."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from (_leaves(entry.form) if isinstance(entry, FormField) else [entry])
        elif isinstance(field, FormField):
            yield from _leaves(field.form)
        else:
            yield field


@dataclass
class Problem:
    """One line of a form's error summary: the message and the field it links to."""

    message: str
    field_id: str | None
    label: str


# What one row of a repeatable section is called on the page ("Name 2", "Step 3").
ROW_NOUNS = {"people": "Name", "steps": "Step"}


def problems(form: FlaskForm) -> list[Problem]:
    """Every error on the form, top-of-form ones first, for the summary at its top."""
    top = dict.fromkeys([*form.form_errors, *_section_errors(form)])  # in order, once each
    out = [Problem(message, None, "") for message in top]
    for field in _leaves(form):
        if field.type in ("CSRFTokenField", "HiddenField") and field.errors:
            out.extend(Problem(str(m), None, "") for m in field.errors)
            continue
        # A radio group has no element of its own id: the link goes to its first choice.
        target = f"{field.id}-0" if field.type == "RadioField" else field.id
        # One line per field (its first message): the count is of fields to fix.
        if isinstance(field.errors, list | tuple) and field.errors:
            out.append(Problem(str(field.errors[0]), target, _label(form, field)))
    return out


class ErrorSummary:
    """Mixed into a form: `problems()` feeds the summary at its top (form_errors in _macros)."""

    def problems(self) -> list[Problem]:
        return problems(self)


def _label(form, field) -> str:
    label = field.label.text
    parts = field.name.split("-")
    # A row's field ("people-3-title") says which row: "Name 2 · Title" (rows count from 1).
    if len(parts) == 3 and parts[1].isdigit():
        rows = getattr(form, parts[0], None)
        names = [e.name for e in rows.entries] if isinstance(rows, FieldList) else []
        row = f"{parts[0]}-{parts[1]}"
        position = names.index(row) + 1 if row in names else int(parts[1]) + 1
        return f"{ROW_NOUNS.get(parts[0], 'Row')} {position} · {label}"
    return label


def found_by_form(form: FlaskForm) -> FieldErrors:
    """The form's own problems; they block the service's write and come back with its own.

    Keyed "form:<field name>", never a service path: a row's form index can differ from the
    service's row number, and a form's message must not hide the service's on another row.
    """
    found = FieldErrors()
    for message in _section_errors(form):  # "At most 20 steps": a whole section's problem
        found.add(f"form:{message}", message)
    for field in _leaves(form):
        if field.errors and isinstance(field.errors, list | tuple):
            found.add(f"form:{field.name}", str(field.errors[0]))
    for i, message in enumerate(form.form_errors):
        found.add(f"form:_{i}", message)
    return found


def submit_checked(
    form: FlaskForm,
    save: Callable[[FieldErrors], T],
    paths: Callable[[dict[str, str]], dict[str, str]] | None = None,
) -> T | None:
    """Validate and save in one pass; None (every problem left on the form) when refused.

    `save` gets the form's problems and must raise DomainError (with its own added) if there are
    any; `paths` maps service paths to the form's (rows counted differently, for instance).
    """
    if request.method != "POST":
        return None
    form.validate()
    # Not form.errors: WTForms caches it (and each row's), hiding messages attached after.
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        return None  # an expired or forged form: check nothing else for it
    found = found_by_form(form)
    try:
        return save(found)
    except DomainError as exc:
        own = {path: message for path, message in exc.fields.items() if path not in found}
        attach_errors(form, paths(own) if paths else own)
        form.matches = paths(exc.matches) if paths else exc.matches
        return None
