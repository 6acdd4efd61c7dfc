"""Reading requests: the JSON body, the fields each resource accepts, datetimes, query strings."""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, request

from app import dates
from app.api.errors import ApiError
from app.validation import MAX_ID, FieldErrors

MAX_PER_PAGE = 100
MAX_INT = MAX_ID

MAX_JSON_DEPTH = 32  # objects and arrays nested deeper than any resource needs (calls nest 4)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 unless sent as application/json, 400 if malformed.

    The one place the API reads a body: depth is bounded before parsing (no RecursionError), and
    text that PostgreSQL or UTF-8 cannot store (NUL, lone surrogates such as "\\ud800") is refused.
    """
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not valid UTF-8.", code="invalid_json") from None
    if _depth(text) > MAX_JSON_DEPTH:
        message = f"The body nests objects or arrays deeper than {MAX_JSON_DEPTH} levels."
        raise ApiError(400, message, code="invalid_json")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except ValueError:
        raise ApiError(400, "The body is not valid JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", code="invalid_body")
    if message := _unstorable(data):
        raise ApiError(400, message, code="invalid_body")
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python's json reads NaN and Infinity; JSON has none


def _depth(text: str) -> int:
    """How deeply brackets nest in a JSON text, not counting those inside strings."""
    depth = deepest = 0
    for char in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _unstorable(value: Any) -> str | None:
    """Why a parsed JSON value holds text that cannot be stored, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "Text may not contain NUL characters."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text may not contain lone UTF-16 surrogates (e.g. \\ud800)."
        return None
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    if isinstance(items, list):
        return next((m for m in map(_unstorable, items) if m), None)
    return None


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
    schema: str | None = None  # the OpenAPI schema whose properties type the writable keys


def check_shape(data: dict[str, Any], shape: Shape, errors: FieldErrors, prefix: str = "") -> None:
    """Add an error for every unknown key or wrongly typed nested value, at any depth."""
    properties = _properties(shape.schema)
    for key, value in data.items():
        path = prefix + key
        if key in shape.hints:
            errors.add(path, shape.hints[key])
        elif key in shape.read_only:
            continue
        elif key not in shape.writable:
            errors.add(path, "Unknown field.")
        elif key in properties and _conforms(value, properties[key], errors, path) is False:
            continue
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


def _conforms(value: Any, schema: dict[str, Any], errors: FieldErrors, path: str) -> bool:
    from app.api.conform import conform  # conform reads the schemas, which read this module

    conform(value, schema, errors, path)
    return path not in errors


def _properties(name: str | None) -> dict[str, Any]:
    from app.api.schemas import SCHEMAS

    return SCHEMAS[name]["properties"] if name else {}


def _required(name: str | None) -> list[str]:
    from app.api.schemas import SCHEMAS

    return SCHEMAS[name].get("required", []) if name else []


def require_shape(data: dict[str, Any], shape: Shape) -> None:
    errors = FieldErrors()
    check_shape(data, shape, errors)
    if errors:
        # Report missing required fields too, so one response lists every problem.
        for name in _required(shape.schema):
            if data.get(name) is None:
                errors.add(name, "This field is required.")
        raise ApiError(422, "Some fields of the body are invalid (unknown ones included).", errors)


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
