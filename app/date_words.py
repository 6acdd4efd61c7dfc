"""Dates as a recruiter types them on the phone: "tomorrow 9am", "3 Dec 14:30", "mon 2pm".

One reading, no guessing between day-first and month-first: numbers-only dates must be ISO
(2026-12-03), other days are words (today, tomorrow, a weekday, "in 3 days") or a day with a
month name. A day without a time means 9:00, the start of the calling day. Anything else is a
DateError that quotes what was typed, so nothing typed is ever silently dropped.
"""

import re
from datetime import date, datetime, time, timedelta

DEFAULT_TIME = time(9, 0)
TYPED_FORMS = "tomorrow 9am, 3 Dec 14:30 or 2026-12-03 14:30"
TYPED_EXAMPLE = f"e.g. {TYPED_FORMS}"
MAX_TYPED = 60  # longer is not a date anyone types

MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
WEEKDAYS = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:\s+([0-9]{4}))?"
_TIME = re.compile(
    r"(?:^|\s)(?:at\s+)?(?:([0-9]{1,2})(?:[:.h]([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.)"
    r"|([0-9]{1,2})[:h]([0-9]{2})|(noon|midnight))$"
)
_DAY_MONTH = re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}")
_MONTH_DAY = re.compile(rf"{_MONTH}\s+{_DAY}{_YEAR}")
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# What the quick choices and older datetime-local inputs send: 2026-12-03T14:30 (seconds too).
_ISO_MINUTE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[t ]([0-9]{2}):([0-9]{2})(?::[0-9]{2})?")
_IN = re.compile(r"in\s+(a|an|one|[0-9]{1,3})\s+(day|week)s?")
_WEEKDAY = re.compile(r"(?:(?:next|this|on)\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*")


class UnreadableDate(ValueError):
    """What was typed is not a date (str() is the message, quoting it)."""


def read_typed(text: str, now: datetime) -> datetime:
    """A naive wall-clock datetime for what was typed, read against `now` (same wall clock).

    Raises UnreadableDate; app.dates.parse_typed adds the window.
    """
    cleaned = " ".join(str(text).lower().replace(",", " ").split())
    if not cleaned or len(cleaned) > MAX_TYPED:
        raise UnreadableDate(_unreadable(text))
    try:
        if cleaned == "now":
            return now.replace(second=0, microsecond=0)
        if m := _ISO_MINUTE.fullmatch(cleaned):
            return datetime.combine(date.fromisoformat(m[1]), time(int(m[2]), int(m[3])))
        day_text, at = _split_time(cleaned)
        if not day_text and at is None:
            raise UnreadableDate(_unreadable(text))
        day = _day(day_text, now.date()) if day_text else now.date()
        return datetime.combine(day, at or DEFAULT_TIME)
    except UnreadableDate:
        raise UnreadableDate(_unreadable(text)) from None
    except (ValueError, OverflowError):  # a day or time that does not exist (31 Feb, 25:00)
        raise UnreadableDate(f"“{str(text)[:40]}” is not a real date and time.") from None


def _unreadable(text: str) -> str:
    return f"“{str(text)[:40]}” is not a date we can read: type it like {TYPED_FORMS}."


def _split_time(text: str) -> tuple[str, time | None]:
    m = _TIME.search(text)
    if not m:
        return text, None
    hour, minute, half, hour24, minute24, word = m.groups()
    if word:
        at = time(12) if word == "noon" else time(0)
    elif half:
        at = _clock(int(hour), int(minute or 0), half[0])
    else:
        at = _clock(int(hour24), int(minute24), None)
    return text[: m.start()].strip().removesuffix(" at").strip(), at


def _clock(hour: int, minute: int, half: str | None) -> time:
    if half is not None:
        if not 1 <= hour <= 12:
            raise ValueError
        hour = hour % 12 + (12 if half == "p" else 0)
    return time(hour, minute)


def _day(text: str, today: date) -> date:
    text = text.removeprefix("on ").strip()
    words = {"today": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "yesterday": -1}
    if text in words:
        return today + timedelta(days=words[text])
    if _ISO_DAY.fullmatch(text):
        return date.fromisoformat(text)
    if m := _IN.fullmatch(text):
        count = 1 if m[1] in ("a", "an", "one") else int(m[1])
        return today + timedelta(days=count * (7 if m[2] == "week" else 1))
    if m := _WEEKDAY.fullmatch(text):
        ahead = (WEEKDAYS[m[1]] - today.weekday() - 1) % 7 + 1  # the next one, never today
        return today + timedelta(days=ahead)
    if m := _DAY_MONTH.fullmatch(text):
        return _dated(int(m[1]), MONTHS[m[2]], m[3], today)
    if m := _MONTH_DAY.fullmatch(text):
        return _dated(int(m[2]), MONTHS[m[1]], m[3], today)
    raise UnreadableDate


def _dated(day: int, month: int, year: str | None, today: date) -> date:
    """A day and month; without a year, the one nearest today (3 Jan typed in December: next)."""
    if year:
        return date(int(year), month, day)
    date(2000, month, day)  # a day that exists in no year (31 Apr) is refused, leap days kept
    options = []
    for y in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(y, month, day))
        except ValueError:  # 29 Feb outside a leap year
            continue
    return min(options, key=lambda d: abs(d - today))
