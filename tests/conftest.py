"""Fixtures: a fresh schema per test on TEST_DATABASE_URL (SQLite by default, or PostgreSQL)."""

import os

import pytest
import responses
from flask import g, request_started
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, inspect, make_url, text

from app import create_app
from app.extensions import db as _db
from tests import factories


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist (`-n 2`), each worker process gets a PostgreSQL database of its own.

    Tests empty every table before they run: two workers sharing one database would empty each
    other's. The database is `<name>_<worker>` (test_gw0, test_gw1), created on first use.
    SQLite needs nothing: an in-memory database (or a temp file) is already per process.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgres"):
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
PASSWORD = "correct-horse-battery"


BASE_CONFIG = {
    "TESTING": True,
    "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test",
    "DEFAULT_COUNTRY": "US",
}


# PostgreSQL schemas (database URL + engine options) this process has built from the models.
_SCHEMAS_BUILT: set[str] = set()
# Every id sequence of the current schema back to 1, as in a new table.
RESTART_SEQUENCES = (
    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_schema(app) -> None:
    """Every table of the models, empty, as if just created.

    SQLite gets a new database per app, so it is simply created. On PostgreSQL the DDL costs
    about 0.3 s a test (most of the suite's time), so the tables are built once per process (a
    database left by an older version of the models is rebuilt) and emptied before each test
    by deleting every row and restarting the id sequences (ids start at 1 again, as in a new
    table; DELETE on a test's few rows takes ~10 ms where TRUNCATE's new files take ~100 ms). A
    test that dropped the tables itself gets them rebuilt.
    """
    engine = _db.engine
    if engine.dialect.name != "postgresql":
        _db.drop_all()
        _db.create_all()
        return
    key = f"{engine.url}|{app.config.get('SQLALCHEMY_ENGINE_OPTIONS')}"
    tables = [table.name for table in _db.metadata.sorted_tables]
    if key in _SCHEMAS_BUILT and set(tables) <= set(inspect(engine).get_table_names()):
        with engine.begin() as conn:
            for name in reversed(tables):  # children first: no foreign key is left dangling
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
            conn.exec_driver_sql(RESTART_SEQUENCES)
        return
    _db.drop_all()
    _db.create_all()
    _SCHEMAS_BUILT.add(key)


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole run: each test's new app would otherwise compile
    every template it renders again (Jinja checks each template's source checksum, so an edited
    template is still compiled afresh)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _SharedBytecodeCache()


def app_on_empty_schema(overrides: dict):
    """Build the app with BASE_CONFIG + overrides on an empty schema; yields it, then cleans up.

    Every `app` fixture (here, tests/browser, tests/telephony) goes through this one.
    """
    app = create_app({**BASE_CONFIG, **overrides})
    app.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    with app.app_context():
        _empty_schema(app)
        yield app
        _db.session.remove()
        if _db.engine.dialect.name != "postgresql":
            _db.drop_all()
        # Close pooled connections now: left to the garbage collector, psycopg warns (an error
        # under filterwarnings) during whichever later test happens to trigger the collection.
        for engine in _db.engines.values():
            engine.dispose()


@pytest.fixture
def app():
    """An app bound to an empty schema, dropped again after the test."""
    yield from app_on_empty_schema({})


@pytest.fixture(autouse=True)
def _fresh_user_each_request(request):
    """The app context stays open for the whole test, so flask.g (where Flask-Login caches the
    signed-in user) would outlive a request and leak between clients; forget it per request."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")

    def forget(sender, **extra):
        g.pop("_login_user", None)

    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)


@pytest.fixture
def db(app):
    """The SQLAlchemy handle, for tests that read rows directly."""
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def http():
    """No test reaches the network: unregistered HTTP requests raise ConnectionError."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def user(app):
    """A recruiter who can sign in with PASSWORD."""
    return factories.UserFactory(email="rita@example.com", name="Rita Recruiter")


@pytest.fixture
def admin(app):
    return factories.UserFactory(email="ada@example.com", name="Ada Admin", role="admin")


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email="rita@example.com", password=PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client, user):
    """Sign-in helper; signs in the default recruiter when login() is called."""
    return AuthActions(client)


@pytest.fixture
def logged_in(auth):
    """A client already signed in as the default recruiter."""
    auth.login()
    return auth._client
