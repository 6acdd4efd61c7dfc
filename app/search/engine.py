"""Each database's own full-text engine over `search_entry`, behind one small interface.

SQLite: an FTS5 table with external content (`search_entry` holds the text; triggers keep the
index in step). PostgreSQL: a generated `tsvector` column with a GIN index. Both use no stemming,
so "director" matches "Director" and `direc*` does too, and nothing else surprising happens to
names. Both fold case and accents the same way, on the text and on the query: FTS5's
`remove_diacritics 2`, and on PostgreSQL the `switchboard` configuration (`simple` after
`unaccent`), so Müller, Muller and MÜLLER are one word on either database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import Connection

# SQLite's FTS5 index is contentless and its rowid says whose entry it is: kind, record, field.
# A match then needs no visit to `search_entry` (a lookup per hit costs more than the match), a
# kind is one rowid range the index seeks to, and walking rowids downwards lists the newest
# records first, so a capped count and its candidates stop early.
KIND_CODES = {"person": 1, "company": 2, "call": 3}
# Every field the index writes has a code (a test checks it); OTHER_FIELD keeps a new one working.
FIELD_CODES = {"name": 1, "title": 2, "department": 3, "notes": 4, "company": 5, "about": 6,
               "sound": 7}
OTHER_FIELD = 31
FIELD_BITS = 5
KIND_SHIFT = 41  # record ids below 2**36
REF_MASK = (1 << (KIND_SHIFT - FIELD_BITS)) - 1


def fts_key(kind: str, ref_id: int, field: str) -> int:
    """The FTS5 rowid of one entry (the triggers compute the same in SQL)."""
    return ((KIND_CODES[kind] << KIND_SHIFT) | (ref_id << FIELD_BITS)
            | FIELD_CODES.get(field, OTHER_FIELD))


def _sql_key(row: str) -> str:
    kinds = " ".join(f"WHEN '{k}' THEN {c}" for k, c in KIND_CODES.items())
    fields = " ".join(f"WHEN '{f}' THEN {c}" for f, c in FIELD_CODES.items())
    return (f"((CASE {row}.kind {kinds} ELSE 0 END) << {KIND_SHIFT}) | ({row}.ref_id << "
            f"{FIELD_BITS}) | (CASE {row}.field {fields} ELSE {OTHER_FIELD} END)")


_ADD = f"INSERT INTO search_fts(rowid, text) VALUES ({_sql_key('new')}, new.text);"
# A contentless table forgets an entry only when told its exact old text.
_FORGET = (f"INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', {_sql_key('old')}, "
           "old.text);")
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(text, content='', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS search_entry_ai AFTER INSERT ON search_entry BEGIN {_ADD} END",
    f"CREATE TRIGGER IF NOT EXISTS search_entry_ad AFTER DELETE ON search_entry BEGIN {_FORGET} "
    "END",
    "CREATE TRIGGER IF NOT EXISTS search_entry_au AFTER UPDATE ON search_entry BEGIN "
    f"{_FORGET} {_ADD} END",
)
SQLITE_FILL = f"INSERT INTO search_fts(rowid, text) SELECT {_sql_key('search_entry')}, text " \
    "FROM search_entry"
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS search_entry_{t}" for t in ("ai", "ad", "au")) + (
    "DROP TABLE IF EXISTS search_fts",)
TS_CONFIG = "switchboard"
# Every kind of word token PostgreSQL's parser makes goes through unaccent, then simple.
_WORD_TOKENS = ("asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, "
                "hword_part, hword_numpart")
POSTGRES_CONFIG = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # No IF NOT EXISTS for a text search configuration: look for it in the schema it would be
    # created in. The dictionary is named with its extension's schema, which need not be on
    # the search path.
    "DO $$ DECLARE home text; BEGIN "
    f"IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{TS_CONFIG}' "
    "AND cfgnamespace = current_schema()::regnamespace) THEN "
    "SELECT n.nspname INTO home FROM pg_extension e "
    "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'; "
    f"CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = pg_catalog.simple); "
    f"EXECUTE format('ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} ALTER MAPPING FOR "
    f"{_WORD_TOKENS} WITH %I.unaccent, simple', home); END IF; END $$",
)
# PostgreSQL's GIN index cannot list matches newest first, and reading every match's row to
# sort them costs ~100 ms per 20,000. So the index also holds, per entry, which block of record
# ids it falls in, at several block sizes (1,024 ids, 8,192, ... 4M): a driver asks for its word
# AND the newest blocks, which GIN intersects inside the index, and widens the window until it
# has enough (app/search/service.py). The blocks are an expression of the index (no column):
# user queries read `tsv` only, so they can never match a block.
BLOCK_SHIFTS = {"a": 10, "b": 13, "c": 16, "d": 19, "e": 22}
BLOCKS_SQL = "to_tsvector('simple'::regconfig, " + " || ' ' || ".join(
    f"kind || '{letter}' || (ref_id >> {shift})::text" for letter, shift in BLOCK_SHIFTS.items()
) + ")"
POSTGRES_DDL = (
    *POSTGRES_CONFIG,
    "ALTER TABLE search_entry ADD COLUMN IF NOT EXISTS tsv tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('{TS_CONFIG}', text)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_entry_tsv ON search_entry USING GIN "
    f"(tsv, ({BLOCKS_SQL}))",
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


def fold(text_value: str) -> str:
    """Lower case without accents (é -> e, Ü -> u), as both engines index words."""
    decomposed = unicodedata.normalize("NFKD", text_value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text_value: str) -> list[str]:
    return _WORDS.findall(fold(text_value))


@dataclass(frozen=True)
class Match:
    """One full-text condition on an entry: these folded words as a phrase, all, or any of them."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word is a prefix
    phrase: bool = False
    any_of: bool = False

    def sqlite(self) -> str:
        quoted = ['"' + w.replace('"', '""') + '"' for w in self.words]
        if self.phrase:
            query = '"' + " ".join(w.replace('"', '""') for w in self.words) + '"'
        else:
            query = (" OR " if self.any_of else " ").join(quoted)
        return query + ("*" if self.prefix else "")

    def postgres(self) -> str | None:
        lexemes = [w for w in (re.sub(r"\W", "", w) for w in self.words) if w]
        if not lexemes:
            return None
        if self.prefix:
            lexemes[-1] += ":*"
        return (" <-> " if self.phrase else " | " if self.any_of else " & ").join(lexemes)


