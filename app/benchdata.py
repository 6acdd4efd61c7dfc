"""A busy sourcing team's year, generated fast for benchmarks: `flask seed-bench`.

Deterministic (one `random.Random(seed)` drives everything; timestamps are relative to the current
hour), and fast: rows are built as plain dicts and written with Core `insert()` executemany in
batches inside one transaction per phase, never as ORM objects. Ids are assigned here, so
relationships are computed in Python without reading anything back. The search index, which the
ORM hook would otherwise keep in step, is rebuilt at the end with `rebuild_index`.

What it writes (for --companies C --people P --calls N):
- 10 recruiters (the first, bench@example.com, is the one benchmarks sign in as; the last, the
  team lead, is an admin), all with the same password.
- C companies of very uneven size (a power law: company 1 is the largest, each has at least 3).
- P people: per company a CEO, a receptionist (and an executive assistant at larger ones), and a
  reporting tree (4-7 reports per manager) whose branches are departments; titles follow level
  and department (VP / Director / Manager / individual contributors, some interns); ~7% empty
  boxes (placeholders), ~3% leavers, ~2% whose manager is unknown; statuses and roles mixed.
- N calls over the past year's weekdays, in time order, 10 recruiters each mostly calling "their"
  companies; a realistic outcome mix; notes built from word lists on most conversations; links to
  the people touched (target, whoever answered, names uncovered); follow-ups, mostly kept.
- People's provenance (the first call that touched them), one reporting link per managed person
  (3% more that disagree), and touchpoints (emails, LinkedIn messages, meetings).
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import Connection, func, insert, inspect, select, text, update
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.metrics.rollup import rebuild as rebuild_rollups
from app.models import (
    Call,
    Company,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    ReportingLink,
    Role,
    SearchEntry,
    Touchpoint,
    TouchpointKind,
    User,
    call_person,
)
from app.models.person import person_name_key
from app.search.engine import create_engine_objects, drop_engine_objects
from app.search.index import rebuild_index

BATCH = 10_000
PASSWORD = "bench-password-123"
USER_TZ = "America/New_York"
USERS = [("bench@example.com", "Bea Bench"), ("sam@example.com", "Sam Sourcer"),
         ("rio@example.com", "Rio Recruiter"), ("kim@example.com", "Kim Caller"),
         ("ola@example.com", "Ola Okafor"), ("max@example.com", "Max Moreau"),
         ("ivy@example.com", "Ivy Ivanova"), ("jon@example.com", "Jon Jensen"),
         ("una@example.com", "Una Ueda"), ("lead@example.com", "Lee Lead")]
USER_WEIGHTS = [14, 12, 12, 11, 10, 10, 9, 8, 8, 6]

PREFIX = ["Acme", "Apex", "Atlas", "Beacon", "Blue", "Bright", "Cedar", "Cobalt", "Crest",
          "Delta", "Echo", "Ember", "Evergreen", "Falcon", "Fern", "Granite", "Harbor", "Helix",
          "Horizon", "Iron", "Ivory", "Juniper", "Keystone", "Kite", "Lumen", "Maple", "Meridian",
          "Mosaic", "North", "Nova", "Oak", "Onyx", "Orion", "Pacific", "Pine", "Pioneer", "Prism",
          "Quantum", "Quartz", "Redwood", "River", "Sable", "Sierra", "Silver", "Spruce",
          "Summit", "Terra", "Tidal", "Union", "Vantage", "Vertex", "Vista", "Willow", "Zenith"]
CORE = ["Analytics", "Bio", "Capital", "Cloud", "Data", "Dynamics", "Energy", "Foods",
        "Freight", "Games", "Health", "Insurance", "Labs", "Logic", "Logistics", "Media",
        "Medical", "Metals", "Mobility", "Motors", "Networks", "Pharma", "Power", "Retail",
        "Robotics", "Security", "Software", "Solar", "Systems", "Telecom", "Therapeutics",
        "Air", "Materials", "Payments", "Realty", "Water"]
SUFFIX = ["Inc", "Group", "Holdings", "LLC", "Corp", "Partners", "Co", "International"]
INDUSTRY = {"Bio": "Biotech", "Pharma": "Biotech", "Therapeutics": "Biotech",
            "Medical": "Healthcare", "Health": "Healthcare", "Capital": "Finance",
            "Insurance": "Finance", "Payments": "Finance", "Software": "Software",
            "Cloud": "Software", "Data": "Software", "Analytics": "Software", "Games": "Media",
            "Media": "Media", "Telecom": "Telecom", "Networks": "Telecom", "Energy": "Energy",
            "Power": "Energy", "Solar": "Energy", "Water": "Energy", "Freight": "Logistics",
            "Logistics": "Logistics", "Mobility": "Logistics", "Retail": "Retail",
            "Foods": "Retail", "Realty": "Real estate"}
CITIES = [("New York, NY", "212", "America/New_York", "US"),
          ("Austin, TX", "512", "America/Chicago", "US"),
          ("Chicago, IL", "312", "America/Chicago", "US"),
          ("Boston, MA", "617", "America/New_York", "US"),
          ("Denver, CO", "303", "America/Denver", "US"),
          ("Seattle, WA", "206", "America/Los_Angeles", "US"),
          ("Atlanta, GA", "404", "America/New_York", "US"),
          ("San Jose, CA", "408", "America/Los_Angeles", "US"),
          ("Miami, FL", "305", "America/New_York", "US"),
          ("Toronto, ON", "416", "America/Toronto", "CA")]
EMAIL_PATTERNS = ["{first}.{last}@{domain}", "{f}{last}@{domain}", "{first}@{domain}",
                  "{first}_{last}@{domain}"]
FIRST = ["Aaron", "Abigail", "Adam", "Aisha", "Alan", "Alice", "Amara", "Ana", "Andre", "Anya",
         "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Daniel", "Dana", "Deepa", "Diego", "Elena",
         "Eli", "Emma", "Farah", "Felix", "Fiona", "Gabriel", "Grace", "Hana", "Hassan", "Ines",
         "Isaac", "Ivan", "Jack", "Jia", "Jonas", "Julia", "Kai", "Karen", "Kenji", "Laura",
         "Leo", "Lina", "Lucas", "Maria", "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Noah",
         "Nora", "Olga", "Omar", "Paul", "Priya", "Rafael", "Rachel", "Ravi", "Rosa", "Sam",
         "Sara", "Sofia", "Stefan", "Tariq", "Tom", "Uma", "Victor", "Wei", "Yara", "Zoe"]
LAST = ["Abbott", "Adeyemi", "Alvarez", "Anderson", "Bauer", "Brandt", "Brown", "Castillo",
        "Chen", "Cohen", "Costa", "Dubois", "Eriksen", "Evans", "Fischer", "Fujita", "Garcia",
        "Gupta", "Haddad", "Hansen", "Hughes", "Ivanova", "Jensen", "Johnson", "Kaur", "Kim",
        "Kowalski", "Lee", "Lindqvist", "Lopez", "Martin", "Mehta", "Moreau", "Murphy",
        "Nakamura", "Nguyen", "Novak", "Okafor", "O'Brien", "Patel", "Petrov", "Quinn", "Reyes",
        "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Sullivan", "Tanaka", "Taylor",
        "Ueda", "Varga", "Wagner", "Walsh", "Wang", "Weber", "Williams", "Wright", "Xu",
        "Yamamoto", "Yilmaz", "Zhang", "Zhou"]
DEPARTMENTS = ["Engineering", "Sales", "Finance", "Marketing", "Product", "Operations", "People",
               "Legal"]
CHIEF = {"Engineering": "Chief Technology Officer", "Sales": "Chief Revenue Officer",
         "Finance": "Chief Financial Officer", "Marketing": "Chief Marketing Officer",
         "Product": "Chief Product Officer", "Operations": "Chief Operating Officer",
         "People": "Chief People Officer", "Legal": "General Counsel"}
IC_TITLES = {
    "Engineering": ["Software Engineer", "Senior Software Engineer", "Staff Engineer",
                    "DevOps Engineer", "Data Engineer", "QA Engineer", "Security Engineer",
                    "Engineering Intern"],
    "Sales": ["Account Executive", "Senior Account Executive", "Sales Development Representative",
              "Sales Engineer", "Account Manager", "Sales Intern"],
    "Finance": ["Financial Analyst", "Senior Financial Analyst", "Accountant",
                "Senior Accountant", "FP&A Analyst", "Controller", "Payroll Specialist",
                "Finance Intern"],
    "Marketing": ["Marketing Manager", "Content Strategist", "Growth Analyst",
                  "Brand Designer", "Marketing Intern"],
    "Product": ["Product Manager", "Senior Product Manager", "Product Designer",
                "UX Researcher", "Product Intern"],
    "Operations": ["Operations Analyst", "Program Manager", "Supply Chain Analyst",
                   "Facilities Coordinator", "Operations Intern"],
    "People": ["Recruiter", "HR Business Partner", "People Operations Specialist",
               "Talent Acquisition Partner", "HR Intern"],
    "Legal": ["Counsel", "Senior Counsel", "Paralegal", "Contracts Manager", "Legal Intern"],
}
STATUSES = [(PersonStatus.UNCOVERED, 48), (PersonStatus.VERIFIED, 22),
            (PersonStatus.CONTACTED, 15), (PersonStatus.CANDIDATE, 5),
            (PersonStatus.NOT_INTERESTED, 7), (PersonStatus.DO_NOT_CALL, 3)]
OUTCOMES = [(Outcome.NO_ANSWER, 28), (Outcome.VOICEMAIL, 22), (Outcome.GATEKEEPER, 18),
            (Outcome.CONNECTED, 12), (Outcome.REFERRAL, 4), (Outcome.BUSY, 4),
            (Outcome.WRONG_NUMBER, 3), (Outcome.BAD_NUMBER, 2), (Outcome.NOT_INTERESTED, 4),
            (Outcome.CALL_BACK, 3)]
TALKED = {Outcome.CONNECTED, Outcome.REFERRAL, Outcome.NOT_INTERESTED, Outcome.CALL_BACK}
FOLLOW_UP = {Outcome.GATEKEEPER: 0.25, Outcome.VOICEMAIL: 0.15, Outcome.CALL_BACK: 0.9,
             Outcome.REFERRAL: 0.5, Outcome.CONNECTED: 0.3}
DURATION = {Outcome.NO_ANSWER: (15, 45), Outcome.BUSY: (3, 10), Outcome.VOICEMAIL: (30, 90),
            Outcome.WRONG_NUMBER: (10, 40), Outcome.BAD_NUMBER: (2, 8),
            Outcome.GATEKEEPER: (40, 300)}

# Word lists for notes: enough vocabulary that full-text search has something real to find.
TOPICS = ["kubernetes migration", "payroll system", "quarterly forecasting", "SOX compliance",
          "data platform", "ERP rollout", "cloud budget", "reorg", "acquisition", "audit",
          "pricing overhaul", "procurement", "cybersecurity program", "treasury",
          "analytics team", "machine learning", "mobile app", "supply chain", "revenue operations",
          "customer success", "IPO readiness", "office move", "Salesforce rollout",
          "warehouse automation", "clinical trials", "billing platform"]
WANTED = ["staff engineer", "controller", "finance director", "product manager",
          "data scientist", "sales engineer", "vice president of finance", "security engineer",
          "account executive", "recruiter", "engineering manager", "head of treasury",
          "director of operations", "platform engineer", "chief of staff"]
EVENTS = ["board meeting", "quarter close", "offsite", "product launch", "holidays", "audit",
          "budget review", "reorg announcement", "trade show"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
SENTENCES = {
    "gatekeeper": ["Receptionist would not put me through without a name.",
                   "Front desk confirmed {first} still works in {dept}.",
                   "Assistant screened the call; {first} is travelling until the {event}.",
                   "Switchboard gave me the {dept} extension but no names.",
                   "Gatekeeper mentioned the {topic} team is growing."],
    "talk": ["Spoke with {first} about the {topic}; reports to the head of {dept}.",
             "{first} confirmed {dept} is hiring a {wanted} before the {event}.",
             "Referred me to {first} in {dept}, who owns the {topic}.",
             "Happy in the role for now; revisit in {month}.",
             "Org chart: {n} people under the {dept} director, {m} open roles.",
             "Interested in a chat about a {wanted} role; send details by email.",
             "Budget for the {topic} approved; new {wanted} starts in {month}.",
             "Mentioned {first} left for a competitor after the {event}."],
    "missed": ["Left a voicemail about the {wanted} search.",
               "No answer on the direct line; try before 9am.",
               "Line busy twice; the main number goes to a phone tree.",
               "Number disconnected; check the directory.",
               "Wrong extension: the directory lists the old {dept} floor."],
}
FOLLOW_UP_NOTES = ["Call back as promised", "Try the direct line before 9am",
                   "Ask for the {dept} org chart", "Send the {wanted} brief first",
                   "Catch {first} after the {event}"]
PERSON_NOTES = ["Prefers email for first contact.", "Ran the {topic} before joining.",
                "Joined from a competitor in {month}.", "Speaks at {dept} meetups.",
                "Open to a {wanted} role next year.", "Manages the {topic} budget."]
TOUCH_NOTES = {TouchpointKind.EMAIL: ["Sent the {wanted} brief.", "Intro email about {topic}.",
                                      "Replied: busy until the {event}."],
               TouchpointKind.LINKEDIN: ["Connection request accepted.",
                                         "InMail about a {wanted} role.",
                                         "Liked the {topic} post; sent a note."],
               TouchpointKind.MEETING: ["Coffee near the office; talked {topic}.",
                                        "Met at the {event}.",
                                        "Video call about the {wanted} role."]}
TOUCH_KINDS = [(TouchpointKind.EMAIL, 50), (TouchpointKind.LINKEDIN, 40),
               (TouchpointKind.MEETING, 10)]


def _fill(rng: random.Random, template: str) -> str:
    if "{" not in template:
        return template
    return template.format(first=rng.choice(FIRST), dept=rng.choice(DEPARTMENTS),
                           topic=rng.choice(TOPICS), wanted=rng.choice(WANTED),
                           event=rng.choice(EVENTS), month=rng.choice(MONTHS),
                           n=rng.randint(4, 60), m=rng.randint(1, 8))


def _batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _write(conn: Connection, table, rows: Iterable[dict]) -> int:
    count = 0
    for batch in _batches(rows):
        conn.execute(insert(table), batch)
        count += len(batch)
    return count


def _sizes(companies: int, people: int) -> list[int]:
    """People per company: a power law, largest first, at least 3 each, summing to `people`."""
    weights = [rank ** -0.8 for rank in range(1, companies + 1)]
    total = sum(weights)
    floor = 3 if people >= 3 * companies else 1
    sizes = [max(floor, int(people * w / total)) for w in weights]
    sizes[0] += people - sum(sizes)
    if sizes[0] < floor:
        raise click.ClickException("too few people for that many companies")
    return sizes


class _Team:
    """What later phases need to know about the people, without keeping their rows."""

    def __init__(self) -> None:
        self.first: list[int] = []  # per company (index company_id - 1): first person id
        self.size: list[int] = []
        self.staff_from: list[int] = []  # offset of the first non-gatekeeper
        self.unusable = bytearray(1)  # per person id: 1 = placeholder or left (not a call target)
        self.manager: list[int | None] = [None]  # per person id


class BenchSeeder:
    def __init__(self, companies: int, people: int, calls: int, seed: int,
                 echo=click.echo) -> None:
        self.n_companies, self.n_people, self.n_calls = companies, people, calls
        self.rng = random.Random(seed)
        self.echo = echo
        # Relative to the current hour, so runs within an hour write identical rows.
        self.now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.team = _Team()
        self.companies: list[dict] = []
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    # -- phases -------------------------------------------------------------------------------

    def run(self) -> None:
        engine = db.engine
        for name, phase in (("users", self.users), ("companies", self.write_companies),
                            ("people", self.people), ("calls", self.calls),
                            ("provenance", self.provenance),
                            ("reporting links", self.reporting_links),
                            ("touchpoints", self.touchpoints), ("sequences", self.sequences),
                            ("search index", self.search_index),
                            ("metrics roll-ups", rebuild_rollups), ("analyze", self.analyze)):
            start = time.perf_counter()
            with engine.begin() as conn:
                count = phase(conn)
            self.timings[name] = elapsed = time.perf_counter() - start
            if count is not None:
                self.counts[name] = count
            self.echo(f"  {name:16} {elapsed:7.1f} s" + (f"  {count:,} rows" if count else ""))

    def users(self, conn: Connection) -> int:
        password = generate_password_hash(PASSWORD)
        rows = [{"id": i, "email": email, "name": name, "password_hash": password,
                 "role": Role.ADMIN if i == len(USERS) else Role.RECRUITER, "active": True,
                 "timezone": USER_TZ, "created_at": self.now - timedelta(days=400)}
                for i, (email, name) in enumerate(USERS, start=1)]
        return _write(conn, User, rows)

    def write_companies(self, conn: Connection) -> int:
        rng = self.rng
        combos = len(PREFIX) * len(CORE) * len(SUFFIX)
        picks = rng.sample(range(combos), min(combos, self.n_companies))
        picks += [rng.randrange(combos) for _ in range(self.n_companies - len(picks))]
        seen: dict[str, int] = {}
        for cid, pick in enumerate(picks, start=1):
            prefix, rest = divmod(pick, len(CORE) * len(SUFFIX))
            core, suffix = divmod(rest, len(SUFFIX))
            base = f"{PREFIX[prefix]} {CORE[core]}"
            name = f"{base} {SUFFIX[suffix]}"
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:  # beyond the combinations: a regional branch
                name += f" ({rng.choice(CITIES)[0].split(',')[0]} {seen[name]})"
            domain = f"{PREFIX[prefix]}{CORE[core]}{cid}.example".lower()
            city, area, tz, country = rng.choice(CITIES)
            self.companies.append({
                "id": cid, "name": name, "domain": domain, "country": country,
                "main_phone": f"+1{area}555{cid % 10000:04d}", "location": city, "timezone": tz,
                "industry": INDUSTRY.get(CORE[core], "Manufacturing"),
                "email_pattern": rng.choice(EMAIL_PATTERNS).replace("{domain}", domain),
                "off_limits": rng.random() < 0.02,
                "notes": _fill(rng, "Hiring for {wanted}; ask about the {topic}.")
                if rng.random() < 0.3 else None,
                "created_by_id": rng.randint(1, len(USERS)),
                "created_at": self.now - timedelta(days=rng.randint(200, 400)),
                "updated_at": self.now - timedelta(days=rng.randint(0, 200))})
        for company in self.companies:
            if company["off_limits"]:
                company["off_limits_reason"] = "Client: do not source"
            else:
                company["off_limits_reason"] = None
        return _write(conn, Company, self.companies)

    def people(self, conn: Connection) -> int:
        return _write(conn, Person, self._people_rows())

    def _people_rows(self) -> Iterator[dict]:
        rng, team, now = self.rng, self.team, self.now
        statuses, status_weights = zip(*STATUSES, strict=True)
        next_id = 1
        for company, size in zip(self.companies, _sizes(self.n_companies, self.n_people),
                                 strict=True):
            cid, first = company["id"], next_id
            team.first.append(first)
            team.size.append(size)
            gatekeepers = 1 + (size >= 40)
            gatekeepers = min(gatekeepers, size - 1)
            team.staff_from.append(1 + gatekeepers)
            pattern = company["email_pattern"]
            keys: set[str] = set()  # a random name drawn twice is a namesake, as the app stores it
            # Tree positions: managers come from earlier members, 4-7 reports each.
            tree: list[int] = []
            level: dict[int, int] = {}
            dept: dict[int, str | None] = {}
            for j in range(size):
                pid = first + j
                manager = None
                if j == 0:
                    level[pid], dept[pid], title = 0, "Executive", "Chief Executive Officer"
                    role = PersonRole.HIRING_MANAGER
                    tree.append(pid)
                elif j <= gatekeepers:
                    manager = first
                    level[pid], role = 9, PersonRole.GATEKEEPER
                    dept[pid], title = ("Operations", "Receptionist") if j == 1 else (
                        "Executive", "Executive Assistant to the CEO")
                else:
                    k = len(tree)  # the CEO is tree[0]: positions 1-7 report to them
                    if rng.random() < 0.02:  # manager unknown
                        level[pid], dept[pid] = 3, rng.choice(DEPARTMENTS)
                    else:
                        manager = tree[rng.randint((k - 1) // 7, (k - 1) // 4)]
                        level[pid] = level[manager] + 1
                        dept[pid] = dept[manager] if level[manager] else DEPARTMENTS[
                            (k - 1) % len(DEPARTMENTS)]
                    title = self._title(level[pid], dept[pid])
                    role = PersonRole.HIRING_MANAGER if 1 <= level[pid] <= 3 and (
                        rng.random() < 0.3) else (PersonRole.CANDIDATE if rng.random() < 0.05
                                                  else PersonRole.OTHER)
                    tree.append(pid)
                placeholder = 1 <= level[pid] <= 4 and j > gatekeepers and rng.random() < 0.07
                left = not placeholder and level[pid] >= 2 and rng.random() < 0.03
                team.unusable.append(1 if placeholder or left else 0)
                team.manager.append(manager)
                name = None if placeholder else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                key = person_name_key(name)
                namesake = key in keys
                if key:
                    keys.add(key)
                created = now - timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
                yield {
                    "id": pid, "company_id": cid, "full_name": name, "placeholder": placeholder,
                    "name_key": key, "namesake": namesake,
                    "title": title, "department": dept[pid], "reports_to_id": manager,
                    "direct_phone": f"+1{company['main_phone'][2:5]}555{pid % 10000:04d}"
                    if name and rng.random() < 0.3 else None,
                    "extension": str(100 + j) if rng.random() < 0.35 else None,
                    "mobile_phone": None,
                    "email": _email(pattern, name) if name and rng.random() < 0.5 else None,
                    "linkedin_url": "https://www.linkedin.com/in/"
                    + name.lower().replace(" ", "-").replace("'", "") + f"-{pid}"
                    if name and rng.random() < 0.4 else None,
                    "role": role,
                    "status": PersonStatus.UNCOVERED if placeholder else rng.choices(
                        statuses, status_weights)[0],
                    "notes": _fill(rng, rng.choice(PERSON_NOTES))
                    if name and rng.random() < 0.2 else None,
                    "left_at": now - timedelta(days=rng.randint(1, 300)) if left else None,
                    "source_call_id": None, "created_by_id": rng.randint(1, len(USERS)),
                    "created_at": created, "updated_at": created}
            next_id += size

    def _title(self, level: int, dept: str) -> str:
        rng = self.rng
        if level == 1:
            return rng.choice([f"Vice President, {dept}", f"VP {dept}", CHIEF[dept]])
        if level == 2:
            return rng.choice([f"Director, {dept}", f"Director of {dept}",
                               f"Senior Director, {dept}", f"Head of {dept}"])
        if level == 3:
            return rng.choice([f"Senior Manager, {dept}", f"{dept} Manager", f"Manager, {dept}"])
        if level == 4 and rng.random() < 0.3:
            return f"{dept} Team Lead"
        return rng.choice(IC_TITLES[dept])

    def calls(self, conn: Connection) -> int:
        links = 0
        call_rows, link_rows = [], []
        for call, people in self._call_rows():
            call_rows.append(call)
            link_rows.extend({"call_id": call["id"], "person_id": p} for p in people)
            if len(call_rows) >= BATCH:
                conn.execute(insert(Call), call_rows)
                conn.execute(insert(call_person), link_rows)
                links += len(link_rows)
                call_rows, link_rows = [], []
        if call_rows:
            conn.execute(insert(Call), call_rows)
        if link_rows:
            conn.execute(insert(call_person), link_rows)
            links += len(link_rows)
        self.counts["call_person"] = links
        return self.n_calls

    def _call_rows(self) -> Iterator[tuple[dict, list[int]]]:
        rng, team, now = self.rng, self.team, self.now
        companies = self.companies
        # Calls go where the people are (bigger companies get more, less than in proportion).
        cum = list(itertools.accumulate(s ** 0.8 for s in team.size))
        # Each company has an owner who makes most of its calls.
        owners = [rng.choices(range(1, len(USERS) + 1), USER_WEIGHTS)[0] for _ in companies]
        outcomes, outcome_weights = zip(*OUTCOMES, strict=True)
        outcome_cum = list(itertools.accumulate(outcome_weights))
        today = now.date()
        days = [d for d in (today - timedelta(days=n) for n in range(365, 0, -1))
                if d.weekday() < 5]
        n = self.n_calls
        for call_id in range(1, n + 1):
            ci = bisect.bisect_left(cum, rng.random() * cum[-1])
            company = companies[ci]
            first, size, staff_from = team.first[ci], team.size[ci], team.staff_from[ci]
            outcome = outcomes[bisect.bisect_left(outcome_cum, rng.random() * outcome_cum[-1])]
            user_id = owners[ci] if rng.random() < 0.8 else rng.choices(
                range(1, len(USERS) + 1), USER_WEIGHTS)[0]
            day = days[(call_id - 1) * len(days) // n]
            # Business hours in the eastern US: 13:00-22:00 UTC.
            started = datetime(day.year, day.month, day.day, 13, tzinfo=UTC) + timedelta(
                seconds=rng.randrange(9 * 3600))
            target = None
            if rng.random() < 0.8 and size > staff_from:
                target = first + rng.randrange(staff_from, size)
                if team.unusable[target]:
                    target = first + rng.randrange(staff_from, size)
                    target = None if team.unusable[target] else target
            answered = None
            if outcome is Outcome.GATEKEEPER:
                answered = first + rng.randint(1, staff_from - 1) if staff_from > 1 else None
            elif outcome in TALKED:
                answered = target
            touched = [p for p in (target, answered) if p]
            uncovered = 0
            if outcome in TALKED or outcome is Outcome.GATEKEEPER:
                uncovered = rng.choices((0, 1, 2, 3), (50, 25, 15, 10))[0]
            for _ in range(uncovered):
                if size > staff_from:
                    touched.append(first + rng.randrange(staff_from, size))
            if outcome in TALKED:
                kind, sentences = "talk", rng.choices((1, 2, 3), (40, 40, 20))[0]
            elif outcome is Outcome.GATEKEEPER:
                kind, sentences = "gatekeeper", rng.choices((0, 1, 2), (20, 60, 20))[0]
            else:
                kind, sentences = "missed", rng.choices((0, 1), (65, 35))[0]
            notes = " ".join(_fill(rng, rng.choice(SENTENCES[kind]))
                             for _ in range(sentences)) or None
            low, high = DURATION.get(outcome, (60, 1200))
            follow_at = follow_note = done_at = None
            if rng.random() < FOLLOW_UP.get(outcome, 0):
                follow_at = started + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 6))
                follow_note = _fill(rng, rng.choice(FOLLOW_UP_NOTES))
                kept = 0.995 if follow_at < now - timedelta(days=14) else 0.85
                if follow_at < now and rng.random() < kept:
                    done_at = min(follow_at + timedelta(hours=rng.randint(0, 72)), now)
            to_number = company["main_phone"]
            if target and rng.random() < 0.3:
                to_number = f"+1{to_number[2:5]}555{target % 10000:04d}"
            yield {
                "id": call_id, "user_id": user_id, "company_id": company["id"],
                "person_id": target, "answered_by_id": answered, "to_number": to_number,
                "outcome": outcome, "notes": notes, "started_at": started,
                "duration_seconds": rng.randint(low, high), "follow_up_at": follow_at,
                "follow_up_note": follow_note, "follow_up_done_at": done_at,
                "previous_call_id": None, "created_at": started, "updated_at": started,
            }, sorted(set(touched))

    def provenance(self, conn: Connection) -> int:
        """Each person touched by a call was uncovered on the first one (ids are in time order)."""
        # UPDATE ... FROM a grouped table: a correlated min() lets PostgreSQL walk the primary
        # key (call_id, person_id) from the start for every person, which never finishes.
        first = (select(call_person.c.person_id, func.min(call_person.c.call_id).label("call"))
                 .group_by(call_person.c.person_id).subquery())
        result = conn.execute(update(Person).where(Person.id == first.c.person_id)
                              .values(source_call_id=first.c.call,
                                      updated_at=Person.updated_at))
        return result.rowcount

    def reporting_links(self, conn: Connection) -> int:
        """One link per managed person (as their record says), and 3% that disagree."""
        person = Person.__table__
        conn.execute(insert(ReportingLink).from_select(
            ["person_id", "manager_id", "source_call_id", "reported_by_id", "reported_at"],
            select(person.c.id, person.c.reports_to_id, person.c.source_call_id,
                   person.c.created_by_id, person.c.created_at)
            .where(person.c.reports_to_id.is_not(None)).order_by(person.c.id)))
        rng, manager = self.rng, self.team.manager
        written = sum(1 for boss in manager if boss)  # (rowcount of INSERT ... SELECT varies)

        def conflicting():
            for pid in range(1, len(manager)):
                boss = manager[pid]
                if boss and manager[boss] and rng.random() < 0.03:
                    yield {"person_id": pid, "manager_id": manager[boss], "source_call_id": None,
                           "told_by_id": None, "reported_by_id": rng.randint(1, len(USERS)),
                           "reported_at": self.now - timedelta(days=rng.randint(0, 90))}

        return written + _write(conn, ReportingLink, conflicting())

    def touchpoints(self, conn: Connection) -> int:
        rng, team = self.rng, self.team
        kinds, weights = zip(*TOUCH_KINDS, strict=True)

        def rows():
            for pid in range(1, len(team.unusable)):
                if team.unusable[pid] or rng.random() >= 0.15:
                    continue
                for _ in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
                    kind = rng.choices(kinds, weights)[0]
                    at = self.now - timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 23))
                    yield {"person_id": pid, "user_id": rng.randint(1, len(USERS)), "kind": kind,
                           "happened_at": at, "note": _fill(rng, rng.choice(TOUCH_NOTES[kind])),
                           "created_at": at}

        return _write(conn, Touchpoint, rows())

    def sequences(self, conn: Connection) -> None:
        """PostgreSQL: move the id sequences past the ids written here."""
        if conn.dialect.name != "postgresql":
            return
        for table in ("user", "company", "person", "call", "reporting_link", "touchpoint"):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"coalesce((SELECT max(id) FROM \"{table}\"), 0) + 1, false)"))

    def search_index(self, conn: Connection) -> int:
        return rebuild_index(conn)

    def analyze(self, conn: Connection) -> None:
        """Fresh planner statistics, last, over everything the phases above wrote.

        SQLite never gathers them by itself, and without them (or with the sampled ones
        `analysis_limit` gives) it walks the wrong index for Today's missed calls and open
        follow-ups; a full ANALYZE of the team-year file is a few seconds. PostgreSQL gets
        VACUUM ANALYZE, the state autovacuum reaches soon after a bulk load: statistics, and a
        visibility map so that index-only scans (the gatekeeper card's counts, metrics) skip the
        table (~10 s at team-year size). VACUUM cannot run inside the phase's transaction, which
        has not started yet (no statement), so it gets a connection of its own.
        """
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA analysis_limit=0"))
            conn.execute(text("ANALYZE"))
            return
        with conn.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as own:
            own.execute(text("VACUUM ANALYZE"))


def _email(pattern: str, name: str) -> str:
    first, _, last = name.lower().partition(" ")
    last = last.replace("'", "")
    return pattern.format(first=first, last=last, f=first[:1])


def wipe(conn: Connection) -> None:
    """Empty every table (quickly: TRUNCATE on PostgreSQL, no per-row FTS triggers on SQLite)."""
    tables = list(reversed(db.metadata.sorted_tables))
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    # DML first: pysqlite opens the transaction at the first DELETE, so the DDL below is in it.
    for table in tables:
        if table.name != "search_entry":
            conn.execute(table.delete())
    # The FTS5 table and the triggers that feed it go, then come back over the empty table.
    drop_engine_objects(conn)
    for trigger in ("search_entry_ai", "search_entry_ad", "search_entry_au"):
        conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    conn.execute(SearchEntry.__table__.delete())
    create_engine_objects(conn)


def seed_bench(companies: int, people: int, calls: int, seed: int = 1, reset: bool = False,
               echo=click.echo) -> BenchSeeder:
    if people < companies:
        raise click.ClickException("--people must be at least --companies")
    missing = [t.name for t in db.metadata.sorted_tables if not inspect(db.engine).has_table(
        t.name)]
    if missing:
        raise click.ClickException(f"No table {missing[0]!r}: run `flask db upgrade` first.")
    if reset:
        start = time.perf_counter()
        with db.engine.begin() as conn:
            wipe(conn)
        echo(f"  {'reset':16} {time.perf_counter() - start:7.1f} s")
    elif db.session.scalar(select(func.count()).select_from(Company)) or db.session.scalar(
            select(func.count()).select_from(User)):
        raise click.ClickException("The database already has data; use --reset to replace it.")
    db.session.remove()  # no session holds a transaction (or a SQLite lock) while we write
    seeder = BenchSeeder(companies, people, calls, seed, echo)
    seeder.run()
    return seeder


@click.command("seed-bench")
@click.option("--companies", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--people", type=click.IntRange(1), default=200_000, show_default=True)
@click.option("--calls", type=click.IntRange(0), default=1_000_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--reset", is_flag=True, help="Empty every table first (all data is lost).")
def seed_bench_command(companies: int, people: int, calls: int, seed: int, reset: bool) -> None:
    """Generate a busy team's year (benchmark data set) with bulk inserts."""
    click.echo(f"Seeding {companies:,} companies, {people:,} people, {calls:,} calls "
               f"(seed {seed}) into {db.engine.url.render_as_string(hide_password=True)}")
    start = time.perf_counter()
    seed_bench(companies, people, calls, seed, reset)
    click.echo(f"Done in {time.perf_counter() - start:.1f} s. Sign in as {USERS[0][0]} / "
               f"{PASSWORD}.")

