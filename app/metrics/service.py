"""Sourcing metrics: the numbers per recruiter and for the team, per day or week, and a funnel."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from app.extensions import db
from app.metrics import queries, slot_queries
from app.metrics.filters import Bucket, MetricsFilter
from app.metrics.rollup import CALL_COLUMNS, NAME_COLUMNS, TOUCH_COLUMNS
from app.models import PersonStatus, TouchpointKind, User
from app.queue.session_stats import PeriodSessions, sessions_between

ADDITIVE = (
    "dials",
    "connects",
    "put_throughs",
    "gatekeeper_pickups",
    "names",
    "gatekeepers",
    "voicemails",
    "follow_ups_due",
    "follow_ups_kept",
    "follow_ups_missed",
    "email",
    "linkedin",
    "meeting",
)
# The funnel's stages, each counting the people who reached it or went further.
STAGES = (
    ("Uncovered", tuple(PersonStatus)),
    ("Contacted", (PersonStatus.CONTACTED, PersonStatus.CANDIDATE, PersonStatus.NOT_INTERESTED)),
    ("Candidate", (PersonStatus.CANDIDATE,)),
)


@dataclass
class Numbers:
    """One recruiter's (or the team's) numbers over one bucket or the whole period."""

    dials: int = 0
    # Dials that reached the target (see queries.call_kinds for the exact rules).
    connects: int = 0
    # Connects that a gatekeeper or colleague answered first and passed on.
    put_throughs: int = 0
    # Dials a gatekeeper answered that went no further: not connects.
    gatekeeper_pickups: int = 0
    names: int = 0
    gatekeepers: int = 0
    voicemails: int = 0
    follow_ups_due: int = 0
    follow_ups_kept: int = 0
    follow_ups_missed: int = 0
    companies: int = 0
    email: int = 0
    linkedin: int = 0
    meeting: int = 0

    @property
    def connect_rate(self) -> float | None:
        return self.connects / self.dials if self.dials else None

    @property
    def gatekeeper_pickup_rate(self) -> float | None:
        return self.gatekeeper_pickups / self.dials if self.dials else None

    @property
    def names_per_dial(self) -> float | None:
        return self.names / self.dials if self.dials else None

    @property
    def touchpoints(self) -> int:
        return self.email + self.linkedin + self.meeting

    def add(self, other: Numbers) -> None:
        """Add the counts that sum (distinct companies do not: they are counted separately)."""
        for name in ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Metrics:
    """Everything the page, the charts and the CSV show for one filter."""

    filter: MetricsFilter
    buckets: list[Bucket]
    users: list[User]
    cells: dict[tuple[int, int], Numbers] = field(default_factory=dict)  # (user, bucket)
    team: list[Numbers] = field(default_factory=list)  # per bucket
    per_user: dict[int, Numbers] = field(default_factory=dict)  # whole period
    total: Numbers = field(default_factory=Numbers)
    statuses: dict[PersonStatus, int] = field(default_factory=dict)

    def cell(self, user_id: int, index: int) -> Numbers:
        return self.cells.get((user_id, index)) or Numbers()

    @property
    def funnel(self) -> list[tuple[str, int]]:
        return [(label, sum(self.statuses.get(s, 0) for s in members)) for label, members in STAGES]


Cells = dict[tuple[int, int], Numbers]
Statuses = dict[PersonStatus, int]
Companies = dict[tuple[int, int, int], int]


def _from_rollups(flt: MetricsFilter, at, statuses: Statuses, companies: Companies) -> None:
    """Dials, names and touchpoints summed from the quarter-hour roll-ups."""
    names = list(NAME_COLUMNS)
    touches = [kind.value for kind in TOUCH_COLUMNS]
    width = len(CALL_COLUMNS)
    for u, d, *sums in slot_queries.slot_counts(flt):
        n = at(u, d)
        for name, value in zip(CALL_COLUMNS, sums[:width], strict=True):
            setattr(n, name, getattr(n, name) + (value or 0))
        for status, value in zip(names, sums[width:width + len(names)], strict=True):
            n.names += value or 0
            if value:
                statuses[status] = statuses.get(status, 0) + value
        for name, value in zip(touches, sums[width + len(names):], strict=True):
            setattr(n, name, getattr(n, name) + (value or 0))
    for tag, u, b, count in slot_queries.company_counts(flt):
        companies[tag, u, b] = count


def _from_calls(flt: MetricsFilter, at, statuses: Statuses, companies: Companies) -> None:
    """The same numbers read from the calls themselves (a period whose midnights are not on
    quarter hours; and the reference the roll-ups are tested against)."""
    for tag, u, d, count, connects, gatekeepers, voicemails, put_throughs, pickups in (
            queries.call_counts(flt)):
        if tag != queries.DAY:
            companies[tag, u, d] = count
            continue
        n = at(u, d)
        n.dials += count
        n.connects += connects or 0
        n.gatekeepers += gatekeepers or 0
        n.voicemails += voicemails or 0
        n.put_throughs += put_throughs or 0
        n.gatekeeper_pickups += pickups or 0
    for u, d, status, count in queries.name_counts(flt):
        at(u, d).names += count
        statuses[status] = statuses.get(status, 0) + count
    for u, d, kind, count in queries.touchpoint_counts(flt):
        n, name = at(u, d), TouchpointKind(kind).value
        setattr(n, name, getattr(n, name) + count)


def _collect(flt: MetricsFilter, now: datetime, use_rollups: bool) -> tuple[
        Cells, Statuses, Companies]:
    """Per (user, bucket) additive numbers from per-day counts, rolled up into buckets; the
    statuses of the names uncovered in the period; distinct companies per grouping.

    Follow-ups are read from the calls (few: one per call that set one): whether one was kept
    depends on the viewer's local days and whether it was missed on "now", and an index on
    follow_up_at finds the period's."""
    of_day = flt.bucket_of_day()
    cells: Cells = {}
    statuses: Statuses = {}
    companies: Companies = {}

    def at(user_id: int, day: int) -> Numbers:
        return cells.setdefault((user_id, of_day[day]), Numbers())

    fast = use_rollups and slot_queries.rollups_cover(flt)
    if fast:
        _from_rollups(flt, at, statuses, companies)
    else:
        _from_calls(flt, at, statuses, companies)
    follow_ups = slot_queries.follow_up_counts if fast else queries.follow_up_counts
    for u, d, due, kept, missed in follow_ups(flt, now):
        n = at(u, d)
        n.follow_ups_due += due
        n.follow_ups_kept += kept or 0
        n.follow_ups_missed += missed or 0
    return cells, statuses, companies


