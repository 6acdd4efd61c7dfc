"""Field cleaning shared by forms and the JSON API, so both refuse the same input the same way."""

from typing import Any

from sqlalchemy import String

from app.phones import PhoneError, normalize_phone

MAX_ID = 2**31 - 1  # a larger id overflows PostgreSQL's integer columns (a 500, not "not found")


class FieldErrors(dict[str, str]):
    """Collects messages keyed by field path (e.g. ``people.3.direct_phone``)."""

    def add(self, path: str, message: str) -> None:
        self.setdefault(path, message)


def max_length(model: type, field: str) -> int | None:
    column_type = model.__table__.c[field].type
    return column_type.length if isinstance(column_type, String) else None


def too_long(limit: int, typed: int) -> str:
    return f"Keep this under {limit} characters (you typed {typed})."


class ColumnLength:
    """A form field's length rule read from its column, with the service's message.

    The same limit feeds the service (clean_text), the API check and its OpenAPI maxLength
    (app.api.schemas): one rule, one message. No maxlength attribute is rendered on purpose: the
    browser would cut pasted text silently, where this says how much is too much.
    """

    def __init__(self, model: type, field: str):
        self.model, self.field = model, field

    def __call__(self, form, field) -> None:
        from wtforms.validators import ValidationError

        limit = max_length(self.model, self.field)
        typed = len(field.data.strip()) if isinstance(field.data, str) else 0
        if limit and typed > limit:
            raise ValidationError(too_long(limit, typed))


def clean_text(
    model: type, field: str, value: Any, errors: FieldErrors, path: str, required: bool = False
) -> str | None:
    """Strip a text value, enforce the column's length, and turn blanks into None."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, "Must be text.")
        return None
    value = value.strip()
    if not value:
        if required:
            errors.add(path, "This field is required.")
        return None
    limit = max_length(model, field)
    if limit and len(value) > limit:
        errors.add(path, too_long(limit, len(value)))
        return None
    return value


def clean_phone(value: Any, region: str, errors: FieldErrors, path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        errors.add(path, "Must be text.")
        return None
    try:
        return normalize_phone(value, region)
    except PhoneError as exc:
        errors.add(path, str(exc))
        return None


def clean_choice(enum_cls: type, value: Any, errors: FieldErrors, path: str, default=None):
    if value in (None, ""):
        return default
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        errors.add(path, f"Choose one of: {allowed}.")
        return default


def limited(model: type, field: str) -> list:
    """The validators of an optional form text field limited like its column."""
    from wtforms.validators import Optional

    return [Optional(), ColumnLength(model, field)]


def parse_id(value: Any) -> int | None:
    """An id from a URL, form or payload, or None when it cannot be one (never a 500)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def get_by_id(model: type, value: Any):
    """The row with that id, or None for a missing or impossible id."""
    from app.extensions import db

    ident = parse_id(value)
    return db.session.get(model, ident) if ident is not None else None
