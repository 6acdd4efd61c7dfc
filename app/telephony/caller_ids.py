"""The caller ID a dialled target sees: a pool number local to them, else the default.

Local numbers are answered more often than distant ones, so each call shows the pool number
(TWILIO_CALLER_IDS) with the target's country and area code. Without one, TWILIO_CALLER_ID is
shown, unless it is in another country and the pool has a number in the target's: a London
mobile (no area code) is rather called from a London number than from a US one.
"""

from collections.abc import Mapping
from typing import Any

import phonenumbers
from flask import current_app

SETTING = "TWILIO_CALLER_IDS"


def parse_pool(value: str | None) -> list[str]:
    """The pool's numbers in the order configured; ValueError naming the first bad entry."""
    numbers: list[str] = []
    for entry in (value or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            parsed = phonenumbers.parse(entry)
        except phonenumbers.NumberParseException:
            parsed = None
        formatted = parsed and phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.E164)
        # E.164 as written: "+1 212..." or "212..." would be a guess at what was meant.
        if parsed is None or not phonenumbers.is_valid_number(parsed) or formatted != entry:
            raise ValueError(f"{entry!r} is not a valid phone number in +E.164 form "
                             "(for example +12125550100)")
        if entry not in numbers:
            numbers.append(entry)
    return numbers


def check_pool(config: Mapping[str, Any]) -> str | None:
    """Why the configured pool cannot be used, or None (called by settings.check_config)."""
    try:
        parse_pool(config.get(SETTING))
    except ValueError as exc:
        return f"{SETTING} must be comma-separated +E.164 numbers: {exc}."
    return None


def _place(number: str) -> tuple[str | None, str | None]:
    """(country, area code) of an E.164 number; area code None for mobiles and non-geographic."""
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return None, None
    country = phonenumbers.region_code_for_number(parsed)
    national = phonenumbers.national_significant_number(parsed)
    if parsed.country_code == 1:
        # NANP: the area code is the first three digits, mobiles included.
        return country, national[:3]
    length = phonenumbers.length_of_geographical_area_code(parsed)
    return country, national[:length] if length else None


def choose_caller_id(target: str | None, pool: list[str], default: str | None) -> str | None:
    """The pool number with the target's country and area code, else the default (see above)."""
    if not target:
        return default
    country, area = _place(target)
    if country is None:
        return default
    places = {number: _place(number) for number in pool}
    if area is not None:
        for number, place in places.items():
            if place == (country, area):
                return number
    if default and _place(default)[0] == country:
        return default
    return next((n for n, (c, _) in places.items() if c == country), default)


def caller_id_for(target: str | None) -> str | None:
    """The caller ID to show the target of a call placed now, from the app's settings."""
    config = current_app.config
    return choose_caller_id(target, parse_pool(config.get(SETTING)), config["TWILIO_CALLER_ID"])
