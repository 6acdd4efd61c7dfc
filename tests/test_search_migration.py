"""Revision ef978e5c1e67 rebuilds the full-text index of an existing database (PostgreSQL: the
`switchboard` configuration with unaccent; SQLite: FTS5 keyed by kind, record and field), and
its downgrade puts the earlier index back, each time from the entries already there."""

from datetime import UTC, datetime

import flask_migrate
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.extensions import db
from app.models import Person
from app.search.index import rebuild_index
from app.search.service import run_search
from tests.test_migrations import MIGRATIONS, empty_app  # noqa: F401  (a fixture)

REVISION = "ef978e5c1e67"


def _before() -> str:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _old_index_finds(word: str) -> int:
    """Entries the earlier index (revision d680ea8b66dd's) finds for a word."""
    if db.engine.dialect.name == "sqlite":
        return db.session.scalar(text(
            "SELECT count(*) FROM search_fts WHERE search_fts MATCH :w"), {"w": word})
    return db.session.scalar(text(
        "SELECT count(*) FROM search_entry WHERE tsv @@ to_tsquery('simple', :w)"), {"w": word})


def test_upgrade_rebuilds_the_index_from_existing_entries_and_downgrade_restores_it(
    empty_app,  # noqa: F811  (the fixture imported above)
):
    flask_migrate.upgrade(directory=MIGRATIONS, revision=_before())
    # Rows as that schema has them (today's models carry later columns), then their entries.
    acme_id = db.session.execute(text(
        "INSERT INTO company (name, country, off_limits, created_at, updated_at) "
        "VALUES ('Acme Analytics', 'US', false, :now, :now) RETURNING id"),
        {"now": datetime.now(UTC)}).scalar_one()
    for name, title, key in (("Katrin Müller", "Héad", "katrin müller"),
                             ("Hans Muller", "Head", "hans muller")):
        db.session.execute(text(
            "INSERT INTO person (company_id, full_name, name_key, title, placeholder, namesake,"
            " status, role, created_at, updated_at) VALUES (:c, :n, :k, :t, false, false,"
            " 'uncovered', 'other', :now, :now)"),
            {"c": acme_id, "n": name, "k": key, "t": title, "now": datetime.now(UTC)})
    rebuild_index(db.session.connection())
    db.session.commit()
    # (The revision before this one builds its index with today's engine code, so on a new
    # database there is no "accent kept" state to see here; the downgrade below shows one.)
    assert _old_index_finds("acme") >= 1
    db.session.remove()  # the migration's DDL waits for no open transaction of ours

    # Up through this revision (and the later ones, which leave the index alone: today's models
    # need their columns to load results).
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert {p.full_name for p in run_search("name:muller").people.items} == {
        "Katrin Müller", "Hans Muller"}
    assert run_search("title:héad").people.total == 2
    assert run_search("company:acme").companies.total == 1
    # The index keeps following writes after the rebuild.
    db.session.add(Person(company_id=acme_id, full_name="Jürgen Müller"))
    db.session.commit()
    assert run_search("name:muller").people.total == 3
    db.session.remove()

    flask_migrate.downgrade(directory=MIGRATIONS, revision=_before())
    assert _old_index_finds("acme") >= 1
    # The earlier index again: SQLite folds accents, PostgreSQL's simple configuration does not.
    assert _old_index_finds("jurgen") == (1 if db.engine.dialect.name == "sqlite" else 0)
    assert _old_index_finds("jürgen") == 1
    db.session.remove()
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert run_search("name:muller").people.total == 3
