"""Two app servers against one PostgreSQL behave as one (issue 12, "Several app servers").

Two real processes (`flask run`, Werkzeug's threaded server: no extra package) serve the same
database after a `flask db upgrade`, with the same SECRET_KEY and Twilio settings, as a load
balancer's pool would. Server B runs from its own copy of the code and static files, made now,
so its files' modification times differ from A's as on a second machine. A client alternates
between them as a balancer without sticky sessions would send it.

Background jobs: Switchboard has none. No thread, scheduler or worker queue runs beside the
requests; everything that happens "later" is judged when it is read, from timestamps in the
database: a queue claim's `claimed_until`, a calling block's idle end, presence's last beat,
the sign-in window, follow-ups falling due. So there is nothing that must run on exactly one
server, and nothing a second server could run twice.
"""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, make_url, select, update

from app import create_app
from app.auth.service import issue_token
from app.extensions import db
from app.models import Call, QueueItem, QueueStatus, TwilioEvent, now_utc
from app.queue.service import add_to_queue
from app.telephony.settings import VOICE_SDK_STATIC_PATH
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.telephony.conftest import TWILIO_CONFIG, sign, status_params, status_path

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="several app servers share one PostgreSQL (SQLite is one machine's file)",
    ),
]

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "two-servers-" + uuid.uuid4().hex
LOGIN_RATE_LIMIT = 3
TWILIO_ENV = {name: TWILIO_CONFIG[name] for name in (
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET",
    "TWILIO_TWIML_APP_SID", "TWILIO_CALLER_ID", "PUBLIC_BASE_URL")}
