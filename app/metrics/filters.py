"""The metrics filters (recruiter, period, grouping) read from a GET query string, and the
local-time bucket boundaries they imply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.dates import DATE_EXAMPLE, WINDOW_TEXT, DateError, OutsideWindow, parse_date
from app.extensions import db
from app.models import User
from app.timezones import zone
from app.validation import parse_id

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "custom": "Custom range"}
GROUPINGS = {"day": "Day", "week": "Week"}
FUNNEL_SCOPES = {"period": "Names uncovered in the period", "all": "All names, any time"}
MAX_DAYS = 366


@dataclass
class Bucket:
    """One row of a chart or table: local days [first, last], i.e. UTC [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.strftime("%a %d %b")
        return f"{self.first:%d %b}–{self.last:%d %b}"

    @property
    def short_label(self) -> str:
        return self.first.strftime("%d %b")


@dataclass
class MetricsFilter:
    """What the page shows: one recruiter or the team, local days first..last, grouped."""

    first: date
    last: date
    tz_name: str
    user_id: int | None = None
    grouping: str = "day"
    funnel_scope: str = "period"
    period: str = "30"
    errors: list[str] = field(default_factory=list)
    # day_bounds() by `extra`: every query of a page asks for them (a zoneinfo call per day).
    _bounds: dict[int, list[datetime]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.tz_name)

    def midnight(self, day: date) -> datetime:
        """The UTC instant a local day starts (zoneinfo handles DST: some days are 23 or 25h)."""
        return datetime.combine(day, time(), tzinfo=self.tz).astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self.midnight(self.first)

    @property
    def end(self) -> datetime:
        return self.midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def day_bounds(self, extra: int = 0) -> list[datetime]:
        """Midnights from the first day to the end of the period, plus `extra` more days."""
        if extra not in self._bounds:
            count = (self.last - self.first).days + 2 + extra
            self._bounds[extra] = [self.midnight(self.first + timedelta(days=i))
                                   for i in range(count)]
        return list(self._bounds[extra])

    def buckets(self) -> list[Bucket]:
        """Days, or ISO weeks (Monday first) clipped to the period."""
        firsts = [
            d for d in self.days if self.grouping == "day" or d == self.first or d.weekday() == 0
        ]
        lasts = [d - timedelta(days=1) for d in firsts[1:]] + [self.last]
        return [
            Bucket(f, la, self.midnight(f), self.midnight(la + timedelta(days=1)))
            for f, la in zip(firsts, lasts, strict=True)
        ]

    def bucket_of_day(self) -> list[int]:
        """For each day index of the period, the index of the bucket it falls in."""
        index, out = -1, []
        starts = {b.first for b in self.buckets()}
        for day in self.days:
            index += day in starts
            out.append(index)
        return out

    def url_args(self) -> dict[str, str]:
        args = {
            "recruiter": str(self.user_id) if self.user_id else "team",
            "period": self.period,
            "group": self.grouping,
            "funnel": self.funnel_scope,
        }
        if self.period == "custom":
            args.update({"from": self.first.isoformat(), "to": self.last.isoformat()})
        return args


def _parse_date(value: str, label: str, errors: list[str]) -> date | None:
    try:
        return parse_date(value)
    except OutsideWindow:
        errors.append(f"{label} must fall {WINDOW_TEXT}.")
    except DateError:
        errors.append(f"{label} must be a date like {DATE_EXAMPLE} (got {value[:40]!r}).")
    return None


def _custom_range(args: Mapping[str, str], errors: list[str]) -> tuple[date, date] | None:
    raw_from, raw_to = args.get("from", "").strip(), args.get("to", "").strip()
    if not raw_from or not raw_to:
        errors.append("A custom range needs both a From and a To date.")
        return None
    first, last = _parse_date(raw_from, "From", errors), _parse_date(raw_to, "To", errors)
    if first is None or last is None:
        return None
    if last < first:
        errors.append("To must be on or after From.")
        return None
    if (last - first).days + 1 > MAX_DAYS:
        errors.append(f"Choose at most {MAX_DAYS} days.")
        return None
    return first, last


def parse_filters(args: Mapping[str, str], viewer: User, now: datetime) -> MetricsFilter:
    """Read the query string; anything unusable falls back to a default with a message."""
    errors: list[str] = []
    today = now.astimezone(zone(viewer.timezone)).date()
    period = args.get("period", "30")
    if period not in PERIODS:
        errors.append("Choose a period of 7, 30 or 90 days, or a custom range.")
        period = "30"
    days = int(period) if period != "custom" else 30
    first, last = today - timedelta(days=days - 1), today
    if period == "custom":
        custom = _custom_range(args, errors)
        if custom is None:
            period = "30"
        else:
            first, last = custom
    grouping = args.get("group", "day")
    if grouping not in GROUPINGS:
        errors.append("Group by day or by week.")
        grouping = "day"
    scope = args.get("funnel", "period")
    if scope not in FUNNEL_SCOPES:
        errors.append("The funnel covers the period's names or all names.")
        scope = "period"
    user_id = None
    recruiter = args.get("recruiter", "team")
    if recruiter not in ("", "team"):
        user_id = parse_id(recruiter)
        if user_id is None or db.session.get(User, user_id) is None:
            errors.append("That recruiter does not exist; showing the team.")
            user_id = None
    return MetricsFilter(
        first=first,
        last=last,
        tz_name=viewer.timezone,
        user_id=user_id,
        grouping=grouping,
        funnel_scope=scope,
        period=period,
        errors=errors,
    )
