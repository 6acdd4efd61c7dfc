"""Target companies: the organisations a sourcer calls into."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc

if TYPE_CHECKING:
    from app.models.call import Call
    from app.models.person import Person
    from app.models.user import User


class Company(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str | None] = mapped_column(String(253))
    # The switchboard number, E.164 (indexed: who owns a number is asked before every dial).
    main_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # ISO 3166 alpha-2: numbers typed without a country code are read in this country.
    country: Mapped[str] = mapped_column(String(2), default="US")
    location: Mapped[str | None] = mapped_column(String(300))
    timezone: Mapped[str | None] = mapped_column(String(64))
    industry: Mapped[str | None] = mapped_column(String(120))
    email_pattern: Mapped[str | None] = mapped_column(String(120))
    off_limits: Mapped[bool] = mapped_column(default=False)
    off_limits_reason: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Provenance of an imported company: the import job (its file and who ran it).
    source_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    people: Mapped[list[Person]] = relationship(
        back_populates="company", order_by="Person.full_name"
    )
    calls: Mapped[list[Call]] = relationship(back_populates="company")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.name!r}>"
