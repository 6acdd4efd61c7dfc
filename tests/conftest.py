"""Fixtures: a fresh schema per test on TEST_DATABASE_URL (SQLite by default, or PostgreSQL)."""

import os

import pytest
import responses
from flask import g, request_started

from app import create_app
from app.extensions import db as _db
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
PASSWORD = "correct-horse-battery"


BASE_CONFIG = {
    "TESTING": True,
    "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
    "WTF_CSRF_ENABLED": False,
    "SECRET_KEY": "test",
    "DEFAULT_COUNTRY": "US",
}


def app_on_empty_schema(overrides: dict):
    """Build the app with BASE_CONFIG + overrides on a fresh schema; yields it, then cleans up.

    Every `app` fixture (here, tests/browser, tests/telephony) goes through this one.
    """
    app = create_app({**BASE_CONFIG, **overrides})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
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