def compute_metrics(flt: MetricsFilter, now: datetime, use_rollups: bool = True) -> Metrics:
    """Run the grouped queries for flt and assemble per-recruiter, per-bucket and team numbers.

    use_rollups=False reads the calls themselves (the roll-ups' tests compare the two)."""
    buckets = flt.buckets()
    cells, statuses, companies = _collect(flt, now, use_rollups)
    if flt.funnel_scope == "all":
        statuses = {PersonStatus(s): c for s, c in queries.funnel_counts(flt)}
    user_ids = sorted({u for u, _ in cells} | ({flt.user_id} if flt.user_id else set()))
    users = list(db.session.scalars(db.select(User).where(User.id.in_(user_ids))))
    users.sort(
        key=lambda u: (
            -sum(n.dials for (i, _), n in cells.items() if i == u.id),
            u.display_name.lower(),
        )
    )
    metrics = Metrics(flt, buckets, users, cells=cells, statuses=statuses)
    metrics.team = [Numbers() for _ in buckets]
    for (u, b), n in cells.items():
        metrics.team[b].add(n)
        metrics.per_user.setdefault(u, Numbers()).add(n)
        metrics.total.add(n)
    for (tag, u, b), count in companies.items():
        if tag == queries.USER_BUCKET:
            cells[u, b].companies = count
        elif tag == queries.USER:
            metrics.per_user[u].companies = count
        elif tag == queries.BUCKET:
            metrics.team[b].companies = count
        else:
            metrics.total.companies = count
    if flt.user_id:  # the team is this one recruiter: its distinct counts are theirs
        for (_, b), n in cells.items():
            metrics.team[b].companies = n.companies
        metrics.total.companies = metrics.per_user.get(flt.user_id, Numbers()).companies
    return metrics


def calling_blocks(flt: MetricsFilter) -> PeriodSessions:
    """The calling blocks started in the filter's period, for its recruiter or the whole team."""
    return sessions_between(flt.start, flt.end, [flt.user_id] if flt.user_id else None)
