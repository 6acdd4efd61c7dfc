"""Background jobs (work done outside a request) and the uploaded files they read."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, now_utc, slug_enum

if TYPE_CHECKING:
    from app.models.user import User


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """One unit of background work: claimed by one runner at a time, its progress kept here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        slug_enum(JobStatus),
        default=JobStatus.QUEUED)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not claimed before this moment (a retry's backoff); now when queued.
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # The runner holding the job, and its last sign of life: older than the stale limit means
    # the runner died, and another takes the job again.
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    # The claim's lookup: queued jobs due now, oldest first, and running ones by age.
    __table_args__ = (Index("ix_job_status_run_after", "status", "run_after"),)

    @property
    def provenance(self) -> str:
        """How an imported record came to be: 'imported from <file> by <user>'."""
        who = self.created_by.display_name if self.created_by else "the command line"
        return f"imported from {self.payload.get('filename', 'a file')} by {who}"

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status.value}>"


class StoredFile(db.Model):
    """An uploaded file, kept in the database so any app server or worker can read it.

    The bytes are in `StoredFileChunk` rows of at most CHUNK_BYTES each: neither the upload nor
    a reader ever holds the whole file.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    created_by: Mapped[User | None] = relationship()


class StoredFileChunk(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("uq_stored_file_chunk_file_id_seq", "file_id", "seq", unique=True),)
