"""Each database's own full-text engine over `search_entry`, behind one small interface.

SQLite: an FTS5 table with external content (`search_entry` holds the text; triggers keep the
index in step). PostgreSQL: a generated `tsvector` column with a GIN index. Both use the `simple`
(no stemming) rules, so "director" matches "Director" and `direc*` does too, and nothing else
surprising happens to names.
"""

from __future__ import annotations

import re

from sqlalchemy import bindparam, literal_column, select, text
from sqlalchemy.engine import Connection

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(text, content='search_entry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts",)
POSTGRES_DDL = (
    "ALTER TABLE search_entry ADD COLUMN IF NOT EXISTS tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_entry_tsv ON search_entry USING GIN (tsv)",
)
POSTGRES_DROP = ("DROP INDEX IF EXISTS ix_search_entry_tsv",
                 "ALTER TABLE search_entry DROP COLUMN IF EXISTS tsv")


def create_engine_objects(connection: Connection) -> None:
    """Add the full-text index for this database (after `search_entry` exists)."""
    statements = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRES_DDL
    for statement in statements:
        connection.execute(text(statement))


def drop_engine_objects(connection: Connection) -> None:
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRES_DROP
    for statement in statements:
        connection.execute(text(statement))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate ignores the engines' own objects: they are not models, and differ by db."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    if type_ == "column" and name == "tsv" and getattr(obj, "table", None) is not None and (
        obj.table.name == "search_entry"
    ):
        return False
    return not (type_ == "index" and name == "ix_search_entry_tsv")


_WORDS = re.compile(r"\w+", re.UNICODE)


def words(text_value: str) -> list[str]:
    return _WORDS.findall(text_value.lower())


def match_clause(dialect: str, terms: list[str], prefix: bool, phrase: bool, key: str):
    """A condition on `search_entry` rows whose text matches, or None when nothing can."""
    from app.models import SearchEntry

    if not terms:
        return None
    if dialect == "sqlite":
        # FTS5 syntax: quoted words (a phrase, or each on its own for AND), maybe a prefix.
        quoted = ['"' + w.replace('"', '""') + '"' for w in terms]
        query = ('"' + " ".join(w.replace('"', '""') for w in terms) + '"') if phrase else (
            " ".join(quoted))
        if prefix:
            query += "*"
        fts = select(literal_column("rowid")).select_from(text("search_fts")).where(
            text(f"search_fts MATCH :{key}").bindparams(bindparam(key, query)))
        return SearchEntry.id.in_(fts)
    # PostgreSQL: lexemes joined by <-> (a phrase) or & (all of them); the last maybe a prefix.
    lexemes = [w for w in (re.sub(r"\W", "", w) for w in terms) if w]
    if not lexemes:
        return None
    if prefix:
        lexemes[-1] += ":*"
    joiner = " <-> " if phrase else " & "
    return text(f"search_entry.tsv @@ to_tsquery('simple', :{key})").bindparams(
        bindparam(key, joiner.join(lexemes)))
