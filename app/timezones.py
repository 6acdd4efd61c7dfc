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
    # The longest IANA name is about 32 characters; a long one can only be hostile (and a deep
    # path of them makes zoneinfo recurse until it fails).
    if not name or not isinstance(name, str) or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name) if is_timezone(name) else ZoneInfo("UTC")


def to_local(value: datetime | None, tz_name: str | None) -> datetime | None:
    """The time in tz_name; never raises, so one odd stored value cannot take a page down.

    Input is bounded (app.dates), but rows stored before that, near year 1 or 9999, may not
    convert: those are shown as stored, in UTC.
    """
    if value is None:
        return None
    if value.tzinfo is None:  # stored times are UTC; a naive one lost its zone on the way
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(zone(tz_name))
    except (OverflowError, ValueError):
        return value


def utc_sessions(engine_options: dict, database_url: str) -> dict:
    """Engine options that pin PostgreSQL sessions to UTC.

    psycopg returns timestamptz values in the session's zone, and the server's default zone is
    often the machine's local one: there an old stored 9999-12-31 (or year 1) fails to load at
    all ("timestamp too large"), before any display code could show it in UTC. A client option
    outranks a database or role default, so every session reads UTC.
    """
    if not database_url.startswith("postgresql"):
        return engine_options
    connect_args = dict(engine_options.get("connect_args", {}))
    connect_args["options"] = (connect_args.get("options", "") + " -c timezone=UTC").strip()
    return {**engine_options, "connect_args": connect_args}


def from_local(value: datetime | None, tz_name: str | None) -> datetime | None:
    """Read a naive wall-clock time typed in tz_name and return it in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return value.astimezone(UTC)
