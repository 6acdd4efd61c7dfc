"""A company's phone-tree path: the keys that get a caller from the main line to a person.

Digits are what the Twilio Voice SDK's `Call.sendDigits` accepts: 0-9, * and #, and "w" for a
half-second pause (it throws on anything else, "W" and "," included). They may also hold the
placeholder "{ext}", sent as the extension of the person being called (a "dial the extension
now" step); a step may have no digits at all, when it is something to do by hand (its label,
e.g. "dial-by-name: first three letters of the surname") or only a wait.
"""

import json
import re
from typing import Any

from sqlalchemy import delete, select

from app.errors import DomainError
from app.extensions import db
from app.models import Company, PhoneTreeStep
from app.people.reporting import lock_reporting_lines
from app.validation import FieldErrors, clean_text, max_length

MAX_STEPS = 20
MAX_WAIT = 120  # seconds
MAX_DIGITS = max_length(PhoneTreeStep, "digits") or 32
EXT = "{ext}"
DIGITS_PATTERN = r"^(?:[0-9*#w]|\{ext\})*$"
DIGITS_RE = re.compile(DIGITS_PATTERN)
DIGITS_HELP = "Use 0-9, * and #, w for a half-second pause, and {ext} for the extension."
# steps_from_keys: keys closer together than this are one step (a menu choice, an extension).
SAME_STEP_MS = 1500
MAX_KEYS = 500  # keys recorded during one call
MAX_CALL_MS = 4 * 3600 * 1000


def steps_of(company: Company) -> list[PhoneTreeStep]:
    """The company's saved path, in order (empty when none is saved)."""
    return list(db.session.scalars(select(PhoneTreeStep).where(
        PhoneTreeStep.company_id == company.id).order_by(PhoneTreeStep.position)))


def step_dict(step: PhoneTreeStep) -> dict[str, Any]:
    """A step as the API, the dialer's script and `save_steps` read it."""
    return {"digits": step.digits, "wait_seconds": step.wait_seconds, "label": step.label}


def key_parts(digits: str, extension: str | None = None) -> list[str]:
    """Digits as a person reads them: "2ww{ext}#" -> ["2", "pause 1 s", "ext. 123", "#"]."""
    parts: list[str] = []
    for run in re.findall(r"\{ext\}|w+|[0-9*#]+|.", digits or ""):
        if run == EXT:
            parts.append(f"ext. {extension}" if extension else "the extension")
        elif run.startswith("w"):
            parts.append(f"pause {len(run) / 2:g} s")
        else:
            parts.append(run)
    return parts


