"""Cross-site request forgery, output escaping and the security headers every page carries."""

import re

import pytest
from flask import g, request_started
from sqlalchemy import func, select

from app import create_app
from app.extensions import db as _db
from app.models import Company
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL

XSS = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
def csrf_app():
    """Like conftest's app, but with CSRF protection on, as in production."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
                      "WTF_CSRF_ENABLED": True, "SECRET_KEY": "test", "DEFAULT_COUNTRY": "US"})

    def forget(sender, **extra):
        g.pop("_login_user", None)

    with app.app_context():
        _db.drop_all()
        _db.create_all()
        request_started.connect(forget, app)
        yield app
        request_started.disconnect(forget, app)
        _db.session.remove()
        _db.drop_all()
        for engine in _db.engines.values():
            engine.dispose()


def _token(page: str) -> str:
    """The CSRF token a page's form would send."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_with_csrf_on_a_post_without_the_token_is_refused_and_with_it_succeeds(csrf_app):
    factories.UserFactory(email="rita@example.com")
    client = csrf_app.test_client()
    credentials = {"email": "rita@example.com", "password": PASSWORD}

    refused = client.post("/login", data=credentials)
    assert refused.status_code == 400
    assert "security token was missing or expired" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302

    token = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data=credentials | {"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 200

    form = {"name": "Initech", "country": "US", "timezone": ""}
    assert client.post("/companies/new", data=form).status_code == 400
    assert _db.session.scalar(select(func.count()).select_from(Company)) == 0
    token = _token(client.get("/companies/new").get_data(as_text=True))
    response = client.post("/companies/new", data=form | {"csrf_token": token})
    assert response.status_code == 302
    assert _db.session.scalars(select(Company.name)).all() == ["Initech"]


def test_with_csrf_on_a_forged_sign_out_does_not_sign_you_out(csrf_app):
    factories.UserFactory(email="rita@example.com")
    client = csrf_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "rita@example.com", "password": PASSWORD,
                                "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    token = _token(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_with_csrf_on_a_token_from_another_session_is_refused(csrf_app):
    factories.UserFactory(email="rita@example.com")
    stranger = csrf_app.test_client()
    stolen = _token(stranger.get("/login").get_data(as_text=True))
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "rita@example.com", "password": PASSWORD,
                                           "csrf_token": stolen})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/login", "/", "/companies/", "/healthz"])
def test_pages_carry_security_headers(logged_in, path):
    response = logged_in.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_session_cookie_is_http_only_and_same_site(client, user):
    response = client.post("/login", data={"email": "rita@example.com", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_html_typed_into_any_record_is_shown_as_text_everywhere(logged_in, user):
    company = factories.CompanyFactory(name=f"Evil {XSS} Corp", notes=XSS, location=XSS,
                                       industry=XSS)
    person = factories.PersonFactory(company=company, full_name=f"Eve {XSS}", title=XSS,
                                     notes=XSS)
    call = factories.CallFactory(user=user, company=company, person=person, notes=XSS,
                                 follow_up_note=XSS, people=[person])
    for path in ["/", f"/companies/{company.id}", "/people/", f"/people/{person.id}", "/calls/",
                 f"/calls/{call.id}", f"/calls/{call.id}/edit", "/companies/"]:
        page = logged_in.get(path).get_data(as_text=True)
        assert XSS not in page, path
        assert ESCAPED in page, path


def test_unknown_pages_get_the_404_page_not_a_traceback(logged_in):
    response = logged_in.get("/no/such/page")
    assert response.status_code == 404
    assert "Nothing lives at this address." in response.get_data(as_text=True)
