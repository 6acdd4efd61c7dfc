"""Benchmark: a busy sourcing team's day-to-day pages, the call-log submit and Twilio webhooks.

Builds a fresh database (a temp SQLite file by default, or --database-url, whose tables are
dropped and recreated: point it at a database of its own) holding a year of a busy team's work:
5 recruiters, 500 companies (one much busier than the rest), 20,000 people in reporting
hierarchies (gatekeepers, empty boxes, leavers), 50,000 calls with outcomes, notes, linked
people and follow-ups (some due today or overdue for the bench recruiter), reporting links with
their provenance, and a few thousand Twilio status events. Rows go in with bulk inserts.

Then it times each endpoint through the Flask test client (server time: routing, queries and
rendering, no network), signed in as a recruiter, N runs after warm-up, and prints median and
p95 against the targets: the call-log submit p95 under 50 ms, every other request under 200 ms.
Each submit logs a call with three new names (unique per run: one reports to an existing person,
one to another row); each Twilio status callback carries a valid signature and a new event, so
it is applied rather than deduplicated. With --profile (or for any endpoint over its target) it
profiles one request and prints the hotspots.

    .venv/bin/python bench/call_log.py
    .venv/bin/python bench/call_log.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_calllog

Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The same names, titles and status mix as the org-chart bench (both run from bench/).
from org_chart import DEPARTMENTS, FIRST, LAST, PASSWORD, STATUSES, TITLES  # noqa: E402
from sqlalchemy import bindparam, event, func, insert, select, text, update  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.service import issue_token  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Call,
    Company,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    ReportingLink,
    Role,
    TwilioEvent,
    User,
    call_person,
)

SUBMIT_TARGET_MS = 50
PAGE_TARGET_MS = 200
USER_TZ = "America/New_York"
TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "b" * 32, "TWILIO_AUTH_TOKEN": "bench-auth-token",
          "PUBLIC_BASE_URL": "https://switchboard.bench.example"}
USERS = [("bench@example.com", "Bench Recruiter", Role.RECRUITER),
         ("admin@example.com", "Ada Admin", Role.ADMIN),
         ("sam@example.com", "Sam Sourcer", Role.RECRUITER),
         ("rio@example.com", "Rio Recruiter", Role.RECRUITER),
         ("kim@example.com", "Kim Caller", Role.RECRUITER)]
USER_WEIGHTS = [30, 10, 20, 20, 20]
PREFIX = ["Acme", "Apex", "Blue", "Bright", "Cedar", "Crest", "Delta", "Echo", "Evergreen",
          "Falcon", "Granite", "Harbor", "Iron", "Juniper", "Keystone", "Lumen", "Maple",
          "Meridian", "North", "Nova", "Oak", "Orion", "Pioneer", "Quantum", "River", "Summit",
          "Terra", "Vertex", "Willow", "Zenith"]
CORE = ["Bio", "Data", "Freight", "Health", "Labs", "Logic", "Media", "Metals", "Motors",
        "Networks", "Pharma", "Power", "Retail", "Robotics", "Software", "Systems", "Foods",
        "Capital", "Energy", "Air"]
SUFFIX = ["Inc", "Group", "Holdings", "LLC", "Corp", "Partners"]
INDUSTRIES = ["Biotech", "Software", "Logistics", "Retail", "Manufacturing", "Finance",
              "Healthcare", "Energy", "Media", "Telecom"]
CITIES = [("New York, NY", "212", "America/New_York", "US"),
          ("Austin, TX", "512", "America/Chicago", "US"),
          ("Chicago, IL", "312", "America/Chicago", "US"),
          ("Boston, MA", "617", "America/New_York", "US"),
          ("Denver, CO", "303", "America/Denver", "US"),
          ("Seattle, WA", "206", "America/Los_Angeles", "US"),
          ("Atlanta, GA", "404", "America/New_York", "US"),
          ("San Jose, CA", "408", "America/Los_Angeles", "US"),
          ("Toronto, ON", "416", "America/Toronto", "CA")]
OUTCOMES = [(Outcome.NO_ANSWER, 25), (Outcome.VOICEMAIL, 20), (Outcome.GATEKEEPER, 20),
            (Outcome.CONNECTED, 12), (Outcome.REFERRAL, 5), (Outcome.BUSY, 4),
            (Outcome.WRONG_NUMBER, 3), (Outcome.BAD_NUMBER, 2), (Outcome.NOT_INTERESTED, 4),
            (Outcome.CALL_BACK, 5)]
HUMAN = {Outcome.CONNECTED, Outcome.REFERRAL, Outcome.NOT_INTERESTED, Outcome.CALL_BACK}
FOLLOW_UP_OUTCOMES = {Outcome.GATEKEEPER, Outcome.VOICEMAIL, Outcome.CALL_BACK, Outcome.REFERRAL}
NOTES = ["Receptionist put me through to voicemail; try before 9am.",
         "Asked for the VP Engineering by name; she is in meetings all week.",
         "Gatekeeper would not confirm the reporting line, but mentioned the platform team.",
         "Spoke briefly: interested in a chat next quarter, send details by email.",
         "Wrong extension: the directory lists the old sales floor.",
         "Referred to the head of data, who owns hiring for the ML group."]
TWILIO_STEPS = [("initiated", None), ("ringing", None), ("in-progress", None),
                ("completed", "47")]


def company_sizes(rng: random.Random, companies: int, people: int, busiest: int) -> list[int]:
    """People per company: one very busy company, then a long tail (at least 5 each)."""
    weights = [1 / (rank ** 0.8) for rank in range(2, companies + 1)]
    rest = people - busiest
    sizes = [max(5, round(rest * w / sum(weights))) for w in weights]
    sizes[0] += rest - sum(sizes)  # rounding goes to the second-busiest
    return [busiest] + sizes


def build_companies(rng: random.Random, count: int, now: datetime) -> list[dict]:
    names = rng.sample([(p, c) for p in PREFIX for c in CORE], count)
    rows = []
    for i, (prefix, core) in enumerate(names, start=1):
        city, area, tz, country = rng.choice(CITIES)
        rows.append({
            "id": i, "name": f"{prefix} {core} {rng.choice(SUFFIX)}",
            "domain": f"{prefix}{core}.example".lower(), "country": country,
            "main_phone": f"+1{area}555{i % 10000:04d}", "location": city, "timezone": tz,
            "industry": "Biotech" if core in ("Bio", "Pharma") else rng.choice(INDUSTRIES),
            "off_limits": rng.random() < 0.02, "created_by_id": rng.randint(1, len(USERS)),
            "created_at": now - timedelta(days=rng.randint(1, 400)), "updated_at": now})
    return rows


def build_people(rng: random.Random, sizes: list[int], now: datetime) -> list[dict]:
    """Each company: a CEO, a tree where everyone reports to someone hired earlier, 1-2
    gatekeepers, ~8% empty boxes, ~3% leavers and ~3% whose manager is not known."""
    statuses, weights = zip(*STATUSES, strict=True)
    rows: list[dict] = []
    for company_id, size in enumerate(sizes, start=1):
        first_id = len(rows) + 1
        depth: dict[int, int] = {}
        for j in range(size):
            ident = first_id + j
            gatekeeper = j in (1, 2) and (j == 1 or size > 200)
            manager = None
            if j > 0 and not gatekeeper and rng.random() > 0.03:
                manager = first_id + rng.randint((j - 1) // 7, (j - 1) // 4)
                while manager - first_id in (1, 2):  # nobody reports to the receptionist
                    manager -= 1
            depth[ident] = depth[manager] + 1 if manager else (0 if j == 0 else 3)
            level = min(depth[ident], len(TITLES) - 1)
            department = DEPARTMENTS[j % len(DEPARTMENTS)] if level else None
            placeholder = level > 0 and not gatekeeper and rng.random() < 0.08
            rows.append({
                "id": ident, "company_id": company_id, "reports_to_id": manager,
                "full_name": None if placeholder else
                f"{rng.choice(FIRST)} {rng.choice(LAST)} {ident}",
                "placeholder": placeholder,
                "title": "Receptionist" if gatekeeper else f"{TITLES[level]} {department or ''}"
                .strip(),
                "department": department,
                "role": PersonRole.GATEKEEPER if gatekeeper else (
                    PersonRole.HIRING_MANAGER if 0 < level < 4 and rng.random() < 0.2
                    else PersonRole.OTHER),
                "status": PersonStatus.UNCOVERED if placeholder else
                rng.choices(statuses, weights)[0],
                "direct_phone": f"+1212555{ident % 10000:04d}" if rng.random() < 0.3 else None,
                "extension": str(1000 + j) if rng.random() < 0.3 else None,
                "email": f"p{ident}@bench.example" if rng.random() < 0.4 else None,
                "left_at": now - timedelta(days=rng.randint(1, 300))
                if level > 1 and not placeholder and rng.random() < 0.03 else None,
                "created_by_id": rng.randint(1, len(USERS)),
                "created_at": now - timedelta(days=rng.randint(1, 365)), "updated_at": now})
    return rows


def build_calls(rng: random.Random, count: int, companies: list[dict], people: list[dict],
                busiest_share: float, now: datetime) -> list[dict]:
    by_company: dict[int, list[dict]] = defaultdict(list)
    for p in people:
        by_company[p["company_id"]].append(p)
    named_at = {cid: [p for p in staff[3:] if not p["placeholder"]] or staff
                for cid, staff in by_company.items()}
    weights = [len(by_company[c["id"]]) for c in companies]
    weights[0] = sum(weights[1:]) * busiest_share / (1 - busiest_share)
    outcomes, outcome_weights = zip(*OUTCOMES, strict=True)
    rows = []
    for call_id, company in enumerate(rng.choices(companies, weights, k=count), start=1):
        staff, named = by_company[company["id"]], named_at[company["id"]]
        outcome = rng.choices(outcomes, outcome_weights)[0]
        target = rng.choice(named) if rng.random() < 0.75 else None
        answered = None
        if outcome == Outcome.GATEKEEPER:
            answered = staff[1] if len(staff) > 1 else None
        elif outcome in HUMAN:
            answered = target or rng.choice(named)
        started = now - timedelta(minutes=rng.randint(10, 365 * 24 * 60))
        row = {
            "id": call_id, "user_id": rng.choices(range(1, len(USERS) + 1), USER_WEIGHTS)[0],
            "company_id": company["id"], "person_id": target["id"] if target else None,
            "answered_by_id": answered["id"] if answered else None, "outcome": outcome,
            "to_number": (target or {}).get("direct_phone") or company["main_phone"],
            "notes": rng.choice(NOTES) if rng.random() < 0.5 else None,
            "started_at": started, "duration_seconds": rng.randint(5, 900),
            "follow_up_at": None, "follow_up_note": None, "follow_up_done_at": None,
            "dialed_via": None, "twilio_call_sid": None, "twilio_status": None,
            "twilio_sequence": None, "twilio_status_at": None,
            "created_at": started, "updated_at": started}
        if outcome in FOLLOW_UP_OUTCOMES and rng.random() < 0.15:
            due = started + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
            row["follow_up_at"], row["follow_up_note"] = due, "Try again for the hiring manager"
            if due < now and rng.random() < 0.97:
                row["follow_up_done_at"] = min(due + timedelta(hours=rng.randint(1, 48)), now)
        if started > now - timedelta(days=90) and rng.random() < 0.25:
            row.update(dialed_via="browser", twilio_call_sid=f"CA{call_id:032x}",
                       twilio_status="completed", twilio_sequence=3,
                       twilio_status_at=started + timedelta(seconds=row["duration_seconds"]))
        rows.append(row)
    # The bench recruiter's day: a dozen follow-ups due today, on top of the overdue ones.
    mine = sorted((r for r in rows if r["user_id"] == 1 and r["follow_up_at"] is None),
                  key=lambda r: r["started_at"], reverse=True)[:12]
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for r in mine:
        r["follow_up_at"] = today + timedelta(hours=rng.randint(0, 23))
        r["follow_up_note"] = "Call back as promised"
    return rows


def twilio_event_rows(calls: list[dict], call_ids: list[int], now: datetime) -> list[dict]:
    rows = []
    for call_id in call_ids:
        call = calls[call_id - 1]
        for seq, (status, duration) in enumerate(TWILIO_STEPS):
            payload = {"CallSid": f"CA{call_id:032x}", "CallStatus": status,
                       "SequenceNumber": str(seq), "Timestamp": format_datetime(
                           call["started_at"] + timedelta(seconds=seq * 5))}
            if duration:
                payload["CallDuration"] = duration
            rows.append({
                "call_id": call_id, "kind": "status", "call_sid": payload["CallSid"],
                "fingerprint": hashlib.sha256(f"seed:{call_id}:{seq}".encode()).hexdigest(),
                "payload": payload | {"_leg": "target"}, "applied": True,
                "received_at": call["started_at"] + timedelta(seconds=seq * 5)})
    return rows


def seed(rng: random.Random, args: argparse.Namespace) -> dict:
    """Fill the (empty) schema; returns the ids and counts the timing needs."""
    now = datetime.now(UTC)
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.execute(insert(User), [
        {"id": i, "email": email, "name": name, "role": role, "password_hash": password,
         "timezone": USER_TZ, "active": True, "created_at": now}
        for i, (email, name, role) in enumerate(USERS, start=1)])
    companies = build_companies(rng, args.companies, now)
    db.session.execute(insert(Company), companies)
    people = build_people(rng, company_sizes(rng, args.companies, args.people, args.busiest), now)
    db.session.execute(insert(Person), people)
    calls = build_calls(rng, args.calls, companies, people, 0.1, now)
    db.session.execute(insert(Call), calls)

    # Provenance: ~60% of people were uncovered on a call at their company.
    calls_at: dict[int, list[int]] = defaultdict(list)
    for c in calls:
        calls_at[c["company_id"]].append(c["id"])
    source = {p["id"]: rng.choice(calls_at[p["company_id"]]) for p in people
              if calls_at[p["company_id"]] and rng.random() < 0.6}
    person_table = Person.__table__
    db.session.execute(update(person_table).where(person_table.c.id == bindparam("pid"))
                       .values(source_call_id=bindparam("call")),
                       [{"pid": pid, "call": cid} for pid, cid in source.items()])
    links = set()
    for c in calls:
        for key in ("person_id", "answered_by_id"):
            if c[key]:
                links.add((c["id"], c[key]))
    links.update((cid, pid) for pid, cid in source.items())
    db.session.execute(insert(call_person), [{"call_id": c, "person_id": p}
                                             for c, p in sorted(links)])
    # One reporting link per managed person (from the call that uncovered them), 3% conflicting.
    managed = [p for p in people if p["reports_to_id"]]
    report_rows = [{"person_id": p["id"], "manager_id": p["reports_to_id"],
                    "source_call_id": source.get(p["id"]),
                    "told_by_id": calls[source[p["id"]] - 1]["answered_by_id"]
                    if p["id"] in source else None,
                    "reported_by_id": p["created_by_id"], "reported_at": p["created_at"]}
                   for p in managed]
    for p in rng.sample(managed, len(managed) * 3 // 100):
        colleague = people[p["reports_to_id"] - 1]["reports_to_id"] or p["reports_to_id"]
        report_rows.append({"person_id": p["id"], "manager_id": colleague,
                            "source_call_id": source.get(p["id"]), "told_by_id": None,
                            "reported_by_id": rng.randint(1, len(USERS)), "reported_at": now})
    db.session.execute(insert(ReportingLink), report_rows)

    twilio_calls = [c["id"] for c in calls if c["twilio_call_sid"]]
    events = twilio_event_rows(calls, twilio_calls[:args.twilio_events // len(TWILIO_STEPS)], now)
    if events:
        db.session.execute(insert(TwilioEvent), events)

    # Live Twilio calls of the bench recruiter, one per four status callbacks timed.
    busiest = companies[0]
    live_ids = list(range(len(calls) + 1, len(calls) + 1 + args.runs + args.warmup + 4))
    db.session.execute(insert(Call), [{
        "id": i, "user_id": 1, "company_id": busiest["id"], "to_number": busiest["main_phone"],
        "started_at": now, "dialed_via": "browser", "twilio_call_sid": f"CA{i:032x}",
        "twilio_status": "initiated", "created_at": now, "updated_at": now} for i in live_ids])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("user", "company", "person", "call"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"(SELECT max(id) FROM \"{table}\"))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()

    # The person with the most calls (target, answerer or linked), and a manager to report to.
    touched = select(call_person.c.person_id, func.count().label("n")).group_by(
        call_person.c.person_id).order_by(func.count().desc()).limit(1)
    busy_person, busy_calls = db.session.execute(touched).one()
    staff = [p for p in people if p["company_id"] == busiest["id"]]
    manager = next(p for p in staff if p["title"].startswith("Director") and p["full_name"])
    target = next(p for p in staff[10:] if p["full_name"] and not p["left_at"])
    open_due = sum(1 for c in calls if c["user_id"] == 1 and c["follow_up_at"] and
                   not c["follow_up_done_at"] and c["follow_up_at"] < now + timedelta(days=1))
    return {
        "counts": {"users": len(USERS), "companies": len(companies), "people": len(people),
                   "calls": len(calls) + len(live_ids), "call_person": len(links),
                   "reporting_links": len(report_rows), "twilio_events": len(events)},
        "company": busiest, "company_people": len(staff),
        "company_calls": len(calls_at[busiest["id"]]), "busy_person": busy_person,
        "busy_calls": busy_calls, "manager": manager["id"], "target": target["id"],
        "live_calls": live_ids, "open_due": open_due}


class QueryCounter:
    """Counts the SQL statements a request sends."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._hit)

    def _hit(self, *_args):
        self.count += 1


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(send, expected: int, runs: int, warmup: int, counter: QueryCounter, state: dict):
    """Run `send(i)` warmup + runs times (i unique across the whole bench); time the runs."""
    for _ in range(warmup):
        response = send(state["i"])
        state["i"] += 1
        check(response, expected)
    times, queries = [], []
    for _ in range(runs):
        counter.count = 0
        start = time.perf_counter()
        response = send(state["i"])
        body = response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count)
        state["i"] += 1
        check(response, expected)
    return times, statistics.median(queries), len(body)