@dataclass(frozen=True)
class Arm:
    """A match in some of a record's index fields; `exact` marks a `~` term's own spelling."""

    fields: tuple[str, ...]
    match: Match
    exact: bool = False


def _kind_range(kind: str) -> tuple[int, int]:
    code = KIND_CODES[kind]
    return code << KIND_SHIFT, ((code + 1) << KIND_SHIFT) - 1


def _field_filter(fields: tuple[str, ...]) -> str:
    codes = ", ".join(str(FIELD_CODES.get(f, OTHER_FIELD)) for f in fields)
    return f"(search_fts.rowid & {(1 << FIELD_BITS) - 1}) IN ({codes})"


# Qualified: inside a filter's subquery a bare rowid would be that table's own.
_FTS_REF = f"((search_fts.rowid >> {FIELD_BITS}) & {REF_MASK})"


# ts_rank_cd divided by 1 + log(entry length), as bm25 weighs length: a word in a short title
# counts for more than the same word lost in long notes.
RANK_NORMALIZATION = 1


def _tsquery(key: str, query: str) -> ColumnElement:
    return func.to_tsquery(literal_column(f"'{TS_CONFIG}'::regconfig"), bindparam(key, query))


def ref_column(dialect: str) -> ColumnElement:
    """The record id of the entry a driver walks (see app/search/compiler.py)."""
    from app.models import SearchEntry

    return literal_column(_FTS_REF) if dialect == "sqlite" else SearchEntry.ref_id


def fts_refs(kind: str, fields: tuple[str, ...], fts_query: str, key: str):
    """SQLite: SELECT of the ids of `kind` records with an entry in `fields` matching an FTS5
    query (for callers outside search that write their own, e.g. the duplicate check)."""
    low, high = _kind_range(kind)
    return select(literal_column(_FTS_REF).label("ref_id")).select_from(text("search_fts")).where(
        text(f"search_fts MATCH :{key}").bindparams(bindparam(key, fts_query)),
        text(f"search_fts.rowid BETWEEN {low} AND {high}"), text(_field_filter(fields)))


def _arm_select(dialect: str, kind: str, arm: Arm, key: str, scored: bool,
                blocks: bool = False):
    """Entries of `kind` in the arm's fields that match, with their key (newest record last)."""
    from app.models import SearchEntry

    if dialect == "sqlite":
        low, high = _kind_range(kind)
        columns = [literal_column("search_fts.rowid").label("entry_key"),
                   literal_column(_FTS_REF).label("ref")]
        if scored:
            columns += [literal_column("-bm25(search_fts)").label("score"),
                        literal_column(str(int(arm.exact))).label("exact")]
        return select(*columns).select_from(text("search_fts")).where(
            text(f"search_fts MATCH :{key}").bindparams(bindparam(key, arm.match.sqlite())),
            text(f"search_fts.rowid BETWEEN {low} AND {high}"), text(_field_filter(arm.fields)))
    query = arm.match.postgres()
    if query is None:
        return None
    tsv = literal_column("search_entry.tsv")
    columns = [SearchEntry.ref_id.label("entry_key"), SearchEntry.ref_id.label("ref")]
    if scored:
        columns += [func.ts_rank_cd(tsv, _tsquery(key + "r", query), RANK_NORMALIZATION)
                    .label("score"),
                    literal_column(str(int(arm.exact))).label("exact")]
    # A window's blocks name the kind: saying it again, the planner would AND in the kind
    # index (800,000 rows) instead of letting GIN answer alone.
    kind_condition = [] if blocks else [SearchEntry.kind == kind]
    return select(*columns).where(*kind_condition, SearchEntry.field.in_(arm.fields),
                                  tsv.op("@@")(_tsquery(key, query)))


