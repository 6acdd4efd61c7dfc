"""The demo team's data, seeded once per test module and served for page-by-page checks.

The accessibility and layout tests look at every main page with every kind of record on it (calls
of each outcome, empty boxes, people who left, do-not-call, follow-ups, a calling block, a saved
search, a voicemail message, a 10,000-character note). Seeding that per test would cost most of
their time, and they only read, so a module gets one database, one server and one signed-in
browser context per size.
"""

import threading
from dataclasses import asdict, dataclass

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.demo import seed_demo
from app.demo.data import ADMIN_EMAIL, PASSWORD
from app.extensions import db
from app.models import Call, CallingSession, Company, Person, User
from app.search.saved import save_search
from app.voicemails.service import create_voicemail
from tests.audio_samples import wav_bytes
from tests.browser.conftest import SIZES, _is_postgres
from tests.conftest import TEST_DATABASE_URL, app_on_empty_schema

# The two sizes, and the narrowest phone still sold (the floor the issue sets).
ALL_SIZES = {**SIZES, "small": {"width": 360, "height": 740}}

# One unbroken "word" as long as a pasted log line: it must wrap, not widen the page.
LONG_WORD = "x" * 10_000


@dataclass(frozen=True)
class DemoIds:
    """Rows the page list points at."""

    call: int
    long_note_call: int
    person: int
    long_note_person: int
    empty_box: int
    company: int
    block: int


def _seed_extras() -> DemoIds:
    """What the demo lacks for a full tour: a saved search, a message, a very long note."""
    admin = db.session.scalars(select(User).where(User.email == ADMIN_EMAIL)).one()
    save_search(admin, "Directors", "title:director")
    create_voicemail(admin, "First message", wav_bytes(2.0, rate=8000))
    call = db.session.scalars(
        select(Call).where(Call.company_id.is_not(None)).order_by(Call.id)
    ).first()
    person = db.session.scalars(
        select(Person).where(Person.placeholder.is_(False)).order_by(Person.id)
    ).first()
    long_call = db.session.scalars(
        select(Call).where(Call.company_id.is_not(None)).order_by(Call.id.desc())
    ).first()
    long_person = db.session.scalars(
        select(Person).where(Person.placeholder.is_(False)).order_by(Person.id.desc())
    ).first()
    long_call.notes = f"Gatekeeper read out a log line: {LONG_WORD}"
    long_person.notes = f"Pasted from a profile: {LONG_WORD}"
    box = db.session.scalars(select(Person).where(Person.placeholder.is_(True))).first()
    company = db.session.get(Company, box.company_id)
    block = db.session.scalars(select(CallingSession).order_by(CallingSession.id)).first()
    ids = DemoIds(
        call=call.id,
        long_note_call=long_call.id,
        person=person.id,
        long_note_person=long_person.id,
        empty_box=box.id,
        company=company.id,
        block=block.id,
    )
    db.session.commit()
    return ids


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, pg_schema):
    """The app on a schema of its own, seeded with the demo team once for the module."""
    config = {"WTF_CSRF_ENABLED": True, "SECRET_KEY": "browser-test"}
    if TEST_DATABASE_URL.startswith("sqlite"):
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if _is_postgres(TEST_DATABASE_URL):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-c search_path={pg_schema}"},
        }
    for app in app_on_empty_schema(config):
        seed_demo()
        app.extensions["demo_ids"] = _seed_extras()
        yield app


@pytest.fixture(scope="module")
def demo_ids(demo_app) -> DemoIds:
    return demo_app.extensions["demo_ids"]


@pytest.fixture(scope="module")
def demo_server(demo_app):
    """The seeded app on a loopback port, from a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    server.daemon_threads = False  # joined below: see live_server in conftest.py
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        for request_thread in list(getattr(server, "_threads", None) or []):
            request_thread.join(timeout=5)
        if getattr(server, "_threads", None) is not None:
            server._threads.clear()
        server.server_close()
        thread.join(timeout=5)


def open_context(browser, base_url: str, size: str, *, sign_in: bool = True):
    """A browser context at `size` (the CSP bypassed so axe can be injected), signed in as the
    demo admin, who sees every page, Users included."""
    options = {"viewport": ALL_SIZES[size], "base_url": base_url, "bypass_csp": True}
    if size != "desktop":
        options.update(device_scale_factor=1, is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    if sign_in:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(ADMIN_EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # Attached, not visible: on a phone the sign-out button sits in the folded header menu.
        page.locator("form[action$='/logout'] button").wait_for(state="attached")
        page.close()
    return context


@pytest.fixture(scope="module")
def contexts(browser, demo_server):
    """One signed-in context per size, shared by the module's tests; closed at its end."""
    opened: dict[str, object] = {}

    def get(size: str):
        if size not in opened:
            opened[size] = open_context(browser, demo_server, size)
        return opened[size]

    yield get
    for context in opened.values():
        context.close()


# Every main page a recruiter or an admin uses, by a short name (the tests' ids); the braces are
# filled from DemoIds. Follow-ups due and missed calls are on Today, which has no page of its own.
MAIN_PAGES = {
    "today": "/",
    "calls": "/calls/",
    "call": "/calls/{call}",
    "call-long-note": "/calls/{long_note_call}",
    "call-form": "/calls/new",
    "call-edit": "/calls/{call}/edit",
    "dialer": "/calls/new?person_id={person}&dial=1",
    "people": "/people/",
    "person": "/people/{person}",
    "person-long-note": "/people/{long_note_person}",
    "person-form": "/people/new",
    "empty-box": "/people/{empty_box}",
    "companies": "/companies/",
    "company": "/companies/{company}",
    "company-form": "/companies/new",
    "org-chart": "/companies/{company}/org-chart",
    "phone-tree": "/companies/{company}/phone-tree",
    "search": "/search/?q=director",
    "metrics": "/metrics",
    "queue": "/queue",
    "block-summary": "/queue/blocks/{block}",
    "voicemails": "/voicemails",
    "users": "/admin/users",
    "profile": "/profile",
}


def page_path(name: str, ids: DemoIds) -> str:
    return MAIN_PAGES[name].format(**asdict(ids))
