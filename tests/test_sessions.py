"""Ending sessions: a copied session or remember-me cookie dies with sign-out, a new password
or deactivation, and a deactivated account's API tokens stay revoked."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.models import ApiToken
from tests import factories
from tests.conftest import PASSWORD, AuthActions

NEW_PASSWORD = "brand-new-pass"


def _signed_in_copies(app, remember: bool = True) -> tuple:
    """Sign Rita in on one client; return it with a session-only copy and a remember-only copy."""
    rita = app.test_client()
    response = rita.post(
        "/login",
        data={
            "email": "rita@example.com",
            "password": PASSWORD,
            "remember": "y" if remember else "",
        },
    )
    assert response.status_code == 302
    session_copy = app.test_client()
    session_copy.set_cookie("session", rita.get_cookie("session").value)
    remember_copy = app.test_client()
    if remember:
        remember_copy.set_cookie("remember_token", rita.get_cookie("remember_token").value)
    return rita, session_copy, remember_copy


def _is_signed_out(client) -> bool:
    response = client.get("/calls/")
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


@pytest.fixture
def as_admin(app, admin):
    client = app.test_client()
    AuthActions(client).login(email="ada@example.com")
    return client


def test_copied_session_and_remember_cookies_work_while_the_user_is_signed_in(app, user):
    _, session_copy, remember_copy = _signed_in_copies(app)
    assert session_copy.get("/calls/").status_code == 200
    assert remember_copy.get("/calls/").status_code == 200


def test_signing_out_ends_copied_session_and_remember_cookies(app, user):
    rita, session_copy, remember_copy = _signed_in_copies(app)
    assert rita.post("/logout").status_code == 302
    assert _is_signed_out(rita)
    assert _is_signed_out(session_copy)
    assert _is_signed_out(remember_copy)


def test_an_admin_password_reset_ends_every_session_of_that_user(app, user, as_admin):
    rita, session_copy, remember_copy = _signed_in_copies(app)
    response = as_admin.post(f"/admin/users/{user.id}/password", data={"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert _is_signed_out(rita) and _is_signed_out(session_copy) and _is_signed_out(remember_copy)
    assert as_admin.get("/admin/users").status_code == 200  # the admin stays signed in


def test_an_admin_resetting_their_own_password_stays_signed_in_there(app, admin, as_admin):
    elsewhere = app.test_client()
    AuthActions(elsewhere).login(email="ada@example.com")
    response = as_admin.post(f"/admin/users/{admin.id}/password", data={"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert as_admin.get("/admin/users").status_code == 200
    assert _is_signed_out(elsewhere)


def test_changing_your_own_password_ends_your_other_sessions_but_not_this_one(app, user, db):
    rita, session_copy, remember_copy = _signed_in_copies(app)
    response = rita.post(
        "/profile/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert rita.get("/calls/").status_code == 200
    assert _is_signed_out(session_copy) and _is_signed_out(remember_copy)
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)


def test_the_remember_cookie_is_renewed_when_you_change_your_own_password(app, user):
    rita, _, _ = _signed_in_copies(app)
    rita.post(
        "/profile/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    renewed = app.test_client()
    renewed.set_cookie("remember_token", rita.get_cookie("remember_token").value)
    assert renewed.get("/calls/").status_code == 200


def test_changing_your_password_needs_the_current_one(app, user, db):
    rita, session_copy, _ = _signed_in_copies(app)
    response = rita.post(
        "/profile/password",
        data={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "Your current password is not right." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    assert session_copy.get("/calls/").status_code == 200


def test_a_too_short_new_password_is_refused_with_a_message(app, user, db):
    rita, _, _ = _signed_in_copies(app)
    response = rita.post(
        "/profile/password", data={"current_password": PASSWORD, "new_password": "short"}
    )
    assert response.status_code == 400
    assert "between 8 and 200 characters" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, user, as_admin):
    rita, session_copy, remember_copy = _signed_in_copies(app)
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert _is_signed_out(session_copy) and _is_signed_out(remember_copy)
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})  # reactivated
    assert _is_signed_out(rita) and _is_signed_out(session_copy) and _is_signed_out(remember_copy)
    assert AuthActions(app.test_client()).login().status_code == 302


def test_a_session_from_before_session_tokens_is_signed_out(app, user):
    """Cookies signed before this release name a bare user id: they no longer sign anyone in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert _is_signed_out(client)


def test_a_forged_session_token_is_refused(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:not-the-token"
    assert _is_signed_out(client)


def _api_token(client, db) -> str:
    import re

    page = client.post("/profile/tokens", data={"label": "ATS"}).get_data(as_text=True)
    return re.search(r'id="new-token">(sb_[\w-]+)<', page).group(1)


def _api_status(client, plain: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code


def test_deactivation_revokes_api_tokens_and_reactivation_does_not_restore_them(
    app, user, db, as_admin
):
    rita, _, _ = _signed_in_copies(app)
    plain = _api_token(rita, db)
    api = app.test_client()
    assert _api_status(api, plain) == 200
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert _api_status(api, plain) == 401
    token = db.session.scalars(select(ApiToken)).one()
    db.session.refresh(token)
    assert token.revoked_at is not None
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})  # reactivated
    assert _api_status(api, plain) == 401


def test_revoked_tokens_are_not_listed_and_new_ones_work_after_reactivation(
    app, user, db, as_admin
):
    rita, _, _ = _signed_in_copies(app)
    _api_token(rita, db)
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    rita = app.test_client()
    AuthActions(rita).login()
    assert "No tokens yet." in rita.get("/profile").get_data(as_text=True)
    assert _api_status(app.test_client(), _api_token(rita, db)) == 200


def test_a_password_reset_leaves_api_tokens_working(app, user, db, as_admin):
    """Tokens are separate credentials (an ATS integration): revoke them one by one."""
    rita, _, _ = _signed_in_copies(app)
    plain = _api_token(rita, db)
    as_admin.post(f"/admin/users/{user.id}/password", data={"password": NEW_PASSWORD})
    assert _api_status(app.test_client(), plain) == 200


def test_other_users_sessions_survive_someone_elses_sign_out(app, user):
    other = factories.UserFactory(email="sam@example.com")
    sam = app.test_client()
    AuthActions(sam).login(email=other.email)
    rita, _, _ = _signed_in_copies(app, remember=False)
    rita.post("/logout")
    assert sam.get("/calls/").status_code == 200


@pytest.mark.parametrize("user_id", [1, ["1"], {"id": 1}])
def test_a_session_whose_user_id_is_not_text_signs_nobody_in(app, user, user_id):
    # Only someone holding the key can sign such a cookie; it must still end at the sign-in page.
    cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": user_id})
    client = app.test_client()
    client.set_cookie("session", cookie)
    response = client.get("/calls/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
