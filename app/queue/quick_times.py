"""One-key follow-up times ("tomorrow 9:00", "next Monday") in the company's local time.

Every choice is 9:00 on a working day at the company (its time zone; else the recruiter's; else
UTC): nobody answers a switchboard on a Saturday, so "tomorrow" and "in 2 days" count working
days (Monday to Friday), and the label says so when that is not the calendar's answer. The
recruiter sees and submits the time in their own zone (`user_local`, the call form's
follow_up_at value); in the hour their clock repeats when summer time ends, that wall-clock
value would read back an hour early, so such a choice moves to 10:00 at the company.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.dates import parse_wall_clock
from app.timezones import from_local, is_timezone, zone

CALL_AT = time(9, 0)
INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # ISO, which the call form's date fields read (app.dates)


@dataclass
class QuickTime:
    key: str  # the key that picks it, e.g. "1"
    label: str  # "Tomorrow 9:00"
    at: datetime  # UTC
    company_local: str  # "Wed 2 Dec 09:00 (Europe/Berlin)"
    user_local: str  # the value for the recruiter's date field, e.g. "2026-12-02T03:00"


def company_zone_name(company, user) -> str:
    """The zone the follow-up is set in: the company's, else the recruiter's, else UTC."""
    for name in (getattr(company, "timezone", None), getattr(user, "timezone", None)):
        if is_timezone(name):
            return name
    return "UTC"


def _working_days_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _weekday_from(day: date) -> date:
    """The day itself, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _clock(local: datetime) -> str:
    return f"{local.hour}:{local.minute:02d}"


def _instant(day: date, company_tz: ZoneInfo, user_tz_name: str) -> datetime:
    """9:00 at the company on `day` in UTC, or 10:00 when the recruiter's clock reads it twice."""
    for hour in (CALL_AT.hour, CALL_AT.hour + 1):
        at = datetime.combine(day, time(hour), tzinfo=company_tz).astimezone(UTC)
        shown = at.astimezone(zone(user_tz_name)).strftime(INPUT_FORMAT)
        if from_local(parse_wall_clock(shown), user_tz_name) == at:
            return at
    return at  # unreachable: a clock repeats one hour at a time


def quick_follow_ups(company, user, now: datetime) -> list[QuickTime]:
    """The quick follow-up choices for a call to this company, now (keys "1" to "4")."""
    tz_name = company_zone_name(company, user)
    company_tz = zone(tz_name)
    user_tz = user.timezone if is_timezone(user.timezone) else "UTC"
    today = now.astimezone(company_tz).date()
    tomorrow, in_two = _working_days_after(today, 1), _working_days_after(today, 2)
    monday = today + timedelta(days=7 - today.weekday())
    week = _weekday_from(today + timedelta(days=7))
    plans = [
        ("1", tomorrow, "Tomorrow {t}" if tomorrow == today + timedelta(days=1)
         else "{d} {t} (next working day)"),
        ("2", in_two, "In 2 days, {t}" if in_two == today + timedelta(days=2)
         else "{d} {t} (2 working days)"),
        ("3", monday, "Next Monday {t}"),
        ("4", week, "In a week, {t}" if week == today + timedelta(days=7)
         else "{d} {t} (a week on, after the weekend)"),
    ]
    out = []
    for key, day, label in plans:
        at = _instant(day, company_tz, user_tz)
        local = at.astimezone(company_tz)
        out.append(QuickTime(
            key=key,
            label=label.format(t=_clock(local), d=local.strftime("%a")),
            at=at,
            company_local=f"{local:%a} {local.day} {local:%b %H:%M} ({tz_name})",
            user_local=at.astimezone(zone(user_tz)).strftime(INPUT_FORMAT),
        ))
    return out


# When the call started, for a call logged after it ended: minutes ago on the recruiter's clock.
STARTED_CHOICES = (("Now", 0), ("5 min ago", 5), ("15 min ago", 15), ("30 min ago", 30),
                   ("1 hour ago", 60))


def quick_started(user, now: datetime) -> list[QuickTime]:
    """Quick choices for the call-time field, in the recruiter's own zone (no keys)."""
    user_tz = zone(user.timezone if is_timezone(user.timezone) else "UTC")
    out = []
    for label, minutes in STARTED_CHOICES:
        at = (now - timedelta(minutes=minutes)).astimezone(UTC).replace(second=0, microsecond=0)
        out.append(QuickTime(key="", label=label, at=at, company_local="",
                             user_local=at.astimezone(user_tz).strftime(INPUT_FORMAT)))
    return out