def _clean_digits(value: Any, errors: FieldErrors, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(path, "Must be text.")
        return ""
    value = value.strip()
    if len(value) > MAX_DIGITS:
        errors.add(path, f"Keep this under {MAX_DIGITS} characters (you typed {len(value)}).")
    elif not DIGITS_RE.fullmatch(value):
        errors.add(path, DIGITS_HELP)
    return value


def _clean_wait(value: Any, errors: FieldErrors, path: str) -> int:
    # Forms send text; the API sends numbers (a bool is not one, though Python says so).
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WAIT:
        errors.add(path, f"Must be a whole number of seconds from 0 to {MAX_WAIT}.")
        return 0
    return value


def clean_steps(raw: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    """Every step checked, all problems at once, keyed "steps.<i>.<field>"."""
    if raw is None:
        errors.add("steps", "This field is required.")
        return []
    if not isinstance(raw, list):
        errors.add("steps", "Must be a list of steps.")
        return []
    if len(raw) > MAX_STEPS:
        errors.add("steps", f"At most {MAX_STEPS} steps (you sent {len(raw)}).")
        return []
    steps = []
    for i, item in enumerate(raw):
        path = f"steps.{i}"
        if not isinstance(item, dict):
            errors.add(path, "Must be an object with digits, wait_seconds and label.")
            continue
        for key in sorted(set(item) - {"digits", "wait_seconds", "label"}):
            errors.add(f"{path}.{key}", "Unknown field.")
        step = {
            "digits": _clean_digits(item.get("digits"), errors, path + ".digits"),
            "wait_seconds": _clean_wait(item.get("wait_seconds"), errors, path + ".wait_seconds"),
            "label": clean_text(PhoneTreeStep, "label", item.get("label"), errors,
                                path + ".label"),
        }
        if not any(step.values()) and not any(k.startswith(path + ".") for k in errors):
            errors.add(path + ".digits", "A step needs keys to send, a wait or a label.")
        steps.append(step)
    return steps


class PathExistsError(DomainError):
    """A path is saved already and the caller did not say to replace it."""

    status = 409


def save_steps(company: Company, raw_steps: Any, replace: bool = True,
               found: dict[str, str] | None = None) -> list[PhoneTreeStep]:
    """Replace the company's whole path with these steps in one transaction; [] clears it.

    Raises DomainError with every problem keyed by path, or PathExistsError when `replace` is
    False and a path is saved. Writers to one company's path queue on the company row (the lock
    reporting-line changes take), so two saves never interleave their deletes and inserts; the
    unique (company_id, position) index is the backstop. `found`: the form's own problems.
    """
    errors = FieldErrors(found or {})
    steps = clean_steps(raw_steps, errors)
    if errors:
        raise DomainError(errors)
    lock_reporting_lines(company.id, forget_stale=False)
    if not replace and (count := len(steps_of(company))):
        db.session.rollback()
        raise PathExistsError({"steps": f"A path of {count} steps is saved already: "
                                        "replace it?"})
    db.session.execute(delete(PhoneTreeStep).where(PhoneTreeStep.company_id == company.id))
    saved = [PhoneTreeStep(company_id=company.id, position=i, **step)
             for i, step in enumerate(steps)]
    db.session.add_all(saved)
    db.session.commit()
    return saved


def keys_from_text(text: Any) -> Any:
    """The dialer's record of keys sent, posted as JSON text (bounded before parsing)."""
    if not isinstance(text, str) or not text.strip():
        raise DomainError({"keys": "No keys were sent during the call."})
    if len(text) > MAX_KEYS * 60:
        raise DomainError({"keys": f"At most {MAX_KEYS} keys per call."})
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # deep nesting ends in RecursionError, not ValueError
        raise DomainError({"keys": "Not a list of keys (JSON)."}) from None


def _clean_keys(sent: Any) -> list[tuple[int, str]]:
    errors = FieldErrors()
    if not isinstance(sent, list) or not sent:
        raise DomainError({"keys": "No keys were sent during the call."})
    if len(sent) > MAX_KEYS:
        raise DomainError({"keys": f"At most {MAX_KEYS} keys per call."})
    keys = []
    for i, item in enumerate(sent):
        path = f"keys.{i}"
        if not isinstance(item, dict):
            errors.add(path, "Must be an object with digits and at_ms.")
            continue
        digits, at_ms = item.get("digits"), item.get("at_ms")
        if not isinstance(digits, str) or not digits or len(digits) > MAX_DIGITS or (
                not DIGITS_RE.fullmatch(digits)):
            errors.add(path + ".digits", DIGITS_HELP)
        if not isinstance(at_ms, int) or isinstance(at_ms, bool) or not (
                0 <= at_ms <= MAX_CALL_MS):
            errors.add(path + ".at_ms", "Must be milliseconds since the call started.")
        if path + ".digits" not in errors and path + ".at_ms" not in errors:
            keys.append((at_ms, digits))
    if errors:
        raise DomainError(errors)
    return sorted(keys, key=lambda k: k[0])


def steps_from_keys(sent: Any) -> list[dict[str, Any]]:
    """Steps from the keys sent during a call ([{"digits", "at_ms"}], at_ms from the call's start).

    Keys less than SAME_STEP_MS apart join one step (a menu choice, an extension typed); the
    pause before the next key becomes the step's wait, in whole seconds. A step that would
    outgrow the digits column starts a new one. DomainError names a malformed key.
    """
    steps: list[dict[str, Any]] = []
    last_ms: int | None = None
    for at_ms, digits in _clean_keys(sent):
        current = steps[-1] if steps else None
        if current is not None and last_ms is not None and at_ms - last_ms < SAME_STEP_MS and (
                len(current["digits"]) + len(digits) <= MAX_DIGITS):
            current["digits"] += digits
        else:
            if current is not None and last_ms is not None:
                current["wait_seconds"] = min(MAX_WAIT, round((at_ms - last_ms) / 1000))
            steps.append({"digits": digits, "wait_seconds": 0, "label": None})
        last_ms = at_ms
    return steps
