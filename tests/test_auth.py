"""Signing in and out, the pages that need it, and the recruiter's own profile and API tokens."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app import create_app
from app.models import ApiToken, LoginAttempt, User, hash_token
from tests import factories
from tests.conftest import PASSWORD

# Every page a browser can GET, read from the app itself so a new page is covered automatically.
_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})
_rules = _app.url_map.iter_rules()
GET_RULES = sorted(
    (rule.rule, rule.endpoint, tuple(sorted(rule.arguments)))
    for rule in _rules
    if "GET" in rule.methods and not rule.rule.startswith("/api/")
)
PUBLIC_RULES = {"/login", "/healthz", "/readyz", "/static/<path:filename>",
                # Twilio's <Play> fetch: no session, an HMAC token instead (tests/telephony).
                "/twilio/voicemails/<int:voicemail_id>/audio"}


# Endpoints fetched by the page's scripts: they answer 401 JSON, not a redirect to a page.
SCRIPT_BLUEPRINTS = {"telephony"}


def _real_ids():
    from app.extensions import db
    from app.models import CallingSession, Job, StoredFile, Voicemail, WebhookEndpoint

    call = factories.CallFactory(person=factories.PersonFactory())
    block = CallingSession(user_id=call.user_id)
    voicemail = Voicemail(user_id=call.user_id, name="Intro", content_type="audio/wav",
                          audio=b"", size_bytes=0, duration_seconds=1)
    endpoint = WebhookEndpoint(url="https://ats.example.com/hook", events=["call.logged"],
                               secret="whsec_" + "A" * 43 + "=")
    upload = StoredFile(filename="people.csv")
    job = Job(kind="import_csv", payload={"filename": "people.csv"})
    db.session.add_all([block, voicemail, endpoint, upload, job])
    db.session.commit()
    return {"company_id": call.company_id, "person_id": call.person_id, "call_id": call.id,
            "sid": "CA" + "0" * 32, "session_id": block.id,
            "voicemail_id": voicemail.id, "endpoint_id": endpoint.id, "file_id": upload.id,
            "job_id": job.id}


def _location(response) -> str:
    return urlsplit(response.headers["Location"]).path


@pytest.mark.parametrize(("rule", "endpoint", "arguments"),
                         [r for r in GET_RULES if r[0] not in PUBLIC_RULES])
def test_every_page_redirects_to_sign_in_when_logged_out(client, rule, endpoint, arguments):
    ids = _real_ids()
    unknown = set(arguments) - set(ids)
    assert not unknown, f"give {rule} a real id for {unknown}"
    url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)
    response = client.get(url)
    if endpoint.split(".")[0] in SCRIPT_BLUEPRINTS:
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
        return
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [url]


def test_the_page_list_covers_the_main_pages():
    rules = {rule for rule, _, _ in GET_RULES}
    assert {"/", "/calls/", "/calls/<int:call_id>/edit", "/companies/<int:company_id>",
            "/people/<int:person_id>", "/admin/users", "/profile"} <= rules


def test_sign_in_page_and_health_check_are_public(client):
    assert client.get("/login").status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    static = client.get("/static/css/app.css")
    static.close()
    assert static.status_code == 200


def test_signing_in_with_the_right_password_opens_the_home_page(client, user):
    response = client.post("/login", data={"email": "rita@example.com", "password": PASSWORD})
    assert response.status_code == 302 and _location(response) == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Rita Recruiter" in page and "Follow-ups due today" in page


def test_email_is_matched_ignoring_case_and_spaces(client, user):
    response = client.post("/login", data={"email": "  RITA@Example.com ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_401_and_a_message(client, user):
    response = client.post("/login", data={"email": "rita@example.com", "password": "wrong-one"})
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, user):
    response = client.post("/login", data={"email": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        {"email": "", "password": PASSWORD},
        {"email": "rita@example.com"},
        {"email": "x" * 10_000, "password": PASSWORD},
    ],
)
def test_a_sign_in_form_that_does_not_validate_is_a_422(client, user, data):
    response = client.post("/login", data=data)
    assert response.status_code == 422
    assert client.get("/").status_code == 302


def test_a_deactivated_user_cannot_sign_in(client, db):
    factories.UserFactory(email="gone@example.com", active=False)
    response = client.post("/login", data={"email": "gone@example.com", "password": PASSWORD})
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_a_deactivated_users_existing_session_is_rejected(logged_in, user, db):
    assert logged_in.get("/").status_code == 200
    user.active = False
    db.session.commit()
    response = logged_in.get("/")
    assert response.status_code == 302 and _location(response) == "/login"
    assert logged_in.get("/calls/").status_code == 302


def test_after_too_many_failures_even_the_right_password_gets_429(client, app, user, db):
    app.config["LOGIN_RATE_LIMIT"] = 3
    for _ in range(3):
        response = client.post("/login", data={"email": "rita@example.com", "password": "nope"})
        assert response.status_code == 401
    response = client.post("/login", data={"email": "rita@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_failures_below_the_limit_do_not_block_and_success_clears_them(client, app, user, db):
    app.config["LOGIN_RATE_LIMIT"] = 3
    for _ in range(2):
        client.post("/login", data={"email": "rita@example.com", "password": "nope"})
    response = client.post("/login", data={"email": "rita@example.com", "password": PASSWORD})
    assert response.status_code == 302
    count = db.session.scalar(select(func.count()).select_from(LoginAttempt)
                              .where(LoginAttempt.email == "rita@example.com"))
    assert count == 0


@pytest.mark.parametrize(("target", "expected"), [
    ("/companies/", "/companies/"),
    ("/calls/?outcome=voicemail", "/calls/?outcome=voicemail"),
    ("https://evil.example/phish", "/"),
    ("//evil.example/phish", "/"),
    ("http:/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/\\evil.example/phish", "/"),
    ("\\\\evil.example", "/"),
    ("/\r\nSet-Cookie: session=forged", "/"),
    ("/calls/\nLocation: https://evil.example", "/"),
    ("/calls/\t", "/"),
    ("/calls/\x7f", "/"),
    ("calls/", "/"),
    ("", "/"),
])
def test_sign_in_follows_only_same_site_next_addresses(client, user, target, expected):
    response = client.post("/login", query_string={"next": target},
                           data={"email": "rita@example.com", "password": PASSWORD})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path + (f"?{location.query}" if location.query else "") == expected


def test_logout_is_post_only(logged_in):
    assert logged_in.get("/logout").status_code == 405
    assert logged_in.get("/").status_code == 200
    response = logged_in.post("/logout")
    assert response.status_code == 302 and _location(response) == "/login"
    assert logged_in.get("/").status_code == 302


def test_passwords_are_stored_hashed_not_plain(admin, client, db):
    client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    client.post("/admin/users", data={"email": "new@example.com", "name": "New",
                                      "password": "s3cret-passw0rd"})
    new = db.session.scalars(select(User).where(User.email == "new@example.com")).one()
    assert "s3cret-passw0rd" not in new.password_hash
    assert new.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert new.check_password("s3cret-passw0rd") and not new.check_password("s3cret-passw0rd!")


# --- profile -------------------------------------------------------------------------------


def _profile(client, **fields):
    data = {"name": "Rita Recruiter", "phone": "", "timezone": "America/New_York"} | fields
    return client.post("/profile", data=data)


def test_profile_phone_is_saved_in_e164(logged_in, user, db):
    response = _profile(logged_in, phone="(415) 555-2671")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.phone_e164 == "+14155552671"
    assert 'value="+14155552671"' in logged_in.get("/profile").get_data(as_text=True)


def test_profile_refuses_an_invalid_phone_with_a_message(logged_in, user, db):
    response = _profile(logged_in, phone="555-12", name="Changed Name")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a valid number" in page and 'value="555-12"' in page
    db.session.refresh(user)
    assert user.phone_e164 is None and user.name == "Rita Recruiter"


def test_profile_refuses_an_unknown_time_zone(logged_in, user, db):
    response = _profile(logged_in, timezone="Mars/Olympus_Mons")
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.timezone == "America/New_York"


def test_times_on_pages_follow_the_time_zone_set_in_the_profile(logged_in, user, db):
    call = factories.CallFactory(user=user, started_at=datetime(2024, 1, 15, 15, 0, tzinfo=UTC))
    assert _profile(logged_in, timezone="UTC").status_code == 302
    assert "Mon 15 Jan 2024, 15:00" in logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert _profile(logged_in, timezone="America/New_York").status_code == 302
    page = logged_in.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Mon 15 Jan 2024, 10:00" in page and "15:00" not in page
    assert "15 Jan 2024 10:00" in logged_in.get("/calls/").get_data(as_text=True)


def test_a_new_api_token_is_shown_once_and_only_its_hash_is_stored(logged_in, user, db):
    response = logged_in.post("/profile/tokens", data={"label": "Chrome extension"})
    assert response.status_code == 200
    plain = re.search(r'id="new-token">(sb_[\w-]+)<', response.get_data(as_text=True)).group(1)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.user_id == user.id and token.label == "Chrome extension"
    assert token.token_hash == hash_token(plain) and token.token_hash != plain
    again = logged_in.get("/profile").get_data(as_text=True)
    assert plain not in again and "Chrome extension" in again


def test_revoking_a_token_marks_it_revoked_and_hides_it(logged_in, user, db):
    logged_in.post("/profile/tokens", data={"label": "ATS"})
    token = db.session.scalars(select(ApiToken)).one()
    response = logged_in.post(f"/profile/tokens/{token.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert "No tokens yet." in logged_in.get("/profile").get_data(as_text=True)


def test_a_user_cannot_revoke_someone_elses_token(logged_in, db):
    other = factories.UserFactory()
    token, _ = ApiToken.issue(other, "theirs")
    db.session.add(token)
    db.session.commit()
    logged_in.post(f"/profile/tokens/{token.id}/revoke")
    assert db.session.get(ApiToken, token.id) is not None
