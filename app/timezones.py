"""Time zones: everything is stored in UTC and shown in the reader's own zone."""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=1)
def all_timezones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")) + [
        "UTC"
    ]


def is_timezone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name) if is_timezone(name) else ZoneInfo("UTC")


def to_local(value: datetime | None, tz_name: str | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(zone(tz_name))


def from_local(value: datetime | None, tz_name: str | None) -> datetime | None:
    """Read a naive wall-clock time typed in tz_name and return it in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return value.astimezone(UTC)
