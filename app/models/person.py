"""Key players: people at a target company, and where we learned about them."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum

if TYPE_CHECKING:
    from app.models.call import Call
    from app.models.company import Company
    from app.models.job import Job
    from app.models.user import User



NAME_KEY_LENGTH = 300


def person_name_key(name: str | None) -> str | None:
    """The form of a name that the same person's spellings share (case, Unicode form, spaces).

    NFKC folds compatibility forms (full-width letters, ligatures, a combining diaeresis) and
    casefold() goes further than lower() ("Straße" = "STRASSE"). Applied before and after the
    fold, as Unicode's caseless matching does. The one definition of "the same name".
    """
    if not name:
        return None
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())[:NAME_KEY_LENGTH] or None


class PersonRole(enum.StrEnum):
    GATEKEEPER = "gatekeeper"
    HIRING_MANAGER = "hiring_manager"
    CANDIDATE = "candidate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PersonStatus(enum.StrEnum):
    UNCOVERED = "uncovered"
    VERIFIED = "verified"
    CONTACTED = "contacted"
    CANDIDATE = "candidate"
    NOT_INTERESTED = "not_interested"
    DO_NOT_CALL = "do_not_call"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Person(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))  # indexed below
    # None only for a placeholder: a known position ("VP Engineering") whose holder is unknown.
    full_name: Mapped[str | None] = mapped_column(String(200))
    placeholder: Mapped[bool] = mapped_column(default=False, server_default=false())
    # person_name_key(full_name), kept by the validator below; one holder per name per company.
    name_key: Mapped[str | None] = mapped_column(String(NAME_KEY_LENGTH))
    # Another person who shares a colleague's name: confirmed as someone else (allow_duplicate),
    # or a duplicate stored before names were unique, left for a merge. Not held to uniqueness.
    namesake: Mapped[bool] = mapped_column(default=False, server_default=false())
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(120))
    reports_to_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # Indexed: who owns a number (do-not-call, off limits) is asked before every dial.
    direct_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    extension: Mapped[str | None] = mapped_column(String(10))
    mobile_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # Where the email came from when it was not typed: set by applying the company's pattern,
    # cleared by the validator below whenever the address is written again.
    email_source: Mapped[str | None] = mapped_column(String(120))
    linkedin_url: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[PersonRole] = mapped_column(slug_enum(PersonRole), default=PersonRole.OTHER)
    status: Mapped[PersonStatus] = mapped_column(
        slug_enum(PersonStatus), default=PersonStatus.UNCOVERED
    )
    notes: Mapped[str | None] = mapped_column(Text)
    # Left the company: kept with their history, but off the live org chart.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Provenance: the call that uncovered this name, and who wrote it down.
    source_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Provenance of an imported person: the import job (its file and who ran it).
    source_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    company: Mapped[Company] = relationship(back_populates="people")
    # remote_side marks `id` as the parent side of the self-referencing reports-to link.
    reports_to: Mapped[Person | None] = relationship(
        remote_side=[id], back_populates="direct_reports"
    )
    direct_reports: Mapped[list[Person]] = relationship(
        back_populates="reports_to", order_by="Person.full_name"
    )
    # post_update: a gatekeeper created with the call that found them points back at that call,
    # so this column is filled by a second UPDATE once both rows exist.
    source_call: Mapped[Call | None] = relationship(foreign_keys=[source_call_id], post_update=True)
    created_by: Mapped[User | None] = relationship()
    source_import: Mapped[Job | None] = relationship()

    reporting_links: Mapped[list[ReportingLink]] = relationship(
        foreign_keys="ReportingLink.person_id", back_populates="person",
        order_by="ReportingLink.id", cascade="all, delete-orphan")

    __table_args__ = (
        # The guard concurrent captures of a name meet: the second INSERT fails, links instead.
        # Placeholders (no name, NULL key) and namesakes stay outside it.
        Index("uq_person_company_id_name_key", "company_id", "name_key", unique=True,
              postgresql_where=text("NOT namesake"), sqlite_where=text("NOT namesake")),
        # The duplicate check's lookup, namesakes included: no scan of a big company's people.
        Index("ix_person_company_id_name_key", "company_id", "name_key"),
        # A company's people by name (its page shows the first 100 of up to ~12,000 without
        # sorting them all); also every lookup by company_id, so it replaced ix_person_company_id.
        Index("ix_person_company_full_name", "company_id", "full_name"),
        # The email pattern's "changed since learned?" check (count, newest change) from the
        # index alone: a 12,000-person company's rows are not read on every page.
        Index("ix_person_company_id_updated_at", "company_id", "updated_at"),
    )

    @validates("full_name")
    def _keep_name_key(self, _key: str, value: str | None) -> str | None:
        # Every write of a name goes through here, so no code path can leave the key stale.
        self.name_key = person_name_key(value)
        return value

    @validates("email")
    def _forget_email_source(self, _key: str, value: str | None) -> str | None:
        if value != self.email:
            self.email_source = None
        return value

    @property
    def display_name(self) -> str:
        if self.full_name:
            return self.full_name
        return f"{self.title or 'Unknown position'} — name unknown"

    @property
    def on_chart(self) -> bool:
        return self.left_at is None

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.display_name!r}>"


class ReportingLink(db.Model):
    """One report of who someone reports to: from a call, a colleague, or an edit, and when.

    The person's current manager is `Person.reports_to`; these rows keep every way the link was
    reported, so a conflicting report shows beside the current one instead of erasing it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True)
    source_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("call.id", ondelete="SET NULL"), index=True)
    # The colleague who told us (often the gatekeeper), when known.
    told_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    person: Mapped[Person] = relationship(foreign_keys=[person_id],
                                          back_populates="reporting_links")
    manager: Mapped[Person | None] = relationship(foreign_keys=[manager_id])
    source_call: Mapped[Call | None] = relationship(foreign_keys=[source_call_id])
    told_by: Mapped[Person | None] = relationship(foreign_keys=[told_by_id])
    reported_by: Mapped[User | None] = relationship()
