"""Reading requests: the JSON body, the fields each resource accepts, datetimes, query strings."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, request

from app import dates
from app.api.errors import ApiError
from app.validation import MAX_ID, FieldErrors

MAX_PER_PAGE = 100
MAX_INT = MAX_ID


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 unless sent as application/json, 400 if malformed."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    data = request.get_json(silent=True)
    if data is None and request.get_data(cache=True).strip() != b"null":
        raise ApiError(400, "The body is not valid JSON.", code="invalid_json")
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", code="invalid_body")
    if _has_nul(data):
        raise ApiError(400, "Text may not contain NUL characters.", code="invalid_body")
    return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


@dataclass(frozen=True)
class Shape:
    """The keys a request object may hold.

    Keys in `read_only` (those the API returns but computes itself) are ignored, so a client may
    send back an object it read. Any other unknown key is refused, so a typo never drops data.
    """

    writable: frozenset[str]
    read_only: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()
    objects: dict[str, "Shape"] = field(default_factory=dict)  # key -> shape of one object
    lists: dict[str, "Shape"] = field(default_factory=dict)  # key -> shape of each item
    hints: dict[str, str] = field(default_factory=dict)  # key -> why it is refused


def check_shape(data: dict[str, Any], shape: Shape, errors: FieldErrors, prefix: str = "") -> None:
    """Add an error for every unknown key or wrongly typed nested value, at any depth."""
    for key, value in data.items():
        path = prefix + key
        if key in shape.hints:
            errors.add(path, shape.hints[key])
        elif key in shape.read_only:
            continue
        elif key not in shape.writable:
            errors.add(path, "Unknown field.")
        elif value is None:
            continue
        elif key in shape.booleans and not isinstance(value, bool):
            errors.add(path, "Must be true or false.")
        elif key in shape.objects:
            if isinstance(value, dict):
                check_shape(value, shape.objects[key], errors, path + ".")
            else:
                errors.add(path, "Must be an object.")
        elif key in shape.lists and isinstance(value, list):
            # Non-object items and non-list values are reported by the service itself.
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    check_shape(item, shape.lists[key], errors, f"{path}.{i}.")


def require_shape(data: dict[str, Any], shape: Shape) -> None:
    errors = FieldErrors()
    check_shape(data, shape, errors)
    if errors:
        raise ApiError(422, "The body has fields this endpoint does not accept.", errors)


def parse_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time with an offset in app.dates' window; ValueError says what is wrong."""
    return dates.parse_datetime(value)


def parse_datetimes(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    """Replace valid date-time strings in data by datetimes; return messages for the bad ones.

    Bad values stay in data, so the service refuses them too and reports every other problem in
    the same response; the caller then swaps in these more precise messages.
    """
    problems: dict[str, str] = {}
    for key in keys:
        if data.get(key) is None:
            continue
        try:
            data[key] = parse_datetime(data[key])
        except ValueError as exc:
            problems[key] = str(exc)
    return problems


def query_int(
    name: str, errors: FieldErrors, default: int | None = None, minimum: int = 1
) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= MAX_INT:
        errors.add(name, f"Must be a whole number from {minimum} to {MAX_INT}.")
        return default
    return int(raw)


def query_datetime(name: str, errors: FieldErrors) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError as exc:
        errors.add(name, str(exc))
        return None


def query_choice(name: str, enum_cls: type, errors: FieldErrors):
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        errors.add(name, "Choose one of: " + ", ".join(m.value for m in enum_cls) + ".")
        return None


def pagination(errors: FieldErrors) -> tuple[int, int]:
    """`page` (from 1) and `per_page` (capped at 100) from the query string."""
    page = query_int("page", errors, default=1) or 1
    per_page = query_int("per_page", errors, default=current_app.config["PAGE_SIZE"]) or 1
    return page, min(per_page, MAX_PER_PAGE)


def raise_query_errors(errors: FieldErrors) -> None:
    if errors:
        raise ApiError(422, "Some query parameters are invalid.", errors)
