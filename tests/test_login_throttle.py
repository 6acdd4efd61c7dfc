"""Sign-in throttling: per account and address, with a higher ceiling per address, counted in the
database so several app servers share it; unknown emails cost the same work as known ones."""

import hashlib
import threading

import pytest
from sqlalchemy import func, select

from app.models import LoginAttempt
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL

OFFICE, HOME = "203.0.113.7", "198.51.100.9"


def _sign_in(client, email: str, password: str, ip: str = OFFICE) -> int:
    response = client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )
    return response.status_code


@pytest.fixture
def limits(app):
    """Small limits: 3 failures per account and address, 10 per address."""
    app.config.update(LOGIN_RATE_LIMIT=3, LOGIN_RATE_LIMIT_PER_ADDRESS=10)


def test_failures_against_unknown_accounts_do_not_lock_out_a_colleague(app, limits, user):
    for n in range(5):
        assert _sign_in(app.test_client(), f"guess{n}@example.com", "nope") == 401
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD) == 302


def test_failures_against_one_account_do_not_lock_out_others_at_that_address(app, limits, user):
    factories.UserFactory(email="sam@example.com")
    for _ in range(5):
        _sign_in(app.test_client(), "sam@example.com", "nope")
    assert _sign_in(app.test_client(), "sam@example.com", PASSWORD) == 429
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD) == 302


def test_an_attacker_cannot_lock_the_admin_out_from_another_address(app, limits, admin):
    for _ in range(6):
        _sign_in(app.test_client(), "ada@example.com", "guess", ip=OFFICE)
    assert _sign_in(app.test_client(), "ada@example.com", PASSWORD, ip=OFFICE) == 429
    assert _sign_in(app.test_client(), "ada@example.com", PASSWORD, ip=HOME) == 302


def test_an_address_is_paused_after_its_ceiling_of_failures_across_accounts(app, limits, user):
    for n in range(10):
        assert _sign_in(app.test_client(), f"spray{n}@example.com", "nope") == 401
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD) == 429
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD, ip=HOME) == 302


def test_an_ipv6_client_counts_as_one_address_across_its_slash_64(app, limits, user):
    """Every IPv6 client holds a /64 and can use any address in it: they are one address here."""
    for n in range(3):
        _sign_in(app.test_client(), "rita@example.com", "nope", ip=f"2001:db8:1:2::{n + 1:x}")
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD, ip="2001:db8:1:2::ff") == 429
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD, ip="2001:db8:1:3::1") == 302


def test_a_refused_attempt_does_not_count_as_a_try(app, limits, user, db):
    for _ in range(3):
        _sign_in(app.test_client(), "rita@example.com", "nope")
    for _ in range(4):
        assert _sign_in(app.test_client(), "rita@example.com", "nope") == 429
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 3


def test_a_success_clears_only_that_accounts_failures_at_that_address(app, limits, user, db):
    _sign_in(app.test_client(), "rita@example.com", "nope", ip=OFFICE)
    _sign_in(app.test_client(), "rita@example.com", "nope", ip=HOME)
    _sign_in(app.test_client(), "someone@example.com", "nope", ip=OFFICE)
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD, ip=OFFICE) == 302
    left = db.session.execute(
        select(LoginAttempt.email, LoginAttempt.ip).order_by(LoginAttempt.email)
    ).all()
    assert [tuple(row) for row in left] == [
        ("rita@example.com", HOME),
        ("someone@example.com", OFFICE),
    ]


def test_attempts_older_than_the_window_no_longer_count(app, limits, user, db):
    for _ in range(3):
        _sign_in(app.test_client(), "rita@example.com", "nope")
    app.config["LOGIN_RATE_WINDOW_SECONDS"] = 0
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD) == 302


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)",
)
def test_simultaneous_guesses_get_no_more_tries_than_the_limit(app, limits, user):
    """Twelve guesses released together from separate connections: at most 3 reach the check."""
    barrier, statuses = threading.Barrier(12), []

    def guess():
        client = app.test_client()
        barrier.wait()
        statuses.append(_sign_in(client, "rita@example.com", "wrong-guess"))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(401) <= 3
    assert set(statuses) <= {401, 429} and len(statuses) == 12


# --- equal work for unknown emails --------------------------------------------------------------


@pytest.fixture
def key_derivations(monkeypatch):
    """Every scrypt key derivation (werkzeug's default password hash) made during the test."""
    calls, real = [], hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append({k: v for k, v in kwargs.items() if k not in ("password", "salt")})
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


@pytest.fixture
def scrypt_user(user, db):
    """Rita with a password hashed the way production hashes it (the factory's is cheaper)."""
    user.set_password(PASSWORD)
    db.session.commit()
    return user


def test_an_unknown_email_costs_the_same_key_derivation_as_a_wrong_password(
    app, scrypt_user, key_derivations
):
    _sign_in(app.test_client(), "warm-up@example.com", "nope")  # the dummy hash is made once
    key_derivations.clear()
    assert _sign_in(app.test_client(), "rita@example.com", "wrong-password") == 401
    known = list(key_derivations)
    key_derivations.clear()
    assert _sign_in(app.test_client(), "nobody@example.com", "wrong-password") == 401
    assert len(known) == 1 and key_derivations == known


def test_a_deactivated_account_costs_the_same_key_derivation_too(
    app, scrypt_user, key_derivations, db
):
    scrypt_user.active = False
    db.session.commit()
    key_derivations.clear()
    assert _sign_in(app.test_client(), "rita@example.com", PASSWORD) == 401
    assert len(key_derivations) == 1
