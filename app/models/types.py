"""Column types shared by the models."""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


def now_utc() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always returns aware datetimes, on SQLite (no tz support) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite keeps no offset; store naive UTC there so comparisons stay lexical-safe.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def slug_enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    """A Python enum stored as its value (the slug) in a VARCHAR: a new member needs no
    ALTER TYPE on PostgreSQL, and the column reads the same on SQLite."""
    return Enum(cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])