def matching_refs(dialect: str, kind: str, arm: Arm, key: str):
    """SELECT of the ids of `kind` records with an entry that matches the arm, or None."""
    arm_select = _arm_select(dialect, kind, arm, key, scored=False)
    return None if arm_select is None else arm_select.with_only_columns(
        arm_select.selected_columns.ref)


def entry_exists(kind: str, arm: Arm, ids: ColumnElement, key: str) -> ColumnElement | None:
    """PostgreSQL: the record `ids` names has an entry that matches (an index probe per record)."""
    from app.models import SearchEntry

    query = arm.match.postgres()
    if query is None:
        return None
    entry = SearchEntry.__table__.alias(f"e_{key}")
    return exists().where(entry.c.kind == kind, entry.c.ref_id == ids,
                          entry.c.field.in_(arm.fields),
                          literal_column(f"e_{key}.tsv").op("@@")(_tsquery(key, query)))


def block_window(kind: str, cursor: int, size: int) -> tuple[str, int]:
    """PostgreSQL: a query for the blocks that cover at least [cursor - size, cursor), and the
    first id they cover (blocks of about a quarter of the window, so a few of them)."""
    letter, shift = max(((letter, shift) for letter, shift in BLOCK_SHIFTS.items()
                         if 1 << shift <= max(size // 4, 1 << BLOCK_SHIFTS["a"])),
                        key=lambda pair: pair[1])
    high, low = (cursor - 1) >> shift, max(0, cursor - size) >> shift
    return " | ".join(f"{kind}{letter}{block}" for block in range(high, low - 1, -1)), (
        low << shift)


def driver_walk(dialect: str, kind: str, arms: list[Arm], condition: ColumnElement,
                limit: int, window: tuple[str, int] | None = None):
    """The newest records with a driver entry that passes `condition`, scored by the engine
    (FTS5 bm25, ts_rank_cd): rows of (ref, score, exact, entries), newest first, or None.

    `limit` counts entries (a record may match in several fields), walked newest first.
    PostgreSQL takes a `window` (blocks, cursor): only ids below the cursor in those blocks.
    """
    if window is not None:
        from app.models import SearchEntry

        blocks, cursor = window
        condition = and_(condition, SearchEntry.ref_id < cursor, literal_column(
            BLOCKS_SQL).op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"),
                                                 bindparam("blocks", blocks))))
    selects = [s.where(condition) for i, arm in enumerate(arms)
               if (s := _arm_select(dialect, kind, arm, f"d{i}", scored=True,
                                    blocks=window is not None)) is not None]
    if not selects:
        return None
    walk = (selects[0] if len(selects) == 1 else union_all(*selects)).order_by(
        literal_column("entry_key").desc()).limit(limit).subquery("walk")
    return select(walk.c.ref, func.sum(walk.c.score), func.max(walk.c.exact),
                  func.count()).group_by(walk.c.ref).order_by(walk.c.ref.desc())


def relevance(connection: Connection, kind: str, arm: Arm, ref_ids: list[int],
              limit: int) -> dict[int, float]:
    """The engine's own score of each record's matching entries (FTS5 bm25, ts_rank_cd)."""
    wanted = set(ref_ids)
    scores: dict[int, float] = {}
    if connection.dialect.name == "sqlite":
        # Walk only the rowids between the oldest and newest record asked about.
        code = KIND_CODES[kind] << KIND_SHIFT
        low, high = code | (min(wanted) << FIELD_BITS), code | ((max(wanted) + 1) << FIELD_BITS)
        rows = connection.execute(text(
            f"SELECT {_FTS_REF}, -bm25(search_fts) FROM search_fts WHERE search_fts MATCH :q "
            f"AND search_fts.rowid >= :low AND search_fts.rowid < :high "
            f"AND {_field_filter(arm.fields)} ORDER BY search_fts.rowid DESC LIMIT :limit"),
            {"q": arm.match.sqlite(), "low": low, "high": high, "limit": limit})
    else:
        query = arm.match.postgres()
        if query is None:
            return scores
        rows = connection.execute(text(
            f"SELECT ref_id, ts_rank_cd(tsv, to_tsquery('{TS_CONFIG}', :q), "
            f"{RANK_NORMALIZATION}) FROM search_entry "
            f"WHERE kind = :kind AND field = ANY(:fields) AND ref_id = ANY(:ids) "
            f"AND tsv @@ to_tsquery('{TS_CONFIG}', :q)"),
            {"q": query, "kind": kind, "fields": list(arm.fields), "ids": sorted(wanted)})
    for ref_id, score in rows:
        if ref_id in wanted:
            scores[ref_id] = scores.get(ref_id, 0.0) + float(score)
    return scores
