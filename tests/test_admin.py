"""User administration: only admins manage accounts; nobody can lock themselves out."""

import pytest
from sqlalchemy import func, select

from app.models import Role, User
from tests import factories
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def as_admin(client, admin):
    AuthActions(client).login(email="ada@example.com")
    return client


def _user(db, email):
    return db.session.scalars(select(User).where(User.email == email)).one_or_none()


def test_a_recruiter_is_forbidden_from_user_administration(logged_in, db):
    target = factories.UserFactory(email="victim@example.com")
    assert logged_in.get("/admin/users").status_code == 403
    response = logged_in.post("/admin/users", data={"email": "x@example.com",
                                                    "password": "long-enough"})
    assert response.status_code == 403
    assert logged_in.post(f"/admin/users/{target.id}/active").status_code == 403
    assert logged_in.post(f"/admin/users/{target.id}/password",
                          data={"password": "hijacked-pass"}).status_code == 403
    db.session.refresh(target)
    assert target.active and target.check_password(PASSWORD)
    assert _user(db, "x@example.com") is None


def test_recruiters_see_no_users_link_and_admins_do(logged_in, client, admin):
    assert 'href="/admin/users"' not in logged_in.get("/").get_data(as_text=True)
    logged_in.post("/logout")
    AuthActions(client).login(email="ada@example.com")
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)


def test_an_admin_sees_every_account(as_admin, user):
    response = as_admin.get("/admin/users")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "rita@example.com" in page and "ada@example.com" in page


def test_an_admin_adds_a_user_who_can_then_sign_in(as_admin, app, db):
    response = as_admin.post("/admin/users", data={
        "email": "New.Hire@Example.com", "name": "New Hire", "password": "temporary-pw"})
    assert response.status_code == 302
    new = _user(db, "new.hire@example.com")
    assert new is not None and new.role == Role.RECRUITER and new.active
    assert new.timezone == app.config["DEFAULT_TIMEZONE"]
    fresh = app.test_client()
    assert AuthActions(fresh).login("new.hire@example.com", "temporary-pw").status_code == 302


def test_an_admin_can_add_another_admin(as_admin, db):
    as_admin.post("/admin/users", data={"email": "boss@example.com", "password": "temporary-pw",
                                        "admin": "y"})
    assert _user(db, "boss@example.com").role == Role.ADMIN


def test_adding_a_duplicate_email_is_refused_whatever_its_case(as_admin, user, db):
    response = as_admin.post("/admin/users", data={"email": "RITA@example.com",
                                                   "password": "temporary-pw"})
    assert response.status_code == 422
    assert "An account with this email already exists." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_adding_a_user_with_a_short_password_is_refused(as_admin, db):
    response = as_admin.post("/admin/users", data={"email": "short@example.com",
                                                   "password": "short"})
    assert response.status_code == 422
    assert "between 8 and 200 characters" in response.get_data(as_text=True)
    assert _user(db, "short@example.com") is None


def test_deactivating_a_user_stops_their_sign_in_and_reactivating_restores_it(
    as_admin, app, user, db
):
    response = as_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.active is False
    assert "deactivated" in as_admin.get("/admin/users").get_data(as_text=True)
    assert AuthActions(app.test_client()).login().status_code == 401

    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    db.session.refresh(user)
    assert user.active is True
    assert AuthActions(app.test_client()).login().status_code == 302


def test_a_repeated_deactivation_leaves_the_account_deactivated(as_admin, app, user, db):
    # A double click, a browser resubmit or a second admin on a stale page sends it again.
    for _ in range(2):
        response = as_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
        assert response.status_code == 302
    db.session.refresh(user)
    assert user.active is False
    assert AuthActions(app.test_client()).login().status_code == 401


def test_an_account_state_change_without_the_state_asked_for_is_refused(as_admin, user, db):
    assert as_admin.post(f"/admin/users/{user.id}/active").status_code == 400
    assert as_admin.post(f"/admin/users/{user.id}/active", data={"active": "x"}).status_code == 400
    db.session.refresh(user)
    assert user.active is True


def test_deactivating_a_user_ends_their_open_session(as_admin, app, user):
    rita = app.test_client()
    AuthActions(rita).login()
    assert rita.get("/calls/").status_code == 200
    as_admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    response = rita.get("/calls/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_cannot_deactivate_themselves(as_admin, admin, db):
    response = as_admin.post(
        f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active is True
    assert as_admin.get("/admin/users").status_code == 200


def test_a_password_reset_lets_the_user_sign_in_with_the_new_password_only(
    as_admin, app, user, db
):
    response = as_admin.post(f"/admin/users/{user.id}/password",
                             data={"password": "brand-new-pass"}, follow_redirects=True)
    assert "Password reset for rita@example.com." in response.get_data(as_text=True)
    assert AuthActions(app.test_client()).login(password=PASSWORD).status_code == 401
    assert AuthActions(app.test_client()).login(password="brand-new-pass").status_code == 302


def test_a_too_short_reset_password_is_refused_and_the_old_one_still_works(as_admin, app, user):
    response = as_admin.post(f"/admin/users/{user.id}/password", data={"password": "short"},
                             follow_redirects=True)
    assert "Passwords need at least 8 characters." in response.get_data(as_text=True)
    assert AuthActions(app.test_client()).login().status_code == 302


def test_admin_actions_on_an_unknown_user_are_404(as_admin):
    assert as_admin.post("/admin/users/9999/active").status_code == 404
    assert as_admin.post("/admin/users/9999/password",
                         data={"password": "whatever-long"}).status_code == 404
