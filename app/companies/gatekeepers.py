"""The gatekeepers on a company's line: who answered, how the calls through them ended, when."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Call, Company, Outcome, Person, PersonRole
from app.timezones import to_local

# A call through a gatekeeper "put through" when it reached the target or got a referral.
PUT_THROUGH = frozenset({Outcome.CONNECTED, Outcome.REFERRAL, Outcome.NOT_INTERESTED})
PUT_THROUGH_NOTE = ("`put_through` counts the calls they answered whose outcome is "
                    + ", ".join(sorted(o.value for o in PUT_THROUGH))
                    + " (the target or a referral was reached).")
OUTCOME_VALUES = frozenset(o.value for o in Outcome)
NOTES_SHOWN = 300
RECENT_CALLS = 50  # per gatekeeper: enough to tell when they answer, and their last notes


@dataclass
class GatekeeperStats:
    """One gatekeeper's record on the company's line."""

    person: Person
    calls: int = 0
    put_through: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    last_call_at: datetime | None = None
    last_notes: str | None = None
    answers_when: str | None = None

    @property
    def person_id(self) -> int:
        return self.person.id

    @property
    def full_name(self) -> str | None:
        return self.person.full_name

    @property
    def title(self) -> str | None:
        return self.person.title

    @property
    def put_through_rate(self) -> float:
        return round(self.put_through / self.calls, 3) if self.calls else 0.0

    @property
    def outcome_labels(self) -> list[tuple[str, int]]:
        """("Gatekeeper", 4), ("Connected", 2)...: most frequent first, for the card."""
        def label(key: str) -> str:
            return Outcome(key).label if key in OUTCOME_VALUES else "Not logged"
        return sorted(((label(k), n) for k, n in self.outcomes.items()), key=lambda p: -p[1])


def _answered_here(company: Company):
    # Someone answering a call aimed at themselves is the target, not a gatekeeper.
    return (Call.company_id == company.id, Call.answered_by_id.is_not(None),
            or_(Call.person_id.is_(None), Call.person_id != Call.answered_by_id))


def _trim(notes: str | None) -> str | None:
    notes = (notes or "").strip()
    if len(notes) <= NOTES_SHOWN:
        return notes or None
    return notes[:NOTES_SHOWN].rstrip() + "…"


def answers_when(hours: list[int]) -> str | None:
    """When someone answers, from the local hours of their calls: "usually mornings (8–11)"."""
    if not hours:
        return None
    hours = sorted(hours)
    # The middle 80% of their calls, so one late call does not make them "all day".
    low, high = hours[len(hours) // 10], hours[-1 - len(hours) // 10]
    span = f"{low}–{high}" if low != high else f"around {low}:00"
    if high < 12:
        part = f"mornings ({span})"
    elif low >= 12 and high < 18:
        part = f"afternoons ({span})"
    elif low >= 18:
        part = f"evenings ({span})"
    else:
        part = span if low != high else f"around {low}:00"
    return ("usually " if len(hours) >= 3 else "so far ") + part


def gatekeepers_of(company: Company) -> list[GatekeeperStats]:
    """Who answers the company's calls (and anyone marked gatekeeper there), most calls first.

    Counts grouped by person and outcome (from the index alone), then each person's latest
    RECENT_CALLS (times and notes).
    """
    stats: dict[int, GatekeeperStats] = {}
    counts = db.session.execute(
        select(Call.answered_by_id, Call.outcome, func.count(), func.max(Call.started_at))
        .where(*_answered_here(company)).group_by(Call.answered_by_id, Call.outcome)).all()
    found: dict[int, list] = {}
    for person_id, outcome, n, last in counts:
        found.setdefault(person_id, []).append((outcome, n, last))
    people = db.session.scalars(select(Person).where(or_(
        Person.id.in_(found),
        (Person.company_id == company.id) & (Person.role == PersonRole.GATEKEEPER)
        & Person.left_at.is_(None)))).all()
    for person in people:
        row = stats[person.id] = GatekeeperStats(person=person)
        for outcome, n, last in found.get(person.id, []):
            row.calls += n
            key = outcome.value if outcome else "not_logged"
            row.outcomes[key] = row.outcomes.get(key, 0) + n
            row.put_through += n if outcome in PUT_THROUGH else 0
            row.last_call_at = max(filter(None, (row.last_call_at, last)), default=None)
    _add_recent(company, stats)
    return sorted(stats.values(), key=lambda s: (
        -s.calls, -(s.last_call_at.timestamp() if s.last_call_at else 0),
        (s.person.full_name or "").lower(), s.person.id))


def _add_recent(company: Company, stats: dict[int, GatekeeperStats]) -> None:
    """When each gatekeeper answers and their latest notes, from their latest calls.

    One query per gatekeeper who answered here, each reading RECENT_CALLS rows newest first
    from ix_call_company_answered: a window over all their calls read every one (~4,000 at a
    big company) to keep the latest 50.
    """
    rows = []
    for person_id in (pid for pid, row in stats.items() if row.calls):
        rows += db.session.execute(
            select(Call.answered_by_id, Call.started_at,
                   func.substr(Call.notes, 1, NOTES_SHOWN + 1))
            .where(*_answered_here(company), Call.answered_by_id == person_id)
            .order_by(Call.started_at.desc(), Call.id.desc()).limit(RECENT_CALLS)).all()
    hours: dict[int, list[int]] = {}
    for person_id, started_at, notes in rows:
        row = stats.get(person_id)
        if row is None:
            continue
        local = to_local(started_at, company.timezone)
        hours.setdefault(person_id, []).append(local.hour if local else 0)
        if row.last_notes is None and (notes or "").strip():
            row.last_notes = _trim(notes)
    for person_id, row in stats.items():
        row.answers_when = answers_when(hours.get(person_id, []))
        if row.answers_when and not company.timezone:
            row.answers_when += " UTC"  # the company's zone is unknown

