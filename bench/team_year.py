"""Benchmark: a team-year data set (issue 5) served by gunicorn, measured over HTTP.

Serves the app with gunicorn (2 sync workers on 127.0.0.1) against a database filled by
`flask seed-bench` (a SQLite file, or --database-url for PostgreSQL: a database of its own, never
`test`), signs in with a requests.Session like a browser (CSRF token from the login form) and
times, over loopback, N requests each after warm-up: the home page with follow-ups, the largest
company's page, the most-called person's page, the call-log submit with three new names, the call
list filtered, a simple and a complex Boolean search, the metrics page and the largest company's
org chart. Prints median, p95 and throughput (requests/s with --clients concurrent sessions)
against the issue's targets: search p95 < 100 ms, submit p95 < 50 ms, pages p95 < 200 ms.
With --profile, each endpoint over its target is profiled once in-process (no gunicorn): the
app's hotspots by cumulative time, the slowest SQL statements and the plan of the slowest one.

    pip install -r bench/requirements.txt            # gunicorn, only for benchmarks
    # SQLite: seed a file (minutes at full size), then measure
    .venv/bin/python bench/team_year.py --seed-data --profile
    # PostgreSQL: its own database
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_teamyear"
    .venv/bin/python bench/team_year.py --seed-data --profile \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_teamyear

Without --seed-data the database must already hold seed-bench's data (the same sizes are not
checked). The call-log submits add calls and people: reseed before comparing runs exactly.
Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, event, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.benchdata import PASSWORD, USER_TZ, USERS  # noqa: E402
from app.models import Call, Person, call_person  # noqa: E402

SEARCH_TARGET_MS, SUBMIT_TARGET_MS, PAGE_TARGET_MS = 100, 50, 200
DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'bench_teamyear.sqlite'}"
SIMPLE_QUERY = "engineer"
COMPLEX_QUERY = 'title:(director OR "vice president") AND department:finance NOT intern'
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
VENV_BIN = Path(sys.executable).parent


def flask_cli(url: str, *args: str) -> None:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench-cli"}
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                   check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(VENV_BIN)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed: pip install -r bench/requirements.txt")
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)}
    proc = subprocess.Popen(
        [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "300",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit("gunicorn did not answer /healthz within 120 s")


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise SystemExit("no csrf_token in the form")
    return match.group(1) or match.group(2)


def sign_in(base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session.get(f"{base}/login").text)
    response = session.post(f"{base}/login", allow_redirects=False, data={
        "csrf_token": token, "email": USERS[0][0], "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return session


def subjects(url: str) -> dict:
    """The largest company, the most-called person, and people for the submit's rows."""
    engine = create_engine(url)
    with engine.connect() as conn:
        company, people = conn.execute(
            select(Person.company_id, func.count()).group_by(Person.company_id)
            .order_by(func.count().desc(), Person.company_id).limit(1)).one()
        busy_person, busy_calls = conn.execute(
            select(call_person.c.person_id, func.count()).group_by(call_person.c.person_id)
            .order_by(func.count().desc(), call_person.c.person_id).limit(1)).one()
        manager = conn.scalar(select(Person.id).where(
            Person.company_id == company, Person.title.like("Director%"),
            Person.full_name.is_not(None)).order_by(Person.id).limit(1))
        target = conn.scalar(select(Person.id).where(
            Person.company_id == company, Person.full_name.is_not(None),
            Person.left_at.is_(None), Person.reports_to_id.is_not(None))
            .order_by(Person.id).offset(20).limit(1))
        calls = conn.scalar(select(func.count()).select_from(Call))
        company_calls = conn.scalar(select(func.count()).where(Call.company_id == company))
        open_due = conn.scalar(select(func.count()).where(
            Call.user_id == 1, Call.follow_up_at.is_not(None), Call.follow_up_done_at.is_(None),
            Call.follow_up_at < datetime.now(UTC) + timedelta(days=1)))
    engine.dispose()
    return {"company": company, "company_people": people, "company_calls": company_calls,
            "busy_person": busy_person, "busy_calls": busy_calls, "manager": manager,
            "target": target, "calls": calls, "open_due": open_due}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Endpoint:
    def __init__(self, label, send, expected, target):
        self.label, self.send, self.expected, self.target = label, send, expected, target


def check(response, label: str, expected: int) -> None:
    if response.status_code != expected:
        raise SystemExit(f"{label}: {response.status_code}, expected {expected}\n"
                         f"{response.text[:1500]}")


