"""Dates and times from outside (forms, the API, list filters, search) read one way, in one window.

Python's datetime stops at years 1 and 9999, so a stored 9999-12-31 shown in a zone east of UTC,
or 0001-01-01 west of it, cannot be converted at all. Every date we accept therefore falls in
FIRST_DAY..LAST_DAY, far from both ends: then no conversion between zones can overflow. The
window applies to a date, and to a date-time's own date as written (before any conversion), so
the rule reads the same to a person typing in their zone and to an API client sending an offset.
"""

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from wtforms import DateField, StringField

from app.date_words import TYPED_EXAMPLE, UnreadableDate, read_typed

FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2100, 12, 31)
WINDOW_TEXT = f"between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"
WINDOW_MESSAGE = f"Must fall {WINDOW_TEXT}."
# For API documents (OpenAPI descriptions): what the server accepts, in one sentence.
WINDOW_DESCRIPTION = (
    f"Dates, and the date part of a date-time as written (in its own offset), must fall "
    f"{WINDOW_TEXT}; anything else is refused."
)
DATE_EXAMPLE = "2026-01-31"
DATETIME_EXAMPLE = "2024-05-01T14:30:00Z"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What a datetime-local input sends: minutes, maybe seconds (and fractions), never a zone.
_WALL_CLOCK = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
)


class DateError(ValueError):
    """A date or date-time unreadable or outside the window; str() is the message."""


class OutsideWindow(DateError):
    """A real date, but outside FIRST_DAY..LAST_DAY."""


def in_window(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def check_date(day: date) -> date:
    """The day itself, or DateError when it falls outside the window."""
    if not in_window(day):
        raise OutsideWindow(WINDOW_MESSAGE)
    return day


def check_datetime(value: datetime) -> datetime:
    """The value itself, or DateError when its date (as written) falls outside the window."""
    check_date(value.date())
    return value


def _quoted(value: str) -> str:
    return "“" + value[:40] + "”"


def parse_date(value: Any) -> date:
    """A YYYY-MM-DD date (or a date) inside the window; DateError otherwise."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise DateError(f"Must be a date like {DATE_EXAMPLE}.")
    if isinstance(value, str):
        text = value.strip()
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            raise DateError(f"{_quoted(text)} is not a date like {DATE_EXAMPLE}.") from None
    return check_date(value)


def parse_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time with a UTC offset, inside the window; DateError otherwise."""
    if not isinstance(value, str):
        raise DateError(f"Must be an ISO 8601 date-time string, e.g. {DATETIME_EXAMPLE}.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DateError(
            f"{_quoted(value)} is not an ISO 8601 date-time, e.g. {DATETIME_EXAMPLE}."
        ) from None
    if parsed.tzinfo is None:
        raise DateError(
            f"Add a UTC offset (Z or +02:00, e.g. {DATETIME_EXAMPLE}): "
            "a time without one is ambiguous."
        )
    return check_datetime(parsed)


def parse_wall_clock(value: Any) -> datetime:
    """A zone-less local time as a datetime-local input sends it (2026-01-31T14:30), in the window.

    The result is naive: the caller knows whose zone it was typed in (app.timezones.from_local).
    """
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not _WALL_CLOCK.fullmatch(text):
            raise ValueError
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DateError("Not a valid datetime; type it like 2026-01-31 14:30.") from None
    return check_datetime(parsed)


def parse_email_date(value: Any) -> datetime | None:
    """An RFC 2822 date (Twilio's `Timestamp`) as an aware datetime, or None when it is unusable.

    "-0000" (no known zone) is read as UTC, as the RFC says; dates outside the window are None.
    """
    if not isinstance(value, str) or len(value) > 100:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if in_window(parsed.date()) else None


def parse_typed(text: Any, now: datetime) -> datetime:
    """What a person typed ("tomorrow 9am", "3 Dec 14:30"), naive on `now`'s wall clock, in the
    window; DateError (quoting the text) otherwise. See app.date_words for what it reads."""
    try:
        return check_datetime(read_typed(text, now))
    except UnreadableDate as exc:
        raise DateError(str(exc)) from None
    except OutsideWindow:
        raise OutsideWindow(f"“{str(text)[:40]}”: dates must fall {WINDOW_TEXT}.") from None


class WindowedDateField(DateField):
    """A date input read by parse_date: the browser is told the window, the server enforces it."""

    def __init__(self, *args, **kwargs):
        kwargs["render_kw"] = {
            "min": FIRST_DAY.isoformat(),
            "max": LAST_DAY.isoformat(),
            **(kwargs.get("render_kw") or {}),
        }
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = " ".join(valuelist or ()).strip()
        if text:
            self.data = parse_date(text)  # WTForms reports a ValueError as this field's error


class WindowedDateTimeField(StringField):
    """A date-time typed as text ("tomorrow 9am", "3 Dec 14:30", "2026-12-03 14:30").

    Read by parse_typed in the signed-in user's zone; `data` is naive, in that zone. A plain
    text box rather than the browser's datetime-local: that one takes seven Tab stops to fill,
    and silently sends nothing when a part is left blank. Here the server reads what was typed,
    or says it cannot, echoing it.
    """

    def __init__(self, *args, **kwargs):
        kwargs["render_kw"] = {
            "autocomplete": "off",
            "spellcheck": "false",
            "placeholder": TYPED_EXAMPLE,
            **(kwargs.get("render_kw") or {}),
        }
        super().__init__(*args, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        # isoformat pads the year (strftime shows year 1 as "1"), so an old out-of-window value
        # still shows as itself, and the parser refuses it on the next save.
        return self.data.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes") if (
            self.data) else ""

    def process_formdata(self, valuelist):
        self.data = None
        text = " ".join(valuelist or ()).strip()
        if text:
            self.data = parse_typed(text, _now_for_user())


def _now_for_user() -> datetime:
    """Now on the signed-in user's wall clock (UTC without one): "today" is theirs."""
    from flask_login import current_user

    from app.models import now_utc
    from app.timezones import to_local

    tz = getattr(current_user, "timezone", None) if current_user else None
    return to_local(now_utc(), tz).replace(tzinfo=None)  # the app's clock, as everywhere