CSRF = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """One browser (or API client): its cookies go to whichever server it asks."""

    def __init__(self, cookies: dict[str, str] | None = None) -> None:
        self.cookies = dict(cookies or {})

    def request(self, port: int, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> Answer:
        all_headers = dict(headers or {})
        body = urlencode(form) if form is not None else None
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer

    def csrf_token(self, port: int, path: str = "/login") -> str:
        page = self.request(port, "GET", path)
        return CSRF.search(page.body.decode()).group(1)

    def sign_in(self, port: int, email: str, password: str) -> Answer:
        token = self.csrf_token(port)
        return self.request(port, "POST", "/login", {
            "csrf_token": token, "email": email, "password": password})


def _free_ports(count: int) -> list[int]:
    """Ports in this suite's range (5200-5299) that nothing listens on now.

    Under pytest-xdist each worker probes its own stretch of the range, so two workers starting
    their servers at the same moment do not both pick the same free port.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    start = 5200 + (int(worker) * 20 % 100 if worker.isdigit() else 0)
    found = []
    for port in [*range(start, 5300), *range(5200, start)]:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                found.append(port)
        if len(found) == count:
            return found
    pytest.skip("no free port in 5200-5299")


def _admin(statement: str) -> None:
    admin = create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        admin.dispose()


def _fresh_database() -> str:
    """A database of its own, migrated by `flask db upgrade` (not the suite's create_all)."""
    url = make_url(TEST_DATABASE_URL)
    url = url.set(database=f"{url.database}_two_servers")
    _admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{url.database}"')
    return url.render_as_string(hide_password=False)


def _second_checkout(folder: Path) -> Path:
    """The code as another machine has it: same bytes, its own files' modification times."""
    for name in ("app", "migrations"):
        shutil.copytree(ROOT / name, folder / name, copy_function=shutil.copy,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "wsgi.py", folder / "wsgi.py")
    (folder / "instance").mkdir()
    return folder


def _wait_ready(ports: list[int], processes: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + 30
    waiting = set(ports)
    while waiting and time.monotonic() < deadline:
        for port, process, log in zip(ports, processes, logs, strict=True):
            if process.poll() is not None:
                raise AssertionError(f"server on {port} exited:\n{log.read_text()}")
            if port in waiting:
                try:
                    if Client().request(port, "GET", "/readyz").status == 200:
                        waiting.discard(port)
                except OSError:
                    pass
        time.sleep(0.2)
    assert not waiting, f"not ready: {waiting}: " + Client().request(
        min(waiting), "GET", "/readyz").body.decode()


@dataclass
class Cluster:
    a: int
    b: int
    app: object  # a Flask app on the same database, for seeding and reading rows


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not (ROOT / "app" / "static" / VOICE_SDK_STATIC_PATH).exists():
        pytest.skip("the Voice SDK is not fetched (python scripts/fetch_vendor.py voice-sdk)")
    url = _fresh_database()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TWILIO_", "FLASK_", "LOGIN_RATE", "PYTHONPATH"))}
    env |= TWILIO_ENV | {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
                         "LOGIN_RATE_LIMIT": str(LOGIN_RATE_LIMIT), "PYTHONDONTWRITEBYTECODE": "1"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    # Each server imports the code from its working directory (no PYTHONPATH): B runs its copy.
    folders = [ROOT, _second_checkout(tmp_path_factory.mktemp("server_b"))]
    ports = _free_ports(2)
    logs = [tmp_path_factory.mktemp("logs") / f"server-{port}.log" for port in ports]
    processes = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TESTING": True})
    try:
        for folder, port, log in zip(folders, ports, logs, strict=True):
            with open(log, "wb") as out:
                processes.append(subprocess.Popen(
                    [*flask, "run", "--port", str(port), "--no-reload", "--with-threads"],
                    cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT))
        _wait_ready(ports, processes, logs)
        yield Cluster(ports[0], ports[1], app)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        with app.app_context():
            db.engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _together(*jobs):
    """Run each job on its own thread, released at the same moment; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i):
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except Exception as exc:  # noqa: BLE001  (asserted on by the caller)
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _failures_before_refusal(email: str, ports: list[int]) -> int:
    """Wrong passwords sent round the ports until one is refused (429): how many got a 401."""
    client = Client()
    for tries in range(10):
        answer = client.sign_in(ports[tries % len(ports)], email, "wrong-password")
        if answer.status == 429:
            return tries
        assert answer.status == 401, answer.body[:300]
    raise AssertionError("never throttled")


def test_sign_in_throttling_counts_failures_across_both_servers(cluster):
    with cluster.app.app_context():
        one, both = factories.UserFactory(), factories.UserFactory()
        emails = one.email, both.email
    on_one_server = _failures_before_refusal(emails[0], [cluster.a])
    alternating = _failures_before_refusal(emails[1], [cluster.a, cluster.b])
    assert on_one_server == alternating == LOGIN_RATE_LIMIT
    # Locked out on both, even with the right password, until the window passes.
    for port in (cluster.a, cluster.b):
        assert Client().sign_in(port, emails[1], PASSWORD).status == 429


def test_a_session_made_on_one_server_works_on_the_other_and_signing_out_ends_it(cluster):
    with cluster.app.app_context():
        email = factories.UserFactory(name="Sam Shared").email
    browser = Client()
    assert browser.sign_in(cluster.a, email, PASSWORD).status == 302
    today = browser.request(cluster.b, "GET", "/")
    assert today.status == 200 and b"Sam Shared" in today.body
    copied = dict(browser.cookies)  # e.g. left behind on a shared computer

    token = CSRF.search(today.body.decode()).group(1)  # a form token made by B, used on A
    assert browser.request(cluster.a, "POST", "/logout", {"csrf_token": token}).status == 302
    after = Client(copied).request(cluster.b, "GET", "/")
    assert after.status == 302 and "/login" in after.headers["Location"]


def test_recruiters_taking_next_on_different_servers_never_get_the_same_target(cluster):
    with cluster.app.app_context():
        sam, jo = factories.UserFactory(), factories.UserFactory()
        company = factories.CompanyFactory()
        for i in range(6):
            person = factories.PersonFactory(company=company, direct_phone=f"+1212555{1300 + i}")
            for user in (sam, jo):
                add_to_queue(user, person=person)
        tokens = issue_token(sam), issue_token(jo)

    def take(port, token):
        answer = Client().request(port, "POST", "/api/v1/queue/next",
                                  headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200, answer.body[:300]
        return answer.json()["person_id"]

    for _ in range(3):  # each next puts the taker's previous target back
        taken = _together(lambda: take(cluster.a, tokens[0]), lambda: take(cluster.b, tokens[1]))
        assert not [t for t in taken if isinstance(t, BaseException)], taken
        assert taken[0] != taken[1]
    with cluster.app.app_context():
        claimed = db.session.scalars(select(QueueItem.line_key).where(
            QueueItem.status == QueueStatus.CLAIMED)).all()
    assert len(claimed) == 2 and len(set(claimed)) == 2


def test_a_claim_that_ran_out_on_one_server_is_taken_over_on_the_other_without_a_job(cluster):
    """Time-based work needs no background job: a claim's end is read from the database."""
    with cluster.app.app_context():
        sam, jo = factories.UserFactory(), factories.UserFactory()
        person = factories.PersonFactory(direct_phone="+12125551399")
        for user in (sam, jo):
            add_to_queue(user, person=person)
        tokens, person_id = (issue_token(sam), issue_token(jo)), person.id

    def take(port, token):
        return Client().request(port, "POST", "/api/v1/queue/next",
                                headers={"Authorization": f"Bearer {token}"})

    assert take(cluster.a, tokens[0]).json()["person_id"] == person_id
    assert take(cluster.b, tokens[1]).status == 204  # held by Sam's claim
    with cluster.app.app_context():
        db.session.execute(update(QueueItem).where(QueueItem.person_id == person_id,
                                                   QueueItem.status == QueueStatus.CLAIMED)
                           .values(claimed_until=now_utc() - timedelta(seconds=1)))
        db.session.commit()
    taken_over = take(cluster.b, tokens[1])
    assert taken_over.status == 200 and taken_over.json()["person_id"] == person_id


def test_one_status_callback_delivered_to_both_servers_at_once_is_applied_once(cluster):
    with cluster.app.app_context():
        call = factories.CallFactory(twilio_call_sid="CA" + uuid.uuid4().hex,
                                     to_number="+12125550142")
        path = status_path(call)
        deliveries = [status_params(call, "ringing", 1),
                      status_params(call, "completed", 3, CallDuration="42")]
        call_id = call.id

    def post(port, data):
        signature = sign(TWILIO_ENV["PUBLIC_BASE_URL"] + path, data)
        return Client().request(port, "POST", path, data,
                                headers={"X-Twilio-Signature": signature}).status

    for data in deliveries:  # Twilio retrying, the balancer sending each try elsewhere
        statuses = _together(*[lambda p=port, d=data: post(p, d)
                               for port in (cluster.a, cluster.b, cluster.a, cluster.b)])
        assert statuses == [204] * 4
    with cluster.app.app_context():
        stored = db.session.scalars(select(TwilioEvent.payload).where(
            TwilioEvent.call_id == call_id, TwilioEvent.kind == "status")
            .order_by(TwilioEvent.id)).all()
        call = db.session.get(Call, call_id)
        assert [p["CallStatus"] for p in stored] == ["ringing", "completed"]
        assert (call.twilio_status, call.duration_seconds) == ("completed", 42)


@pytest.mark.parametrize("path", ["css/app.css", "js/dialer.js", VOICE_SDK_STATIC_PATH])
def test_static_files_and_the_voice_sdk_are_the_same_from_both_servers(cluster, path):
    first, second = (Client().request(port, "GET", f"/static/{path}")
                     for port in (cluster.a, cluster.b))
    assert first.status == second.status == 200
    assert first.body == second.body == (ROOT / "app" / "static" / path).read_bytes()
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
    # A browser's cached copy from A is still good on B (and the other way round).
    for port, etag in ((cluster.b, first.headers["ETag"]), (cluster.a, second.headers["ETag"])):
        again = Client().request(port, "GET", f"/static/{path}", headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b""


def test_pages_point_at_the_same_static_and_voice_sdk_urls_on_both_servers(cluster):
    pages = [Client().request(port, "GET", "/login").body.decode()
             for port in (cluster.a, cluster.b)]
    urls = [sorted(re.findall(r'(?:src|href)="(/static/[^"]+)"', page)) for page in pages]
    assert urls[0] and urls[0] == urls[1]
    with cluster.app.app_context():
        email = factories.UserFactory().email
    dialer_pages = []
    for port in (cluster.a, cluster.b):
        browser = Client()
        assert browser.sign_in(port, email, PASSWORD).status == 302
        dialer_pages.append(browser.request(port, "GET", "/").body.decode())
    sdk = f"/static/{VOICE_SDK_STATIC_PATH}"
    assert all(sdk in page for page in dialer_pages), "browser calling loads the SDK everywhere"