def measure(endpoint: Endpoint, sessions: list[requests.Session], runs: int, warmup: int,
            counter) -> dict:
    main = sessions[0]
    for _ in range(warmup):
        check(endpoint.send(main, next(counter)), endpoint.label, endpoint.expected)
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = endpoint.send(main, next(counter))
        size = len(response.content)
        times.append((time.perf_counter() - start) * 1000)
        check(response, endpoint.label, endpoint.expected)
    # Throughput: the same number of requests again, from every session at once.
    # Unexpected answers here (concurrent writes colliding) are counted and reported, not fatal.
    lock = threading.Lock()
    errors: list[int] = []

    def worker(session, share):
        for _ in range(share):
            with lock:
                i = next(counter)
            status = endpoint.send(session, i).status_code
            if status != endpoint.expected:
                errors.append(status)

    shares = [runs // len(sessions) + (k < runs % len(sessions)) for k in range(len(sessions))]
    start = time.perf_counter()
    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(worker, sessions, shares))
    throughput = runs / (time.perf_counter() - start)
    return {"median": statistics.median(times), "p95": p95(times), "rps": throughput,
            "size": size, "errors": errors}


def endpoints(base: str, data: dict, sessions: list[requests.Session]) -> list[Endpoint]:
    company, person = data["company"], data["busy_person"]
    since = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    # One CSRF token per session (the form's), reused: Flask-WTF's tokens last the session.
    tokens = {id(s): csrf_token(s.get(f"{base}/calls/new?company_id={company}").text)
              for s in sessions}
    run = secrets.token_hex(3)  # new names never repeat an earlier run's (no duplicate prompt)

    def get(path):
        return lambda s, _i: s.get(base + path, allow_redirects=False)

    def submit(s, i):
        stamp = datetime.now(ZoneInfo(USER_TZ)).strftime("%Y-%m-%dT%H:%M")
        form = {"csrf_token": tokens.get(id(s), ""), "company_id": company,
                "person_id": data["target"], "answered_by": "", "outcome": "connected",
                "to_number": "", "started_at": stamp, "duration": "4:35",
                "notes": f"Bench call {i}: spoke about the platform team and its hiring plans.",
                "follow_up_at": "", "follow_up_note": ""}
        for row, (title, manager) in enumerate([
                ("Director Platform", data["manager"]), ("Engineering Manager", "row:0"),
                ("Recruiting Coordinator", "")]):
            form |= {f"people-{row}-full_name": f"Bench {run} Name {i}-{row}",
                     f"people-{row}-title": title, f"people-{row}-department": "Engineering",
                     f"people-{row}-reports_to": str(manager), f"people-{row}-role": "other"}
        return s.post(f"{base}/calls/new", data=form, allow_redirects=False)

    listed = [
        Endpoint("GET  / (home, follow-ups)", get("/"), 200, PAGE_TARGET_MS),
        Endpoint(f"GET  /companies/{company}", get(f"/companies/{company}"), 200,
                 PAGE_TARGET_MS),
        Endpoint(f"GET  /people/{person}", get(f"/people/{person}"), 200, PAGE_TARGET_MS),
        Endpoint("POST /calls/new (3 new names)", submit, 302, SUBMIT_TARGET_MS),
        Endpoint("GET  /calls/?company&outcome&date_from",
                 get(f"/calls/?company={company}&outcome=connected&date_from={since}"), 200,
                 PAGE_TARGET_MS),
        Endpoint(f"GET  /search/?q={SIMPLE_QUERY}",
                 get(f"/search/?q={requests.utils.quote(SIMPLE_QUERY)}"), 200,
                 SEARCH_TARGET_MS),
        Endpoint("GET  /search/?q=<complex>",
                 get(f"/search/?q={requests.utils.quote(COMPLEX_QUERY)}"), 200,
                 SEARCH_TARGET_MS),
        Endpoint("GET  /metrics", get("/metrics"), 200, PAGE_TARGET_MS),
        Endpoint(f"GET  /companies/{company}/org-chart", get(f"/companies/{company}/org-chart"),
                 200, PAGE_TARGET_MS),
    ]
    return listed


