"""Benchmark: a team-year data set (issues 5 and 12) served by gunicorn, measured over HTTP.

Serves the app with gunicorn (2 sync workers on 127.0.0.1) against a database filled by
`flask seed-bench` (a SQLite file, or --database-url for PostgreSQL: a database of its own, never
`test`), signs in with a requests.Session like a browser (CSRF token from the login form) and
times, over loopback, N requests each after warm-up: the home page with follow-ups, the largest
company's page, the most-called person's page, the call-log submit with three new names, the call
list filtered, a simple, a complex Boolean and a sound-alike (`~`) search, the metrics page (the
30-day team view and a 12-month per-recruiter view) and the first screen of the largest company's
org chart. A bare Flask "hello" (bench/hello_app.py) runs under the same gunicorn settings and is
timed interleaved with every endpoint; each endpoint's main query (the slowest statement of one
request, captured in-process) is replayed directly as many times. The result is a markdown table:
median, p95, the ratios to "hello" and to the replayed SQL, size and verdict against the issue's
targets (search p95 < 100 ms, submit < 50 ms, org chart first screen < 300 ms and < 1 MB, other
pages < 200 ms), with the command, the time of the run and the load average at start and end.
--throughput adds requests/s with --clients concurrent sessions. With --profile, each endpoint
over its target is profiled once in-process: hotspots, slowest SQL and the plan of the slowest.

--small-database-url compares two data sets in one run (both served at once, interleaved): the
busy team's (e.g. seed-bench at 1,000 companies / 20,000 people / 100,000 calls) and the team
year's, reporting per endpoint the ratio of server time (median minus hello's) and of output
size, to show which endpoints grow faster than logarithmically, and where the output itself grows.

    pip install -r bench/requirements.txt            # gunicorn, only for benchmarks
    # SQLite: seed a file (minutes at full size), then measure
    .venv/bin/python bench/team_year.py --seed-data --profile
    # PostgreSQL: its own database
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_teamyear"
    .venv/bin/python bench/team_year.py --seed-data --profile \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_teamyear
    # Growth: a busy team's data set against the team year's
    DATABASE_URL=sqlite:////tmp/small.sqlite flask --app wsgi seed-bench --companies 1000 \\
        --people 20000 --calls 100000
    .venv/bin/python bench/team_year.py --database-url sqlite:////tmp/tybench/teamyear.sqlite \\
        --small-database-url sqlite:////tmp/small.sqlite

Without --seed-data the database must already hold seed-bench's data (the same sizes are not
checked). The call-log submits add calls and people: reseed before comparing runs exactly.
Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from in_process import InProcess, Replay, one_line, p95  # noqa: E402
from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.benchdata import PASSWORD, USER_TZ, USERS  # noqa: E402
from app.models import Call, Person, call_person  # noqa: E402

SEARCH_TARGET_MS, SUBMIT_TARGET_MS, PAGE_TARGET_MS, CHART_TARGET_MS = 100, 50, 200, 300
CHART_MAX_BYTES = 1_000_000
DEFAULT_URL = f"sqlite:///{ROOT / 'instance' / 'bench_teamyear.sqlite'}"
SIMPLE_QUERY = "engineer"
COMPLEX_QUERY = 'title:(director OR "vice president") AND department:finance NOT intern'
FUZZY_QUERY = "name:stephan~"  # sound-alikes and nicknames (issue 14): finds the seed's Stefans
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


def start_gunicorn(url: str | None, port: int, workers: int, app: str = "wsgi:app",
                   health: str = "/healthz") -> subprocess.Popen:
    """gunicorn with the same settings for the app and for the bare "hello" (bench/ on path)."""
    gunicorn = shutil.which("gunicorn", path=str(VENV_BIN)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise SystemExit("gunicorn is not installed: pip install -r bench/requirements.txt")
    env = os.environ | {"SECRET_KEY": secrets.token_hex(16)}
    if url:
        env["DATABASE_URL"] = url
    proc = subprocess.Popen(
        [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "300",
         "--log-level", "warning", "--pythonpath", str(ROOT / "bench"), app], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}{health}", timeout=10).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit(f"gunicorn ({app}) did not answer {health} within 120 s")


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
        total_people = conn.scalar(select(func.count()).select_from(Person))
        company_calls = conn.scalar(select(func.count()).where(Call.company_id == company))
        open_due = conn.scalar(select(func.count()).where(
            Call.user_id == 1, Call.follow_up_at.is_not(None), Call.follow_up_done_at.is_(None),
            Call.follow_up_at < datetime.now(UTC) + timedelta(days=1)))
    engine.dispose()
    return {"company": company, "company_people": people, "company_calls": company_calls,
            "busy_person": busy_person, "busy_calls": busy_calls, "manager": manager,
            "target": target, "calls": calls, "people": total_people, "open_due": open_due}


def describe(data: dict) -> str:
    return (f"{data['calls']:,} calls, {data['people']:,} people; largest company "
            f"{data['company']}: {data['company_people']:,} people, {data['company_calls']:,} "
            f"calls; person {data['busy_person']} on {data['busy_calls']:,} calls; "
            f"{data['open_due']:,} open follow-ups due for {USERS[0][0]}")


@dataclass
class Endpoint:
    label: str
    send: object  # (session-like, request number) -> response
    expected: int
    target: int
    max_bytes: int | None = None
    note: object = None  # (response) -> str, a remark for the table


def check(response, label: str, expected: int) -> None:
    if response.status_code != expected:
        raise SystemExit(f"{label}: {response.status_code}, expected {expected}\n"
                         f"{response.text[:1500]}")


def no_people_found(response) -> str:
    if "No people match." in response.text:
        return "0 people found (no sound-alike search in this build)"
    return ""


def endpoints(base: str, data: dict, sessions: list[requests.Session]) -> list[Endpoint]:
    company, person = data["company"], data["busy_person"]
    since = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    today = datetime.now(ZoneInfo(USER_TZ)).date()
    year = f"period=custom&from={today - timedelta(days=364)}&to={today}&recruiter=1&group=week"
    # One CSRF token per session (the form's), reused: Flask-WTF's tokens last the session.
    tokens = {id(s): csrf_token(s.get(f"{base}/calls/new?company_id={company}").text)
              for s in sessions}
    run = secrets.token_hex(3)  # new names never repeat an earlier run's (no duplicate prompt)

    def get(path):
        return lambda s, _i: s.get(base + path, allow_redirects=False)

    def search(query):
        return get(f"/search/?q={requests.utils.quote(query)}")

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

    # Labels name the role, not the id: the same row across data sets (ids are in the header).
    return [
        Endpoint("`GET /` (home, follow-ups due)", get("/"), 200, PAGE_TARGET_MS),
        Endpoint("`GET /companies/<largest>`", get(f"/companies/{company}"), 200,
                 PAGE_TARGET_MS),
        Endpoint("`GET /people/<most called>`", get(f"/people/{person}"), 200, PAGE_TARGET_MS),
        Endpoint("`POST /calls/new` (3 new names)", submit, 302, SUBMIT_TARGET_MS),
        Endpoint("`GET /calls/?company&outcome&date_from`",
                 get(f"/calls/?company={company}&outcome=connected&date_from={since}"), 200,
                 PAGE_TARGET_MS),
        Endpoint(f"`GET /search/?q={SIMPLE_QUERY}`", search(SIMPLE_QUERY), 200,
                 SEARCH_TARGET_MS),
        Endpoint("`GET /search/?q=<complex>`", search(COMPLEX_QUERY), 200, SEARCH_TARGET_MS),
        Endpoint(f"`GET /search/?q={FUZZY_QUERY}`", search(FUZZY_QUERY), 200, SEARCH_TARGET_MS,
                 note=no_people_found),
        Endpoint("`GET /metrics` (30 days, team)", get("/metrics"), 200, PAGE_TARGET_MS),
        Endpoint("`GET /metrics` (12 months, one recruiter, by week)", get(f"/metrics?{year}"),
                 200, PAGE_TARGET_MS),
        Endpoint("`GET /companies/<largest>/org-chart` (first screen)",
                 get(f"/companies/{company}/org-chart"), 200, CHART_TARGET_MS,
                 max_bytes=CHART_MAX_BYTES),
    ]


@dataclass
class Served:
    """One data set behind its own gunicorn, with signed-in sessions and its endpoints."""

    name: str
    url: str
    data: dict
    server: subprocess.Popen
    base: str
    sessions: list[requests.Session]
    endpoints: list[Endpoint] = field(default_factory=list)
    in_process: InProcess | None = None


@dataclass
class Result:
    times: list[float]
    size: int
    note: str = ""
    errors: list[int] = field(default_factory=list)
    rps: float | None = None
    replay: Replay | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return p95(self.times)


def measure(index: int, served: list[Served], hello: requests.Session, hello_url: str,
            runs: int, warmup: int, counter) -> tuple[list[Result], list[float]]:
    """Endpoint `index` on every data set, one request each in turn, then one "hello"."""
    for target in served:
        endpoint = target.endpoints[index]
        for _ in range(warmup):
            check(endpoint.send(target.sessions[0], next(counter)), endpoint.label,
                  endpoint.expected)
    results = [Result([], 0) for _ in served]
    floor: list[float] = []
    for _ in range(runs):
        for target, result in zip(served, results, strict=True):
            endpoint = target.endpoints[index]
            start = time.perf_counter()
            response = endpoint.send(target.sessions[0], next(counter))
            result.times.append((time.perf_counter() - start) * 1000)
            check(response, endpoint.label, endpoint.expected)
            result.size = len(response.content)
            if endpoint.note:
                result.note = endpoint.note(response)
        start = time.perf_counter()
        hello.get(hello_url).raise_for_status()
        floor.append((time.perf_counter() - start) * 1000)
    return results, floor


def throughput(endpoint: Endpoint, sessions: list[requests.Session], runs: int, counter,
               result: Result) -> None:
    """The same number of requests again, from every session at once. Unexpected answers here
    (concurrent writes colliding) are counted and reported, not fatal."""
    lock = threading.Lock()

    def worker(session, share):
        for _ in range(share):
            with lock:
                i = next(counter)
            status = endpoint.send(session, i).status_code
            if status != endpoint.expected:
                result.errors.append(status)

    shares = [runs // len(sessions) + (k < runs % len(sessions)) for k in range(len(sessions))]
    start = time.perf_counter()
    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(worker, sessions, shares))
    result.rps = runs / (time.perf_counter() - start)


def verdict(endpoint: Endpoint, result: Result) -> str:
    problems = []
    if result.p95 >= endpoint.target:
        problems.append(f"MISSED by {result.p95 - endpoint.target:.0f} ms")
    if endpoint.max_bytes and result.size >= endpoint.max_bytes:
        problems.append(f"over {endpoint.max_bytes / 1e6:.0f} MB")
    if result.errors:
        problems.append(f"{len(result.errors)} concurrent requests failed "
                        f"({', '.join(sorted(set(map(str, result.errors))))})")
    text = "; ".join(problems) or "ok"
    return f"{text}; {result.note}" if result.note else text


def ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def size_text(size: int) -> str:
    return f"{size / 1024:,.0f} kB" if size >= 1024 else f"{size} B"


def table_one(served: Served, rows: list[tuple[Endpoint, Result]], floor: list[float]) -> None:
    """The markdown table for docs/benchmarks.md: one data set, hello and replayed SQL."""
    hello_med, hello_p95 = statistics.median(floor), p95(floor)
    rps = bool(rows and rows[0][1].rps)
    header = ["Endpoint", "median / p95 (ms)", "target (p95)", "× hello (median / p95)",
              "main SQL replayed median / p95", "× SQL (p95)", "statements / SQL ms", "size",
              *(["req/s"] if rps else []), "verdict"]
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    hello = ["bare Flask \"hello\" (same gunicorn)", f"{ms(hello_med)} / {ms(hello_p95)}", "",
             "1", "", "", "", "", *([""] if rps else []), "floor"]
    print("| " + " | ".join(hello) + " |")
    for endpoint, r in rows:
        replay = r.replay
        sql = (f"{ms(replay.median)} / {ms(replay.p95)} | {r.p95 / max(replay.p95, 0.01):.1f} | "
               f"{replay.statements} / {ms(replay.sql_ms)}") if replay else "– | – | –"
        rate = f"{r.rps:.1f} | " if rps else ""
        print(f"| {endpoint.label} | {ms(r.median)} / {ms(r.p95)} | {endpoint.target} | "
              f"{r.median / hello_med:.0f} / {r.p95 / hello_p95:.0f} | {sql} | "
              f"{size_text(r.size)} | {rate}{verdict(endpoint, r)} |")
    print("\nMain SQL: the slowest statement of one request, replayed directly "
          "(same parameters, rolled back):")
    for endpoint, r in rows:
        if r.replay:
            print(f"- {endpoint.label}: `{one_line(r.replay.sql, 300)}`")


def table_growth(served: list[Served], rows: list[tuple[Endpoint, list[Result]]],
                 floor: list[float]) -> None:
    """Busy team vs team year: server time (median minus hello's) and output size ratios."""
    small, full = served
    hello_med = statistics.median(floor)
    data_ratio = full.data["calls"] / max(small.data["calls"], 1)
    log_ratio = (math.log(full.data["calls"]) / math.log(small.data["calls"])
                 if small.data["calls"] > 1 else float("nan"))
    print(f"\nData: {data_ratio:.1f}x the calls ({small.data['calls']:,} → "
          f"{full.data['calls']:,}); logarithmic growth would be "
          f"log(n₂)/log(n₁) = {log_ratio:.2f}x. Server time = median − hello's median "
          f"({ms(hello_med)} ms).\n")
    print(f"| Endpoint | {small.name} median / p95 | {full.name} median / p95 | server time "
          f"ratio (median) | size {small.name} / {full.name} | output grows? |")
    print("|---|---|---|---|---|---|")
    for endpoint, (a, b) in rows:
        server_a, server_b = max(a.median - hello_med, 0.1), max(b.median - hello_med, 0.1)
        grows = b.size / max(a.size, 1)
        output = f"yes, {grows:.1f}x" if grows > 1.2 else "no"
        print(f"| {endpoint.label} | {ms(a.median)} / {ms(a.p95)} | {ms(b.median)} / "
              f"{ms(b.p95)} | {server_b / server_a:.2f} | {size_text(a.size)} / "
              f"{size_text(b.size)} | {output} |")


def serve(name: str, url: str, workers: int, clients: int) -> Served:
    data = subjects(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(url, port, workers)
    try:
        sessions = [sign_in(base) for _ in range(clients)]
        served = Served(name, url, data, server, base, sessions)
        served.endpoints = endpoints(base, data, sessions)
    except BaseException:
        stop(server)
        raise
    return served


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def refuse_test_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and (parsed.database or "").lower() == "test":
        raise SystemExit("refusing the `test` database: give the benchmark a database of its own")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="a database of its own (SQLite file by default)")
    parser.add_argument("--small-database-url",
                        help="a smaller seed-bench data set to compare growth against")
    parser.add_argument("--labels", default="busy team,team year",
                        help="names of the two data sets with --small-database-url (the same "
                             "comparison serves before/after: an unmigrated copy first)")
    parser.add_argument("--seed-data", action="store_true",
                        help="run `flask db upgrade` and `flask seed-bench --reset` first")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--throughput", action="store_true",
                        help="also requests/s with --clients concurrent sessions")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--no-replay", action="store_true", help="skip the SQL replays")
    parser.add_argument("--only", help="only endpoints whose label contains one of these "
                                       "(comma-separated) texts")
    parser.add_argument("--profile", action="store_true",
                        help="profile each endpoint over its target, in-process")
    parser.add_argument("--top", type=int, default=12, help="hotspot lines per profile")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    urls = [args.database_url] + ([args.small_database_url] if args.small_database_url else [])
    for url in urls:
        refuse_test_database(url)
    if args.seed_data:
        flask_cli(args.database_url, "db", "upgrade")
        start = time.perf_counter()
        flask_cli(args.database_url, "seed-bench", "--companies", str(args.companies),
                  "--people", str(args.people), "--calls", str(args.calls), "--seed",
                  str(args.seed), "--reset")
        print(f"seeded in {time.perf_counter() - start:.0f} s")
    growth = bool(args.small_database_url)
    print(f"command: {' '.join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])}")
    print(f"started: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores")
    load_start = os.getloadavg()

    small_name, full_name = args.labels.split(",", 1)
    names = [(small_name, args.small_database_url)] if growth else []
    names.append((full_name if growth else "team year", args.database_url))
    served: list[Served] = []
    hello_port = free_port()
    hello_server = start_gunicorn(None, hello_port, args.workers, "hello_app:app", "/")
    try:
        for name, url in names:
            served.append(serve(name, url, args.workers, args.clients))
            print(f"{name}: {make_url(url).get_backend_name()}, {describe(served[-1].data)}")
        hello = requests.Session()
        hello_url = f"http://127.0.0.1:{hello_port}/"
        counter = iter(range(10**9))
        floor: list[float] = []
        rows: list[tuple[Endpoint, list[Result]]] = []
        if not args.no_replay and not growth:
            served[0].in_process = InProcess(served[0].url, USERS[0][0], PASSWORD)
        for index, endpoint in enumerate(served[-1].endpoints):
            if args.only and not any(part in endpoint.label for part in args.only.split(",")):
                continue
            results, hello_times = measure(index, served, hello, hello_url, args.runs,
                                           args.warmup, counter)
            floor += hello_times
            if served[0].in_process:
                results[0].replay = served[0].in_process.replay(endpoint.send, next(counter),
                                                                args.runs)
            if args.throughput and not growth:
                throughput(endpoint, served[0].sessions, args.runs, counter, results[0])
            rows.append((endpoint, results))
            line = "  ".join(f"{t.name}: {ms(r.median)} / {ms(r.p95)} ms"
                             for t, r in zip(served, results, strict=True))
            print(f"  {endpoint.label:56} {line}  {size_text(results[-1].size)}", flush=True)
    finally:
        for target in served:
            stop(target.server)
        stop(hello_server)
    load_end = os.getloadavg()
    print(f"\nn={args.runs} per endpoint after {args.warmup} warm-up, {args.workers} gunicorn "
          f"sync workers; \"hello\" timed once after each round. Load average (1/5/15 min) at "
          f"start {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f}, at end "
          f"{load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f}; finished "
          f"{datetime.now(UTC):%H:%M} UTC.")
    if growth:
        table_growth(served, rows, floor)
        return
    single = [(endpoint, results[0]) for endpoint, results in rows]
    table_one(served[0], single, floor)
    missed = [(e, r) for e, r in single if verdict(e, r) != "ok" and r.p95 >= e.target]
    print("\nAll targets met." if not missed else
          "\n" + "\n".join(f"MISSED {e.label}: p95 {r.p95:.0f} ms vs {e.target} ms "
                           f"({r.p95 / e.target:.1f}x)" for e, r in missed))
    if args.profile and missed:
        in_process = served[0].in_process or InProcess(served[0].url, USERS[0][0], PASSWORD)
        for endpoint, _r in missed:
            in_process.profile(endpoint.label, endpoint.send, next(counter), args.top)
    if served[0].in_process:
        served[0].in_process.close()


if __name__ == "__main__":
    main()
