"""Request values checked against the OpenAPI document's own schemas: one rule, two readers.

Only what JSON Schema states per value (type, enum, bounds, length, pattern, items) is checked
here; unknown keys are `check_shape`'s job and rules across fields or rows are the services'.
"""

import re
from typing import Any

from app.api.parsing import parse_datetime
from app.api.schemas import SCHEMAS, Schema
from app.validation import FieldErrors

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
_TYPE_MESSAGES = {
    "string": "Must be text.",
    "integer": "Must be a whole number.",
    "number": "Must be a number.",
    "boolean": "Must be true or false.",
    "array": "Must be a list.",
    "object": "Must be an object.",
}


def resolve(schema: Schema) -> Schema:
    """The schema a `$ref` to #/components/schemas/ points at (siblings of $ref are kept)."""
    while "$ref" in schema:
        named = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
        schema = {**named, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name not in ("boolean",):
        return False  # JSON true is not the number 1
    return isinstance(value, _PYTHON_TYPES[name])


def problem(value: Any, schema: Schema) -> str | None:
    """Why `value` does not fit `schema` at its top level, or None."""
    schema = resolve(schema)
    if "oneOf" in schema:
        problems = [problem(value, option) for option in schema["oneOf"]]
        return None if None in problems else next(p for p in problems if p)
    if schema.get("format") == "date-time" and value is not None:
        try:
            parse_datetime(value)  # the API's one date parser decides, bounds included
        except ValueError as exc:
            return str(exc)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_is_type(value, name) for name in names):
            wanted = [_TYPE_MESSAGES[n] for n in names if n != "null"]
            return wanted[0] if len(wanted) == 1 else "Must be " + " or ".join(names) + "."
    if value is None:
        return None
    if "enum" in schema and value not in schema["enum"]:
        return "Choose one of: " + ", ".join(str(v) for v in schema["enum"] if v is not None) + "."
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            return f"Must be a whole number from {low} to {high}."
    if isinstance(value, str):
        if (limit := schema.get("maxLength")) is not None and len(value) > limit:
            return f"Keep this under {limit} characters (you sent {len(value)})."
        if (pattern := schema.get("pattern")) and not re.search(pattern, value):
            return schema.get("x-pattern-message", "Not in the expected format.")
    if isinstance(value, list) and (limit := schema.get("maxItems")) is not None:
        if len(value) > limit:
            return f"Send at most {limit} items."
    return None


def conform(value: Any, schema: Schema, errors: FieldErrors, path: str) -> None:
    """Add an error at `path` (or below it) where `value` does not fit `schema`."""
    if message := problem(value, schema):
        errors.add(path, message)
        return
    schema = resolve(schema)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                conform(item, properties[key], errors, f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            conform(item, schema["items"], errors, f"{path}.{i}")
