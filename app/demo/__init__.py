"""Demo data: a small sourcing team three weeks into its searches, loaded through the services."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update

from app.auth.service import create_user, update_profile
from app.calls.service import save_call
from app.companies.service import create_company
from app.demo.block import BLOCK_CALLS, seed_past_blocks, seed_phone_trees, seed_queues
from app.demo.data import ADMIN_EMAIL, COMPANIES, KNOWN, PASSWORD, USERS
from app.demo.inbound import seed_missed_calls
from app.demo.script import CALLS
from app.extensions import db
from app.models import Call, Company, Person, PersonRole, QueueItem, ReportingLink, User
from app.people.service import create_person, mark_left, update_person

PERSON_FIELDS = ("full_name", "title", "department", "extension", "role", "status", "notes")


def seed_demo(reset: bool = False) -> str:
    """Load the demo team and its calls; with reset, empty every table first."""
    if reset:
        wipe_all()
    elif db.session.scalars(select(User).where(User.email == ADMIN_EMAIL)).first():
        return f"Demo data already loaded ({ADMIN_EMAIL} exists); use --reset to start over."
    _Seeder().run()
    return summary()


def wipe_all() -> None:
    """Delete every row of every table, children first."""
    # Person -> call -> person and the reports-to/previous-call links form cycles: cut them first.
    db.session.execute(update(Person).values(source_call_id=None, reports_to_id=None))
    db.session.execute(update(Call).values(previous_call_id=None))
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def summary() -> str:
    def count(*what) -> int:
        return db.session.scalar(select(func.count()).select_from(*what)) or 0

    outcomes = db.session.scalar(select(func.count(func.distinct(Call.outcome))))
    open_follow_ups = db.session.scalar(
        select(func.count(Call.id)).where(
            Call.follow_up_at.is_not(None), Call.follow_up_done_at.is_(None)
        )
    )
    boxes = db.session.scalar(select(func.count(Person.id)).where(Person.placeholder)) or 0
    left = db.session.scalar(select(func.count(Person.id)).where(Person.left_at.is_not(None)))
    return (
        f"Seeded {count(User)} users, {count(Company)} companies, {count(Person)} people "
        f"({boxes} empty boxes, {left or 0} who left), "
        f"{count(Call)} calls ({outcomes} outcomes), {open_follow_ups} open follow-ups, "
        f"{count(QueueItem)} queued targets. "
        f"Sign in as {ADMIN_EMAIL} / {PASSWORD}."
    )


def email_for(pattern: str | None, full_name: str) -> str | None:
    """Apply a company pattern such as {first}.{last}@acme.example to a name."""
    parts = full_name.lower().split()
    if not pattern or len(parts) < 2:
        return None
    first, last = (re.sub(r"[^a-z]", "", p) for p in (parts[0], parts[-1]))
    return pattern.format(first=first, last=last, f=first[:1], l=last[:1])


def working_day(days_ago: int, today: date) -> date:
    """The day `days_ago` before today, with Saturdays moved to Friday and Sundays to Monday."""
    day = today - timedelta(days=days_ago)
    if days_ago != 0 and day.weekday() >= 5:
        day += timedelta(days=-1 if day.weekday() == 5 else 1)
    return day


def at_local(days_ago: int, hhmm: str, tz: str) -> datetime:
    zone = ZoneInfo(tz)
    day = working_day(days_ago, datetime.now(zone).date())
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


class _Seeder:
    """Writes the data in data.py and script.py, in order, through the service layer."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.companies: dict[str, Company] = {}
        self.calls: dict[str, Call] = {}

    def run(self) -> None:
        for key, email, name, admin, tz, phone in USERS:
            user = create_user(email, PASSWORD, admin=admin, name=name, timezone=tz)
            self.users[key] = update_profile(user, name, phone, tz)
        first_caller = {}
        for spec in CALLS + BLOCK_CALLS:
            first_caller.setdefault(spec["company"], spec["who"])
        for key, spec in COMPANIES.items():
            data = {k: v for k, v in spec.items() if k != "dial_prefix"}
            author = self.users[first_caller.get(key, "admin")]
            self.companies[key] = create_company(data, author)
        for key, people in KNOWN.items():
            for spec in people:
                row = self.person_row(key, spec, {})
                create_person(self.companies[key], row, self.users["admin"])
        for spec in CALLS + BLOCK_CALLS:
            self.log(spec)
        seed_phone_trees(self.companies)
        seed_past_blocks()
        seed_missed_calls(self.users["sam"])  # before the queues: its follow-up is queued too
        seed_queues(self.users, self.companies)

    def person(self, company_key: str, name: str) -> Person:
        """Someone at the company by name, or an empty box by its title."""
        company = self.companies[company_key]
        return db.session.scalars(
            select(Person).where(
                Person.company_id == company.id,
                or_(Person.full_name == name, and_(Person.placeholder, Person.title == name)),
            )
        ).one()

    def reports_to(self, company_key: str, boss: str, rows_by_name: dict[str, int]):
        """A call row's reports_to: another row of the same call, or someone on file."""
        if boss in rows_by_name:
            return {"row": rows_by_name[boss]}
        return self.person(company_key, boss).id

    def person_row(self, company_key: str, spec: dict, rows_by_name: dict[str, int]) -> dict:
        """Turn a P(...)/U(...) entry into the dict the services take."""
        if spec.get("existing"):
            skip = ("full_name", "existing", "boss")
            row = {k: v for k, v in spec.items() if k not in skip}
            row["id"] = self.person(company_key, spec["full_name"]).id
            if boss := spec.get("boss"):
                row["reports_to"] = self.reports_to(company_key, boss, rows_by_name)
            return row
        company = COMPANIES[company_key]
        row = {k: spec[k] for k in PERSON_FIELDS if spec.get(k) is not None}
        if spec["dial"]:
            row["direct_phone"] = company["dial_prefix"] + spec["dial"]
        if spec["email"] and spec["role"] != PersonRole.GATEKEEPER:
            row["email"] = email_for(company["email_pattern"], spec["full_name"])
        if boss := spec["boss"]:
            row["reports_to"] = self.reports_to(company_key, boss, rows_by_name)
            if not isinstance(row["reports_to"], dict):
                row["reports_to_id"] = row["reports_to"]  # the key create_person reads
        return row

    def log(self, spec: dict) -> None:
        author, key = self.users[spec["who"]], spec["company"]
        company = self.companies[key]
        rows_by_name = {p["full_name"]: i for i, p in enumerate(spec["names"])}
        rows = [self.person_row(key, p, rows_by_name) for p in spec["names"]]
        target = self.person(key, spec["target"]) if spec["target"] else None
        data = {
            "company_id": company.id,
            "outcome": spec["outcome"],
            "notes": spec["notes"],
            "started_at": at_local(spec["days"], spec["at"], company.timezone),
            "duration_seconds": spec["seconds"],
            "to_number": spec["to"] or (target and target.direct_phone) or company.main_phone,
            "person_id": target.id if target else None,
            "people": rows,
        }
        if spec["answered"]:
            data["answered_by_id"] = self.person(key, spec["answered"]).id
        if gatekeeper := spec["gatekeeper"]:
            data["new_gatekeeper"] = self.person_row(key, gatekeeper, {})
        if spec["follow"]:
            days, hhmm, note = spec["follow"]
            data["follow_up_at"] = at_local(-days, hhmm, author.timezone)
            data["follow_up_note"] = note
        previous = self.calls.get(spec["after"]) if spec["after"] else None
        if previous is not None:
            data["previous_call_id"] = previous.id
        links_before = db.session.scalar(select(func.max(ReportingLink.id))) or 0
        call = save_call(author, data)
        self.calls[spec["key"]] = call
        if gatekeeper and gatekeeper["boss"]:
            boss = self.person(key, gatekeeper["boss"])
            update_person(call.answered_by, {"reports_to_id": boss.id}, author=author)
        for box in spec["boxes"]:
            self.add_box(key, box, author, call)
        for name in spec["left"]:
            person = mark_left(self.person(key, name), True)
            person.left_at = call.started_at  # as with follow-ups: history, not the wall clock
            db.session.commit()
        # The services stamp "reported" and "done" with the wall clock; the demo replays history.
        db.session.execute(
            update(ReportingLink)
            .where(ReportingLink.id > links_before)
            .values(reported_at=call.started_at)
        )
        if previous is not None:
            previous.follow_up_done_at = call.started_at
        db.session.commit()

    def add_box(self, company_key: str, spec: dict, author: User, call: Call) -> Person:
        """An empty box under a known manager, traced back to the call that revealed it."""
        data = {
            "placeholder": True,
            "title": spec["title"],
            "department": spec["department"],
            "notes": spec["notes"],
            "reports_to_id": self.person(company_key, spec["boss"]).id,
        }
        box = create_person(self.companies[company_key], data, author)
        box.source_call = call
        link = box.reporting_links[-1]
        link.source_call, link.told_by = call, call.answered_by
        db.session.commit()
        return box
