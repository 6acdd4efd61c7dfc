"""Browser fixtures: the app served on a loopback port from a thread, driven by Debian's Chromium.

The `app` fixture here overrides tests/conftest.py's for this folder: CSRF stays on (real forms
carry the token) and SQLite uses a temp *file*, because an in-memory database is per-connection and
the server answers from other threads. `user` and `db` from tests/conftest.py build on it.
"""

import os
import re
import secrets
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import make_server

from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL, app_on_empty_schema

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
NO_CHROMIUM = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
# For test modules: `pytestmark = needs_chromium`.
needs_chromium = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                                          reason=NO_CHROMIUM)]


def _is_postgres(uri: str) -> bool:
    return uri.startswith(("postgres://", "postgresql"))


@pytest.fixture(scope="session")
def pg_schema():
    """On PostgreSQL, a schema of this run's own inside the test database.

    Other suites drop and recreate their tables in the shared database's public schema, possibly
    while this one runs; a private schema (dropped at the end) keeps the two from colliding.
    """
    if not _is_postgres(TEST_DATABASE_URL):
        yield None
        return
    url = make_url(TEST_DATABASE_URL)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"browser_{os.getpid()}_{secrets.token_hex(4)}"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        yield name
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture
def app(tmp_path, pg_schema):
    """The app on a fresh schema, CSRF on; SQLite in a temp file the server thread can share."""
    config = {"WTF_CSRF_ENABLED": True, "SECRET_KEY": "browser-test"}
    if TEST_DATABASE_URL.startswith("sqlite"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'browser.sqlite'}"
    if pg_schema:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-c search_path={pg_schema}"},
        }
    yield from app_on_empty_schema(config)


@pytest.fixture
def live_server(app):
    """Serve the app on 127.0.0.1 from a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Request threads are tracked (not daemons), so the teardown can wait for the last request
    # (a beacon sent as the page closed) to give its database connection back before the app's
    # teardown closes the pool; a connection returned later is collected still open.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        requests = getattr(server, "_threads", None)  # socketserver's list of request threads
        for request_thread in list(requests or []):
            request_thread.join(timeout=5)
        if requests is not None:
            requests.clear()  # joined above, with a bound: server_close must not wait forever
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright():
    if not os.path.exists(CHROMIUM):
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    """One headless Chromium for the whole run; each test gets its own context (own storage)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


class BrowserErrors:
    """JS exceptions and console errors seen by a test's pages; any one fails the test."""

    def __init__(self):
        self.seen: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Expect a console error matching `pattern` (e.g. the log line of a deliberate 422)."""
        self._allowed.append(re.compile(pattern))

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.seen.append(f"JS exception on {page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))

    def _console(self, page, msg) -> None:
        if msg.type == "error":
            self.seen.append(f"console error on {page.url}: {msg.text}")

    def unexpected(self) -> list[str]:
        return [e for e in self.seen if not any(p.search(e) for p in self._allowed)]


@pytest.fixture
def browser_errors():
    return BrowserErrors()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail (not merely error at teardown) a test whose pages threw or logged errors."""
    result = yield
    errors = item.funcargs.get("browser_errors")
    if errors is not None and errors.unexpected():
        pytest.fail("The browser reported errors:\n" + "\n".join(errors.unexpected()),
                    pytrace=False)
    return result


@pytest.fixture
def new_page(browser, live_server, browser_errors):
    """Open a page in a fresh context (kwargs go to browser.new_context); all closed afterwards."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(base_url=live_server, **context_options)
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        browser_errors.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, email="rita@example.com", password=PASSWORD):
    """Sign in through the login page, as a person would."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Attached, not visible: on a phone the sign-out button sits in the folded header menu.
    expect(page.locator("form[action$='/logout'] button")).to_be_attached()


@pytest.fixture
def signed_in(page, user):
    """A page already signed in as the default recruiter (tests/conftest.py's `user`)."""
    sign_in(page)
    return page


# The two sizes every screen is checked at (issue 11): a laptop and a phone (iPhone 12-15).
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(params=sorted(SIZES))
def size(request):
    """Parametrises a test over both sizes: request `size`, open pages with `sized_page`."""
    return request.param


@pytest.fixture
def sized_page(new_page, size):
    """A page at the test's size (phone pages are touch-enabled and scaled like a phone)."""
    if size == "phone":
        return new_page(viewport=SIZES[size], device_scale_factor=1, is_mobile=True,
                        has_touch=True)
    return new_page(viewport=SIZES[size])


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot under test-results/ (a CI artifact and what a reviewer opens)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def page_width(page) -> int:
    """The document's laid-out width: wider than the viewport means sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth")


# Where the call form lands after a save: the new call's page.
SAVED_CALL_URL = re.compile(r"/calls/\d+$")


@pytest.fixture
def acme(db):
    """A company with one person on file; ids only, so nothing holds the test's session open."""
    pat = factories.PersonFactory(full_name="Pat Existing", title="CTO",
                                  company=factories.CompanyFactory(name="Acme Widgets"))
    ids = {"company": pat.company_id, "pat": pat.id}
    db.session.rollback()
    return ids
