"""Phone numbers: parse what a sourcer types, store E.164, show national format."""

from functools import lru_cache

import phonenumbers

MAX_INPUT = 40


class PhoneError(ValueError):
    """A number that cannot be dialled; the message is written for the person who typed it."""


def normalize_phone(raw: str | None, region: str | None) -> str | None:
    """Return raw as E.164, reading numbers without a +country code in `region`; None if blank."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    if len(raw) > MAX_INPUT:
        raise PhoneError("That is too long to be a phone number.")
    try:
        number = phonenumbers.parse(raw, (region or "US").upper())
    except phonenumbers.NumberParseException:
        raise PhoneError(f"“{raw}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            f"“{raw}” is not a valid number"
            + (f" in {region.upper()}" if region and not raw.startswith("+") else "")
            + ". Check the digits, or type it with +country code."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_extension(raw: str | None) -> tuple[str | None, str | None]:
    """Split "555-0100 x123" into number and extension, as sourcers often type them together."""
    if not raw:
        return raw, None
    for marker in (" ext. ", " ext ", " ext.", " x", "x", "#"):
        lower = raw.lower()
        if marker in lower:
            idx = lower.rindex(marker)
            ext = raw[idx + len(marker) :].strip()
            if ext.isdigit():
                return raw[:idx].strip(), ext
    return raw, None


@lru_cache(maxsize=4096)  # pages show the same numbers again and again; parsing is not cheap
def format_national(e164: str | None, home_region: str = "US") -> str:
    """Show a stored number as people read it: national at home, +country code when foreign."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(number) == home_region.upper()
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def number_type_name(e164: str) -> str:
    """phonenumbers' kind of line for a stored number: FIXED_LINE, MOBILE, PREMIUM_RATE, ..."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "UNKNOWN"
    kind = phonenumbers.number_type(number)
    return next((name for name, value in vars(phonenumbers.PhoneNumberType).items()
                 if name.isupper() and value == kind), "UNKNOWN")
