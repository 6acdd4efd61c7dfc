"""The browser as a phone: presence for inbound routing, the screen pop, the page's one Device."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Direction, Outcome, PersonStatus, User
from app.telephony.presence import is_online
from tests import factories
from tests.conftest import PASSWORD

CALLER = "+14155550188"


def fresh(user: User) -> User:
    """The user as the database has it now (the request committed in another session)."""
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.id == user.id)).one()


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# ---- presence ----

def test_presence_needs_a_sign_in(client, user):
    response = client.post("/twilio/presence", data={"online": "1"})
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert not is_online(fresh(user))


def test_presence_online_then_offline_is_what_is_online_reads(logged_in, user):
    assert not is_online(fresh(user))
    assert logged_in.post("/twilio/presence", data={"online": "1"}).status_code == 204
    until = fresh(user).browser_online_until
    assert is_online(fresh(user))
    # About 90 s: one missed minute's beat is forgiven, a closed tab lapses soon after.
    assert timedelta(seconds=60) < until - datetime.now(UTC) <= timedelta(seconds=90)
    assert logged_in.post("/twilio/presence", data={"online": "0"}).status_code == 204
    assert fresh(user).browser_online_until is None
    assert not is_online(fresh(user))


@pytest.mark.parametrize("data", [{}, {"online": "yes"}, {"online": "2"}])
def test_presence_without_a_clear_1_or_0_is_a_400_and_changes_nothing(logged_in, user, data):
    response = logged_in.post("/twilio/presence", data=data)
    assert response.status_code == 400
    assert response.json["fields"] == {"online": "Send 1 or 0."}
    assert fresh(user).browser_online_until is None


def test_presence_is_post_only(logged_in):
    assert logged_in.get("/twilio/presence").status_code == 405


def test_signing_out_ends_presence(logged_in, user):
    logged_in.post("/twilio/presence", data={"online": "1"})
    logged_in.post("/logout")
    # The calling identity changed with the session token: this browser cannot ring any more.
    assert not is_online(fresh(user))


@pytest.mark.twilio_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_presence_needs_the_pages_token(client, user):
    login = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": csrf_from(client.get("/login").text)})
    assert login.status_code == 302
    page = client.get("/")
    token = re.search(r'id="screen-pop"[^>]*data-csrf="([^"]+)"', page.text, re.S).group(1)
    refused = client.post("/twilio/presence", data={"online": "1"})
    assert refused.status_code == 400 and not is_online(fresh(user))
    # What navigator.sendBeacon sends: the token in the form body.
    accepted = client.post("/twilio/presence", data={"online": "1", "csrf_token": token})
    assert accepted.status_code == 204 and is_online(fresh(user))


# ---- the page's phone ----

def test_signed_in_pages_load_the_sdk_phone_js_and_the_screen_pop_once(logged_in):
    page = logged_in.get("/").text
    assert page.count("twilio-voice-sdk-") == 1 and page.count("js/phone.js") == 1
    assert page.count('id="screen-pop"') == 1
    assert 'data-presence-url="/twilio/presence"' in page
    assert 'data-pop-url="/calls/0/screen-pop"' in page


def test_the_call_page_loads_the_sdk_once_with_its_dialer(logged_in, person):
    page = logged_in.get(f"/calls/new?person_id={person.id}&dial=1").text
    assert 'id="dialer"' in page
    assert page.count("twilio-voice-sdk-") == 1 and page.count("js/dialer.js") == 1


def test_signed_out_pages_have_no_phone(client):
    page = client.get("/login").text
    assert "phone.js" not in page and "screen-pop" not in page


@pytest.mark.twilio_config(TWILIO_API_KEY_SID=None)
def test_without_browser_calling_no_page_loads_the_phone(logged_in):
    page = logged_in.get("/").text
    assert "phone.js" not in page and "twilio-voice-sdk-" not in page


def test_the_csp_lets_the_sdk_register_and_fetch_its_ringtone(logged_in):
    csp = logged_in.get("/").headers["Content-Security-Policy"]
    connect = re.search(r"connect-src ([^;]+)", csp).group(1).split()
    # Signalling (registration, calls) and the incoming ringtone, which the SDK fetches with
    # XMLHttpRequest and plays through Web Audio.
    assert "wss://voice-js.roaming.twilio.com" in connect and "https://sdk.twilio.com" in connect
    assert "https://sdk.twilio.com" in re.search(r"media-src ([^;]+)", csp).group(1).split()
    assert "script-src 'self';" in csp  # the SDK is served by us


# ---- screen pop ----

@pytest.fixture
def caller_card(user, person):
    """Peter Gibbons (do not call), with three earlier calls, calling back now."""
    person.title, person.department = "Programmer", "Engineering"
    person.status = PersonStatus.DO_NOT_CALL
    company = person.company
    company.location, company.timezone = "Austin, TX", "America/Chicago"
    start = datetime(2025, 3, 3, 15, tzinfo=UTC)
    notes = ["Asked us to <b>call back</b> & mention TPS", "Left a message", "Spoke to the PA"]
    for days, note in enumerate(notes):
        factories.CallFactory(user=user, company=company, person=person, notes=note,
                              outcome=Outcome.VOICEMAIL, started_at=start - timedelta(days=days))
    other = factories.PersonFactory(company=company, full_name="Milton Waddams")
    factories.CallFactory(user=user, company=company, person=other, notes="Milton's own call")
    return factories.CallFactory(user=user, routed_to=user, company=company, person=person,
                                 direction=Direction.INBOUND, caller_id=CALLER, outcome=None,
                                 twilio_call_sid="CA" + "7" * 32, twilio_status="ringing")


def test_the_screen_pop_shows_the_caller_their_company_and_the_last_calls_notes_escaped(
    logged_in, caller_card
):
    response = logged_in.get(f"/calls/{caller_card.id}/screen-pop")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.text
    assert "<html" not in html  # a fragment for the dialog, not a page
    assert 'id="screen-pop-title"' in html and "Peter Gibbons" in html
    assert "(415) 555-0188" in html
    assert "Programmer" in html and "Engineering" in html and "Do not call" in html
    assert "Initech" in html and "Austin, TX" in html and "(America/Chicago)" in html
    assert "Asked us to &lt;b&gt;call back&lt;/b&gt; &amp; mention TPS" in html
    assert "<b>call back</b>" not in html
    assert "Left a message" in html and "Spoke to the PA" in html
    assert "Milton" not in html  # the person's calls, not the whole company's
    items = re.findall(r"<li>", html)
    assert len(items) == 3
    assert html.index("03 Mar 2025") < html.index("02 Mar 2025") < html.index("01 Mar 2025")
    assert f'data-log-url="/calls/{caller_card.id}/edit"' in html


def test_the_screen_pop_shows_at_most_five_earlier_calls(logged_in, user, person):
    for n in range(7):
        factories.CallFactory(user=user, company=person.company, person=person, notes=f"note {n}")
    call = factories.CallFactory(user=user, routed_to=user, company=person.company, person=person,
                                 direction=Direction.INBOUND, caller_id=CALLER, outcome=None)
    html = logged_in.get(f"/calls/{call.id}/screen-pop").text
    assert len(re.findall(r"<li>", html)) == 5
    assert "Status: <strong>Uncovered</strong>" in html and "Do not call" not in html


def test_an_unknown_caller_gets_their_number_and_no_cards(logged_in, user):
    call = factories.CallFactory(user=user, routed_to=user, company=None, person=None,
                                 direction=Direction.INBOUND, caller_id=CALLER, outcome=None)
    html = logged_in.get(f"/calls/{call.id}/screen-pop").text
    assert "Unknown caller" in html and "(415) 555-0188" in html
    assert "pop-person" not in html and "pop-company" not in html and "Last calls" not in html
    assert 'data-caller="Unknown caller ((415) 555-0188)"' in html


def test_a_company_main_line_caller_gets_the_company_and_its_calls(logged_in, user, company):
    factories.CallFactory(user=user, company=company, notes="Reception said Fridays")
    call = factories.CallFactory(user=user, routed_to=user, company=company, person=None,
                                 direction=Direction.INBOUND, caller_id="+12125550100",
                                 outcome=None)
    html = logged_in.get(f"/calls/{call.id}/screen-pop").text
    assert "Initech" in html and "Reception said Fridays" in html and "pop-person" not in html


def test_another_recruiter_gets_a_404_for_a_call_not_routed_to_them(client, caller_card):
    factories.UserFactory(email="sam@example.com")
    client.post("/login", data={"email": "sam@example.com", "password": PASSWORD})
    response = client.get(f"/calls/{caller_card.id}/screen-pop")
    assert response.status_code == 404 and "Peter Gibbons" not in response.text


def test_the_routed_recruiter_sees_it_even_when_the_call_is_logged_for_someone_else(
    client, caller_card
):
    sam = factories.UserFactory(email="sam@example.com")
    caller_card.routed_to = sam
    db.session.commit()
    client.post("/login", data={"email": "sam@example.com", "password": PASSWORD})
    html = client.get(f"/calls/{caller_card.id}/screen-pop").text
    assert "Peter Gibbons" in html
    assert "data-log-url" not in html  # only its author or an admin may edit it


@pytest.mark.twilio_config(TWILIO_RING_GROUP="sam@example.com, Jo@Example.com")
def test_a_ring_group_call_pops_for_each_member_and_nobody_else(client, caller_card):
    caller_card.routed_to = None  # nobody called them before: the ring group is rung
    db.session.commit()
    factories.UserFactory(email="sam@example.com")
    factories.UserFactory(email="jo@example.com")
    factories.UserFactory(email="max@example.com")
    for email, status in [("sam@example.com", 200), ("jo@example.com", 200),
                          ("max@example.com", 404)]:
        client.post("/login", data={"email": email, "password": PASSWORD})
        assert client.get(f"/calls/{caller_card.id}/screen-pop").status_code == status, email
        client.post("/logout")


def test_an_admin_sees_any_screen_pop(client, admin, caller_card):
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert client.get(f"/calls/{caller_card.id}/screen-pop").status_code == 200


def test_an_outbound_call_has_no_screen_pop(logged_in, user, person):
    call = factories.CallFactory(user=user, company=person.company, person=person)
    assert logged_in.get(f"/calls/{call.id}/screen-pop").status_code == 404


def test_the_screen_pop_needs_a_sign_in(client, caller_card):
    response = client.get(f"/calls/{caller_card.id}/screen-pop")
    assert response.status_code == 401 and "Peter Gibbons" not in response.text


@pytest.mark.parametrize("call_id", ["0", "99999", "2147483648"])
def test_a_screen_pop_for_no_such_call_is_a_404(logged_in, call_id):
    assert logged_in.get(f"/calls/{call_id}/screen-pop").status_code == 404
