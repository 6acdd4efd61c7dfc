"""The metrics as table columns and CSV rows: one definition, so the page and the file agree."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from app.exports.cells import safe_cell
from app.metrics.service import Metrics, Numbers


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# (csv header, table heading, value as text). New columns go after the old ones, so files read
# by position keep working; "connects" counts only dials that reached the target (see
# queries.call_kinds): gatekeeper pick-ups have their own column.
COLUMNS: list[tuple[str, str, Callable[[Numbers], str]]] = [
    ("dials", "Dials", lambda n: str(n.dials)),
    ("connects", "Connects", lambda n: str(n.connects)),
    ("connect_rate_pct", "Connect rate %", lambda n: percent(n.connect_rate)),
    ("names_uncovered", "Names", lambda n: str(n.names)),
    ("names_per_dial", "Names / dial", lambda n: ratio(n.names_per_dial)),
    ("gatekeepers_met", "Gatekeepers", lambda n: str(n.gatekeepers)),
    ("voicemails", "Voicemails", lambda n: str(n.voicemails)),
    ("follow_ups_due", "Follow-ups due", lambda n: str(n.follow_ups_due)),
    ("follow_ups_kept", "Kept", lambda n: str(n.follow_ups_kept)),
    ("follow_ups_missed", "Missed", lambda n: str(n.follow_ups_missed)),
    ("companies_covered", "Companies", lambda n: str(n.companies)),
    ("emails", "Emails", lambda n: str(n.email)),
    ("linkedin_messages", "LinkedIn", lambda n: str(n.linkedin)),
    ("meetings", "Meetings", lambda n: str(n.meeting)),
    ("put_throughs", "Put through", lambda n: str(n.put_throughs)),
    ("gatekeeper_pickups", "Gatekeeper only", lambda n: str(n.gatekeeper_pickups)),
    ("gatekeeper_pickup_rate_pct", "Gatekeeper only %",
     lambda n: percent(n.gatekeeper_pickup_rate)),
]


def csv_rows(metrics: Metrics) -> Iterator[list[str]]:
    """A header, then per bucket a row per recruiter and one for the team, then the totals.

    Filtered to one recruiter, the team rows would repeat theirs, so they are left out."""
    yield ["period_start", "period_end", "recruiter_id", "recruiter", *(c[0] for c in COLUMNS)]
    spans = [(b.first.isoformat(), b.last.isoformat()) for b in metrics.buckets]
    spans.append((metrics.filter.first.isoformat(), metrics.filter.last.isoformat()))
    for index, (first, last) in enumerate(spans):
        is_total = index == len(metrics.buckets)
        for user in metrics.users:
            numbers = (
                metrics.per_user.get(user.id, Numbers())
                if is_total
                else metrics.cell(user.id, index)
            )
            yield [
                first,
                last,
                str(user.id),
                user.display_name,
                *(fmt(numbers) for _, _, fmt in COLUMNS),
            ]
        if metrics.filter.user_id:
            continue
        team = metrics.total if is_total else metrics.team[index]
        yield [first, last, "", "Team", *(fmt(team) for _, _, fmt in COLUMNS)]


def to_csv(metrics: Metrics) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv_rows(metrics):
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
