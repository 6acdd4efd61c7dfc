"""SQLite with several workers: a write queues for the one write lock; past the wait, a 503.

Another worker's long write is played by a second connection to the same file holding
`BEGIN IMMEDIATE` (the write lock) for a while; the request under test runs meanwhile.
"""

import sqlite3
import threading

import pytest

from app.auth.service import issue_token
from app.extensions import db
from tests import factories
from tests.conftest import TEST_DATABASE_URL, app_on_empty_schema

pytestmark = pytest.mark.skipif(
    TEST_DATABASE_URL.startswith("postgresql"), reason="SQLite's single write lock"
)


@pytest.fixture
def busy_timeout():
    return 15.0


@pytest.fixture
def app(tmp_path, busy_timeout):
    """The app on a SQLite file, as several workers share it."""
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    yield from app_on_empty_schema(
        {"SQLALCHEMY_DATABASE_URI": url, "SQLITE_BUSY_TIMEOUT": busy_timeout}
    )


def _hold_write_lock(app, seconds: float) -> threading.Thread:
    """Another worker's write transaction, holding the lock for `seconds`."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE company SET name = name")
    thread = threading.Timer(seconds, lambda: (other.execute("COMMIT"), other.close()))
    thread.start()
    return thread


def _api_call(app, company_id: int, token: str):
    return app.test_client().post(
        "/api/v1/calls",
        json={"company_id": company_id, "outcome": "gatekeeper"},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_write_waits_out_another_workers_write_longer_than_sqlites_default_five_seconds(app):
    company_id, token = factories.CompanyFactory().id, issue_token(factories.UserFactory())
    db.session.commit()
    holder = _hold_write_lock(app, 5.5)
    response = _api_call(app, company_id, token)
    holder.join()
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("busy_timeout", [0.3])
def test_a_write_queued_past_the_busy_timeout_is_a_503_to_retry_not_a_500(app, logged_in):
    person = factories.PersonFactory()
    company_id, person_id = person.company_id, person.id
    token = issue_token(factories.UserFactory())
    db.session.commit()
    holder = _hold_write_lock(app, 2)
    response = _api_call(app, company_id, token)
    page = logged_in.post(f"/people/{person_id}/left", data={"left": "1"})
    holder.join()
    assert response.status_code == 503
    assert response.get_json()["error"] == "database_busy"
    assert "Try again" in response.get_json()["message"]
    assert response.headers["Retry-After"] == "2"
    assert page.status_code == 503
    assert "nothing was saved" in page.get_data(as_text=True)