def profile_misses(url: str, missed: list[Endpoint], top: int) -> None:
    """Profile each missed endpoint once in-process, with its SQL timed and the worst explained."""
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "bench-profile"})
    client = app.test_client()
    client.post("/login", data={"email": USERS[0][0], "password": PASSWORD})
    statements: list[tuple[float, str, object]] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - conn.info["t0"], statement, parameters))

    class Adapter:
        """The Flask test client behind the requests-style calls the endpoints make."""

        def get(self, url, allow_redirects=False):
            return client.get(re.sub(r"^https?://[^/]+", "", url))

        def post(self, url, data, allow_redirects=False):
            return client.post(re.sub(r"^https?://[^/]+", "", url), data=data)

    for endpoint in missed:
        statements.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        endpoint.send(Adapter(), 10**6 + len(statements))
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        total = max(cum for _cc, _nc, _tt, cum, _c in stats.values())
        ours = sorted(((cum, nc, k) for k, (_cc, nc, _tt, cum, _c) in stats.items()
                       if k[0].startswith(str(ROOT / "app"))), reverse=True)[:top]
        print(f"\nprofile: {endpoint.label}  ({total * 1000:.0f} ms under cProfile, "
              f"{len(statements)} SQL statements, {sum(s[0] for s in statements) * 1000:.0f} ms "
              "in SQL)")
        for cum, calls, (path, line, function) in ours:
            short = path.removeprefix(str(ROOT) + "/")
            print(f"  {cum * 1000:8.1f} ms {calls:6d}x  {short}:{line}({function})")
        slowest = sorted(statements, key=lambda s: s[0], reverse=True)[:3]
        for seconds, statement, _params in slowest:
            flat = " ".join(statement.split())
            print(f"  SQL {seconds * 1000:7.1f} ms  {flat[:400]}{'…' if len(flat) > 400 else ''}")
        if slowest and slowest[0][0] > 0.02:
            _seconds, statement, params = slowest[0]
            prefix = ("EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite"
                      else "EXPLAIN (ANALYZE, BUFFERS) ")
            with engine.connect() as conn:
                plan = conn.exec_driver_sql(prefix + statement, params).all()
            print("  plan of the slowest:")
            for row in plan:
                print("    " + " | ".join(str(v) for v in row))
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="a database of its own (SQLite file by default)")
    parser.add_argument("--seed-data", action="store_true",
                        help="run `flask db upgrade` and `flask seed-bench --reset` first")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=2,
                        help="concurrent sessions for the throughput loop")
    parser.add_argument("--profile", action="store_true",
                        help="profile each endpoint over its target, in-process")
    parser.add_argument("--top", type=int, default=12, help="hotspot lines per profile")
    args = parser.parse_args()

    url = args.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and (parsed.database or "").lower() == "test":
        raise SystemExit("refusing the `test` database: give the benchmark a database of its own")
    if args.seed_data:
        flask_cli(url, "db", "upgrade")
        start = time.perf_counter()
        flask_cli(url, "seed-bench", "--companies", str(args.companies), "--people",
                  str(args.people), "--calls", str(args.calls), "--seed", str(args.seed),
                  "--reset")
        print(f"seeded in {time.perf_counter() - start:.0f} s")
    data = subjects(url)
    print(f"database: {parsed.get_backend_name()}  {data['calls']:,} calls; largest company "
          f"{data['company']}: {data['company_people']:,} people, {data['company_calls']:,} "
          f"calls; person {data['busy_person']} on {data['busy_calls']:,} calls; "
          f"{data['open_due']:,} open follow-ups due for {USERS[0][0]}")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"({os.cpu_count()} cores)")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    missed: list[Endpoint] = []
    server = start_gunicorn(url, port, args.workers)
    try:
        sessions = [sign_in(base) for _ in range(args.clients)]
        counter = iter(range(10**9))
        header = (f"{'endpoint':42} {'median':>8} {'p95':>8} {'target':>7} {'req/s':>7} "
                  f"{'size':>8}")
        print(f"\n{header}   (ms; n={args.runs} after {args.warmup} warm-up; req/s with "
              f"{args.clients} clients, {args.workers} gunicorn workers)")
        results = []
        for endpoint in endpoints(base, data, sessions):
            if endpoint.label.startswith("GET  /metrics") and sessions[0].get(
                    base + "/metrics").status_code == 404:
                print(f"{endpoint.label:42} skipped: /metrics answers 404 (not built yet)")
                continue
            r = measure(endpoint, sessions, args.runs, args.warmup, counter)
            ok = r["p95"] < endpoint.target
            verdict = "ok" if ok else f"MISSED by {r['p95'] - endpoint.target:.0f} ms"
            if r["errors"]:
                verdict += (f"; {len(r['errors'])} of {args.runs} concurrent requests failed "
                            f"({', '.join(sorted(set(map(str, r['errors']))))})")
            print(f"{endpoint.label:42} {r['median']:8.1f} {r['p95']:8.1f} {endpoint.target:7d} "
                  f"{r['rps']:7.1f} {r['size'] / 1024:6.0f}kB  {verdict}", flush=True)
            results.append((endpoint, r))
            if not ok:
                missed.append(endpoint)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print()
    for endpoint, r in results:
        if r["p95"] >= endpoint.target:
            print(f"MISSED {endpoint.label.strip()}: p95 {r['p95']:.0f} ms vs {endpoint.target} "
                  f"ms (+{r['p95'] - endpoint.target:.0f} ms, {r['p95'] / endpoint.target:.1f}x)")
    if not missed:
        print("All targets met.")
    if args.profile and missed:
        profile_misses(url, missed, args.top)


if __name__ == "__main__":
    main()
