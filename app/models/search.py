"""The search index (one row per record and field) and users' saved searches.

`search_entry` is plain SQL everywhere; each database adds its own full-text engine beside it
(see app/search/engine.py): an FTS5 table on SQLite, a generated tsvector with a GIN index on
PostgreSQL. The entries are rewritten whenever a person, company or call is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, now_utc
from app.search.engine import create_engine_objects, drop_engine_objects


class SearchEntry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # person, company, call
    ref_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(20))  # name, title, department, company, notes...
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("kind", "ref_id", "field"),
        Index("ix_search_entry_kind_field", "kind", "field"),
    )


class SavedSearch(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Matches added after this moment count as new on the next run.
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# create_all/drop_all (tests) get the same full-text objects as the migration creates.
event.listen(SearchEntry.__table__, "after_create",
             lambda target, connection, **kw: create_engine_objects(connection))
event.listen(SearchEntry.__table__, "before_drop",
             lambda target, connection, **kw: drop_engine_objects(connection))
