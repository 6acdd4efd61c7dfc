"""search: accents folded alike on both databases (PostgreSQL `switchboard` text search
configuration = simple + unaccent); SQLite's FTS5 index keyed by kind, record and field

Revision ID: ef978e5c1e67
Revises: 7c3e5a9d2b10
Create Date: 2026-12-01 23:10:00

Upgrade rebuilds the full-text index from `search_entry` (no data changes): on PostgreSQL the
generated `tsv` column and its GIN index are made again with the new configuration; on SQLite
the FTS5 table becomes contentless with rowids that say whose entry it is (app/search/engine.py)
and is refilled. Downgrade puts back the earlier index (frozen below) and refills it.
"""
from alembic import op
from sqlalchemy import text

from app.search.engine import SQLITE_FILL, create_engine_objects, drop_engine_objects

# revision identifiers, used by Alembic.
revision = 'ef978e5c1e67'
down_revision = '7c3e5a9d2b10'
branch_labels = None
depends_on = None

# The index as revision d680ea8b66dd made it.
OLD_SQLITE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_entry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)
OLD_POSTGRES = (
    "ALTER TABLE search_entry ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX ix_search_entry_tsv ON search_entry USING GIN (tsv)",
    # The unaccent extension stays: other objects may have come to use it.
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS switchboard",
)


def upgrade():
    bind = op.get_bind()
    drop_engine_objects(bind)
    create_engine_objects(bind)
    if bind.dialect.name == "sqlite":
        bind.execute(text(SQLITE_FILL))


def downgrade():
    bind = op.get_bind()
    drop_engine_objects(bind)
    for statement in OLD_SQLITE if bind.dialect.name == "sqlite" else OLD_POSTGRES:
        bind.execute(text(statement))
