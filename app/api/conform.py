"""Request values checked against the OpenAPI document's own schemas: one rule, two readers.

Only what JSON Schema states per value (type, enum, bounds, length, pattern, items) is checked
here; unknown keys are `check_shape`'s job and rules across fields or rows are the services'.
"""

import re
from functools import cache
from typing import Any

from werkzeug.datastructures import MultiDict

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
        if low is not None and value < low:
            return f"Must be at least {low}."
        if high is not None and value > high:
            return f"Must be at most {high}."
    if isinstance(value, str):
        if (limit := schema.get("maxLength")) is not None and len(value) > limit:
            return f"Keep this under {limit} characters (you sent {len(value)})."
        if len(value) < schema.get("minLength", 0):
            return "This field is required."
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
    if "oneOf" in schema:  # the option that fits (problem() found one), checked in depth
        schema = resolve(next(o for o in schema["oneOf"] if problem(value, o) is None))
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        ignored = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key, item in value.items():
            if key in properties:
                conform(item, properties[key], errors, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                if not any(p.search(key) for p in ignored):
                    errors.add(f"{path}.{key}", "Unknown field.")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            conform(item, schema["items"], errors, f"{path}.{i}")


@cache
def _query_parameters() -> dict[tuple[str, str], dict[str, Schema]]:
    """(path, method) -> {query parameter: schema}, from the document the API serves."""
    from app.api.openapi import openapi_document

    found = {}
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            params = [*item.get("parameters", []), *operation.get("parameters", [])]
            found[path, method] = {p["name"]: p for p in params if p["in"] == "query"}
    return found


def _query_value(raw: str, schema: Schema) -> Any:
    """A query string's text as the JSON value its schema types it as (None if it cannot be)."""
    if schema.get("type") == "integer":
        return int(raw) if raw.isascii() and raw.isdigit() else None
    return raw


def query_problems(path: str, method: str, args: MultiDict) -> FieldErrors:
    """Messages for query parameters the document does not list, or whose value it refuses."""
    errors = FieldErrors()
    parameters = _query_parameters().get((path, method))
    if parameters is None:
        return errors  # OPTIONS, or a method the router refuses with 405
    for name in args:
        if name not in parameters:
            errors.add(name or "(empty name)", "Unknown query parameter.")
            continue
        values = args.getlist(name)
        schema = parameters[name]["schema"]
        if len(values) > 1:
            errors.add(name, "Send this parameter once.")
        elif (value := _query_value(values[0], schema)) is None:
            errors.add(name, _TYPE_MESSAGES[schema["type"]])
        elif message := problem(value, schema):
            errors.add(name, message)
    for name, parameter in parameters.items():
        if parameter.get("required") and name not in args:
            errors.add(name, "This parameter is required.")
    return errors
