"""Migrations: one head, and `flask db upgrade` builds exactly the schema the models describe."""

import logging
import uuid
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from app.models import User
from tests.conftest import TEST_DATABASE_URL

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@contextmanager
def logging_preserved():
    """migrations/env.py calls fileConfig, which would silence every logger later tests use."""
    loggers = [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    saved = [(lg, lg.disabled, lg.level, list(lg.handlers), lg.propagate) for lg in loggers]
    root = (logging.root.level, list(logging.root.handlers))
    try:
        yield
    finally:
        for lg, disabled, level, handlers, propagate in saved:
            lg.disabled, lg.level, lg.handlers, lg.propagate = disabled, level, handlers, propagate
        logging.root.level, logging.root.handlers = root


@contextmanager
def fresh_database(tmp_path: Path):
    """(database URL, engine options) of an empty database, removed again afterwards.

    SQLite gets a new file. PostgreSQL gets a new schema in the test database, first on the
    search_path: other tests share that database (and may run at the same time), so this test
    neither sees nor touches their tables.
    """
    if not TEST_DATABASE_URL.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}", {}
        return
    schema = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield TEST_DATABASE_URL, {"connect_args": {"options": f"-csearch_path={schema}"}}
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def empty_app(tmp_path):
    """An app bound to a database with no tables at all (not even alembic_version)."""
    with fresh_database(tmp_path) as (url, engine_options), logging_preserved():
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
            }
        )
        with app.app_context():
            assert inspect(db.engine).get_table_names() == []
            yield app
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


def schema_diff(app) -> list:
    """What `flask db migrate` would generate now, with Flask-Migrate's own options."""
    options = app.extensions["migrate"].configure_args
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=dict(options))
        return compare_metadata(context, db.metadata)


def tables() -> set[str]:
    """The schema's tables, less SQLite's FTS5 ones (the search engine's, not models)."""
    return {name for name in inspect(db.engine).get_table_names()
            if not name.startswith("search_fts")}


def test_migrations_have_a_single_head():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"branches to merge: {heads}"


def test_upgrade_on_an_empty_database_matches_the_models(empty_app):
    assert empty_app.extensions["migrate"].configure_args["compare_type"] is True
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert tables() == set(db.metadata.tables) | {"alembic_version"}
    assert schema_diff(empty_app) == []


def test_downgrade_to_base_and_upgrade_again(empty_app):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert tables() <= {"alembic_version"}
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert schema_diff(empty_app) == []


def test_readiness_follows_the_schema_a_load_balancer_should_trust(empty_app):
    """/readyz (public, like /healthz): 503 until `flask db upgrade` has run, or when the schema is
    at another revision than this code's; 200 once it is at the head."""
    client = empty_app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "checks": {
        "database": "ok", "migrations": "not applied (run flask db upgrade)"}}

    flask_migrate.upgrade(directory=MIGRATIONS)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready",
                                   "checks": {"database": "ok", "migrations": "ok"}}

    flask_migrate.downgrade(directory=MIGRATIONS, revision="-1")  # an old server's schema
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["migrations"].startswith(
        "database schema differs")


def test_readiness_wants_the_voice_sdk_only_where_browser_calling_is_set_up(empty_app, tmp_path):
    from tests.telephony.conftest import TWILIO_CONFIG

    flask_migrate.upgrade(directory=MIGRATIONS)
    empty_app.config.update(TWILIO_CONFIG)
    empty_app.static_folder = str(tmp_path)  # a server deployed without scripts/fetch_vendor.py
    response = empty_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["voice_sdk"] == "missing (run scripts/fetch_vendor.py)"


def test_readiness_says_unreachable_without_leaking_the_address(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody:secret@127.0.0.1:1/x"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "checks": {"database": "unreachable"}}
    assert "secret" not in response.get_data(as_text=True)


def sqlite_statistics() -> dict[str, int]:
    rows = db.session.execute(text("SELECT tbl, count(*) FROM sqlite_stat1 GROUP BY tbl"))
    return dict(rows.all())


def test_sqlite_statistics_follow_every_upgrade(empty_app):
    """SQLite gathers no planner statistics by itself: env.py analyses after each run. A new,
    empty database gets none (the planner keeps its defaults); one with data gets them, and an
    upgrade with nothing to do refreshes them."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    flask_migrate.upgrade(directory=MIGRATIONS)
    # Only bookkeeping tables (alembic_version, the FTS5 engine's) have rows yet.
    assert not set(sqlite_statistics()) & set(db.metadata.tables)
    db.session.add(User(email="a@example.com", password_hash="x"))
    db.session.commit()
    db.session.remove()
    flask_migrate.upgrade(directory=MIGRATIONS)  # already at head: only the statistics run
    assert sqlite_statistics().get("user", 0) > 0