def check(response, expected: int) -> None:
    if response.status_code != expected:
        raise SystemExit(f"{response.request.method} {response.request.path}: "
                         f"{response.status_code}, expected {expected}\n"
                         f"{response.get_data(as_text=True)[:2000]}")


def where(code, jinja_env) -> str:
    """file:line(function), shortened; a template's line is its own, not its compiled module's."""
    path, line, function = code
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    path = path.removeprefix(str(ROOT) + "/")
    if path.startswith("app/templates/") and path.endswith(".html"):
        template = jinja_env.get_template(path.removeprefix("app/templates/"))
        line = template.get_corresponding_lineno(line)
    return f"{path}:{line}({function})"


def profile(send, i: int, top: int, jinja_env) -> str:
    """Hotspots of one request: app code by cumulative time, then everything by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    send(i).get_data()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = max(cum for _cc, _nc, _tt, cum, _callers in stats.values())
    ours = sorted(((cum, nc, k) for k, (_cc, nc, _tt, cum, _c) in stats.items()
                   if k[0].startswith(str(ROOT / "app"))), reverse=True)[:top]
    own = sorted(((tt, nc, k) for k, (_cc, nc, tt, _cum, _c) in stats.items()),
                 reverse=True)[:top]
    lines = [f"  profiled request: {total * 1000:.0f} ms under cProfile",
             "  app code by cumulative time:"]
    lines += [f"    {cum * 1000:8.1f} ms {calls:7d}x  {where(k, jinja_env)}"
              for cum, calls, k in ours]
    lines.append("  everything by own time:")
    lines += [f"    {tt * 1000:8.1f} ms {calls:7d}x  {where(k, jinja_env)}"
              for tt, calls, k in own]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="database to fill (its tables are dropped!)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--companies", type=int, default=500)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--busiest", type=int, default=2_000,
                        help="people at the busiest company (it gets 10%% of the calls)")
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--twilio-events", type=int, default=4_000)
    parser.add_argument("--query", default="bio", help="search term for /companies/?q=")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=15, help="hotspot lines per profile")
    parser.add_argument("--profile", action="store_true",
                        help="profile every endpoint, not only those over their target")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                          "SECRET_KEY": "bench", "DEFAULT_COUNTRY": "US", **TWILIO})
        with app.app_context():
            db.drop_all()
            db.create_all()
            start = time.perf_counter()
            data = seed(random.Random(args.seed), args)
            seeded = time.perf_counter() - start
            token = issue_token(db.session.get(User, 1))
            counter = QueryCounter(db.engine)
            db.session.remove()
        company = data["company"]
        print(f"database: {url.split(':')[0]}  seeded in {seeded:.1f}s: "
              + ", ".join(f"{v:,} {k}" for k, v in data["counts"].items()))
        print(f"busiest company {company['id']} ({company['name']}): {data['company_people']:,} "
              f"people, {data['company_calls']:,} calls; person {data['busy_person']} touched by "
              f"{data['busy_calls']:,} calls; bench recruiter has {data['open_due']} follow-ups "
              "due today or overdue")

        client = app.test_client()
        check(client.post("/login", data={"email": USERS[0][0], "password": PASSWORD}), 302)
        api = {"Authorization": f"Bearer {token}"}
        since = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
        validator = RequestValidator(TWILIO["TWILIO_AUTH_TOKEN"])

        def get(path, headers=None):
            return lambda _i: client.get(path, headers=headers or {})

        def submit(i):
            stamp = datetime.now(ZoneInfo(USER_TZ)).strftime("%Y-%m-%dT%H:%M")
            form = {"company_id": company["id"], "person_id": data["target"], "answered_by": "",
                    "outcome": "connected", "to_number": company["main_phone"],
                    "started_at": stamp, "duration": "4:35", "notes": NOTES[i % len(NOTES)],
                    "follow_up_at": "", "follow_up_note": ""}
            for row, (title, manager) in enumerate([
                    ("Director Platform", data["manager"]), ("Engineering Manager", "row:0"),
                    ("Recruiting Coordinator", "")]):
                form |= {f"people-{row}-full_name": f"Bench Name {i}-{row}",
                         f"people-{row}-title": title, f"people-{row}-department": "Engineering",
                         f"people-{row}-reports_to": str(manager), f"people-{row}-role": "other"}
            return client.post("/calls/new", data=form)

        def twilio_status(i):
            call_id = data["live_calls"][i // len(TWILIO_STEPS) % len(data["live_calls"])]
            seq = i % len(TWILIO_STEPS)
            status, duration = TWILIO_STEPS[seq]
            form = {"AccountSid": TWILIO["TWILIO_ACCOUNT_SID"],
                    "CallSid": f"CA{call_id + 10**9:032x}",
                    "ParentCallSid": f"CA{call_id:032x}", "CallStatus": status,
                    "SequenceNumber": str(seq), "Direction": "outbound-dial",
                    "Timestamp": format_datetime(datetime.now(UTC)), "To": company["main_phone"],
                    "ApiVersion": "2010-04-01"} | ({"CallDuration": duration} if duration else {})
            path = f"/twilio/status?call_id={call_id}&leg=target"
            signature = validator.compute_signature(TWILIO["PUBLIC_BASE_URL"] + path, form)
            return client.post(path, data=form, headers={"X-Twilio-Signature": signature})

        endpoints = [
            ("GET  / (Today)", get("/"), 200, PAGE_TARGET_MS),
            ("GET  /companies/", get("/companies/"), 200, PAGE_TARGET_MS),
            (f"GET  /companies/?q={args.query}", get(f"/companies/?q={args.query}"), 200,
             PAGE_TARGET_MS),
            (f"GET  /companies/{company['id']}", get(f"/companies/{company['id']}"), 200,
             PAGE_TARGET_MS),
            (f"GET  /people/{data['busy_person']}", get(f"/people/{data['busy_person']}"), 200,
             PAGE_TARGET_MS),
            ("GET  /calls/", get("/calls/"), 200, PAGE_TARGET_MS),
            ("GET  /calls/?company&outcome&date_from",
             get(f"/calls/?company={company['id']}&outcome=connected&date_from={since}"), 200,
             PAGE_TARGET_MS),
            ("POST /calls/new (call-log submit)", submit, 302, SUBMIT_TARGET_MS),
            (f"GET  /calls/new?person_id={data['busy_person']}",
             get(f"/calls/new?person_id={data['busy_person']}"), 200, PAGE_TARGET_MS),
            ("POST /twilio/status (signed)", twilio_status, 204, PAGE_TARGET_MS),
            (f"GET  /api/v1/calls?company_id={company['id']}",
             get(f"/api/v1/calls?company_id={company['id']}", api), 200, PAGE_TARGET_MS),
        ]
        state = {"i": 0}
        header = (f"{'endpoint':44} {'median ms':>10} {'p95 ms':>8} {'target':>7} {'queries':>8}"
                  f" {'size':>8}")
        print(f"\n{header}  (n={args.runs} after {args.warmup} warm-up)")
        missed = []
        for label, send, expected, target in endpoints:
            times, queries, size = timed(send, expected, args.runs, args.warmup, counter, state)
            median, worst = statistics.median(times), p95(times)
            ok = worst < target
            print(f"{label:44} {median:10.1f} {worst:8.1f} {target:7d} {queries:8.0f} "
                  f"{size / 1024:6.0f}kB  {'ok' if ok else 'MISSED'}")
            if not ok:
                missed.append((label, send, worst, target))
        print()
        for label, _send, worst, target in missed:
            print(f"MISSED {label}: p95 {worst:.1f} ms vs target {target} ms "
                  f"(+{worst - target:.1f} ms, {worst / target:.1f}x)")
        if not missed:
            print("All targets met.")
        to_profile = [(label, send) for label, send, _e, _t in endpoints] if args.profile else [
            (label, send) for label, send, _w, _t in missed]
        for label, send in to_profile:
            print(f"\nprofile: {label}")
            print(profile(send, state["i"], args.top, app.jinja_env))
            state["i"] += 1
        with app.app_context():
            db.session.remove()
            if args.database_url is None:
                db.engine.dispose()


if __name__ == "__main__":
    main()
