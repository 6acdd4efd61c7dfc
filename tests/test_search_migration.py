"""Revision ef978e5c1e67 rebuilds the full-text index of an existing database (PostgreSQL: the
`switchboard` configuration with unaccent; SQLite: FTS5 keyed by kind, record and field), and
its downgrade puts the earlier index back, each time from the entries already there."""

import flask_migrate
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.extensions import db
from app.models import Company, Person
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
    acme = Company(name="Acme Analytics")
    db.session.add(acme)
    db.session.flush()
    db.session.add_all([Person(company_id=acme.id, full_name="Katrin Müller", title="Héad"),
                        Person(company_id=acme.id, full_name="Hans Muller", title="Head")])
    db.session.commit()
    acme_id = acme.id
    # (The revision before this one builds its index with today's engine code, so on a new
    # database there is no "accent kept" state to see here; the downgrade below shows one.)
    assert _old_index_finds("acme") >= 1
    db.session.remove()  # the migration's DDL waits for no open transaction of ours

    flask_migrate.upgrade(directory=MIGRATIONS, revision=REVISION)
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
    flask_migrate.upgrade(directory=MIGRATIONS, revision=REVISION)
    assert run_search("name:muller").people.total == 3
