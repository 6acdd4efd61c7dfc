"""Sourcing metrics: exact counts per recruiter and team, local days and weeks, charts and CSV.

The data set spans Mon 3 – Sun 16 March 2025 in New York, across the switch to daylight saving
time (Sun 9 March), so a naive fixed offset would put the 00:30 call of Mon 10 March on Sunday.
"""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db as _db
from app.metrics.filters import MetricsFilter
from app.metrics.service import compute_metrics
from app.models import Outcome, PersonRole, PersonStatus, Touchpoint, TouchpointKind, now_utc
from tests import factories

NY = ZoneInfo("America/New_York")
RANGE = {"period": "custom", "from": "2025-03-03", "to": "2025-03-16"}
LATER = datetime(2026, 1, 1, tzinfo=UTC)  # "now": every follow-up in March 2025 is past


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    """A New York wall-clock time in March 2025, as the UTC instant it is."""
    return datetime(2025, 3, day, hour, minute, tzinfo=NY).astimezone(UTC)


@pytest.fixture
def team(user):
    """Rita (the signed-in recruiter) and Bob, with calls, names, follow-ups and touchpoints."""
    bob = factories.UserFactory(email="bob@example.com", name="Bob Caller")
    a, b, c = (factories.CompanyFactory(name=n) for n in ("Alpha", "Beta", "Gamma"))
    keeper = factories.PersonFactory(company=a, role=PersonRole.GATEKEEPER, full_name="Melinda")

    def call(who, company, at, outcome, **kw):
        return factories.CallFactory(
            user=who, company=company, started_at=at, outcome=outcome, **kw
        )

    before = call(user, a, ny(2, 23, 59), Outcome.BUSY, follow_up_at=ny(3, 0, 30))  # missed
    c1 = call(
        user, a, ny(3, 9), Outcome.CONNECTED, follow_up_at=ny(5, 10), follow_up_done_at=ny(6, 22)
    )  # kept: next day
    call(
        user,
        b,
        ny(3, 23, 30),
        Outcome.VOICEMAIL,  # 04:30 UTC on the 4th: still the 3rd here
        follow_up_at=ny(6, 9),
        follow_up_done_at=ny(8, 9),
    )  # done two days late: neither
    c3 = call(
        user, a, ny(4, 10), Outcome.REFERRAL, answered_by=keeper, follow_up_at=ny(11, 9)
    )  # missed once 11 March has passed
    call(
        user,
        c,
        ny(10, 0, 30),
        Outcome.GATEKEEPER,  # after the DST switch: Monday, week 2
        follow_up_at=ny(14, 16),
        follow_up_done_at=ny(14, 8),
    )  # done early: kept
    call(user, a, ny(16, 23, 59), Outcome.BUSY)  # last minute of the period
    call(user, a, ny(17, 0, 0), Outcome.CONNECTED)  # first minute after it
    b1 = call(
        bob, b, ny(4, 12), Outcome.CONNECTED, follow_up_at=ny(16, 23), follow_up_done_at=ny(17, 23)
    )  # kept, after the period
    call(bob, b, ny(12, 15), None, follow_up_at=ny(19, 9))  # a dial not logged yet

    def person(source, status, **kw):
        return factories.PersonFactory(
            company=source.company if source else a, source_call=source, status=status, **kw
        )

    person(c1, PersonStatus.UNCOVERED)
    person(c1, PersonStatus.CONTACTED)
    person(c3, PersonStatus.CANDIDATE)
    person(b1, PersonStatus.NOT_INTERESTED)
    person(b1, PersonStatus.UNCOVERED, placeholder=True, full_name=None)  # a position, no name
    person(before, PersonStatus.UNCOVERED)  # uncovered before the period
    person(None, PersonStatus.VERIFIED, created_by=user)  # typed in, no call
    for who, kind, at in (
        (user, TouchpointKind.EMAIL, ny(3, 12)),
        (user, TouchpointKind.LINKEDIN, ny(12, 23, 45)),
        (bob, TouchpointKind.MEETING, ny(4, 14)),
        (bob, TouchpointKind.EMAIL, ny(17, 1)),
    ):
        _db.session.add(Touchpoint(person=keeper, user=who, kind=kind, happened_at=at))
    _db.session.commit()
    return {"rita": user, "bob": bob}


def metrics_for(grouping="day", user=None, scope="period", now=LATER):
    flt = MetricsFilter(
        first=date(2025, 3, 3),
        last=date(2025, 3, 16),
        tz_name="America/New_York",
        user_id=user.id if user else None,
        grouping=grouping,
        funnel_scope=scope,
    )
    return compute_metrics(flt, now)


def test_totals_per_recruiter_and_team(team):
    m = metrics_for()
    rita, bob = m.per_user[team["rita"].id], m.per_user[team["bob"].id]
    # Connects reach the target: the gatekeeper outcome and Melinda's referral from the main line
    # are gatekeeper pick-ups, not connects.
    assert (rita.dials, rita.connects, rita.voicemails, rita.gatekeepers) == (5, 1, 1, 2)
    assert (rita.gatekeeper_pickups, rita.put_throughs) == (2, 0)
    assert (rita.names, rita.companies) == (3, 3)
    assert rita.connect_rate == pytest.approx(0.2) and rita.names_per_dial == pytest.approx(0.6)
    assert (bob.dials, bob.connects, bob.voicemails, bob.gatekeepers) == (2, 1, 0, 0)
    assert (bob.names, bob.companies, bob.connect_rate) == (1, 1, 0.5)
    t = m.total
    assert (t.dials, t.connects, t.names, t.gatekeepers, t.voicemails) == (7, 2, 4, 2, 1)
    assert t.companies == 3  # Alpha, Beta, Gamma: distinct, not 3 + 1
    assert t.connect_rate == pytest.approx(2 / 7) and t.names_per_dial == pytest.approx(4 / 7)
    assert [u.email for u in m.users] == ["rita@example.com", "bob@example.com"]


def test_follow_ups_due_kept_and_missed(team):
    m = metrics_for()
    rita, bob = m.per_user[team["rita"].id], m.per_user[team["bob"].id]
    assert (rita.follow_ups_due, rita.follow_ups_kept, rita.follow_ups_missed) == (5, 2, 2)
    assert (bob.follow_ups_due, bob.follow_ups_kept, bob.follow_ups_missed) == (1, 1, 0)
    assert (m.total.follow_ups_due, m.total.follow_ups_kept, m.total.follow_ups_missed) == (6, 3, 2)
    # On the morning of 11 March, the follow-up due at 09:00 is not missed yet.
    early = metrics_for(now=ny(11, 8))
    assert early.total.follow_ups_missed == 1


def test_touchpoints_by_kind(team):
    m = metrics_for()
    rita, bob = m.per_user[team["rita"].id], m.per_user[team["bob"].id]
    assert (rita.email, rita.linkedin, rita.meeting) == (1, 1, 0)
    assert (bob.email, bob.linkedin, bob.meeting) == (0, 0, 1)
    assert (m.total.email, m.total.linkedin, m.total.meeting, m.total.touchpoints) == (1, 1, 1, 3)


def test_day_grouping_counts_local_days(team):
    m = metrics_for("day")
    assert len(m.buckets) == 14
    rita = team["rita"].id
    mon3, tue4, sun9, mon10, wed12, sun16 = (m.cell(rita, i) for i in (0, 1, 6, 7, 9, 13))
    assert (mon3.dials, mon3.connects, mon3.voicemails, mon3.names, mon3.companies) == (
        2,
        1,
        1,
        2,
        2,
    )  # the 23:30 call is Monday's
    assert (mon3.follow_ups_due, mon3.follow_ups_missed, mon3.email) == (1, 1, 1)
    assert (tue4.dials, tue4.gatekeepers, tue4.names) == (1, 1, 1)
    assert sun9.dials == 0 and mon10.dials == 1 and mon10.gatekeepers == 1  # DST: 00:30 Monday
    assert wed12.linkedin == 1 and sun16.dials == 1
    assert (m.team[1].dials, m.team[1].companies, m.team[1].meeting) == (2, 2, 1)
    assert sum(n.dials for n in m.team) == 7


def test_week_grouping_and_distinct_companies(team):
    m = metrics_for("week")
    assert [(b.first.day, b.last.day) for b in m.buckets] == [(3, 9), (10, 16)]
    rita = team["rita"].id
    assert (m.cell(rita, 0).dials, m.cell(rita, 0).connects, m.cell(rita, 0).names) == (3, 1, 3)
    assert (m.cell(rita, 0).companies, m.cell(rita, 1).companies) == (2, 2)
    assert [(n.dials, n.connects, n.companies) for n in m.team] == [(4, 2, 2), (3, 0, 3)]
    assert [(n.follow_ups_due, n.follow_ups_kept) for n in m.team] == [(3, 1), (3, 2)]
    assert m.total.companies == 3


def test_one_recruiter_only_counts_theirs(team):
    m = metrics_for("week", user=team["bob"])
    assert [u.email for u in m.users] == ["bob@example.com"]
    assert (m.total.dials, m.total.connects, m.total.companies, m.total.meeting) == (2, 1, 1, 1)
    assert [n.companies for n in m.team] == [1, 1]
    assert m.funnel == [("Uncovered", 1), ("Contacted", 1), ("Candidate", 0)]


def test_funnel_over_period_or_all_names(team):
    assert metrics_for().funnel == [("Uncovered", 4), ("Contacted", 3), ("Candidate", 1)]
    assert metrics_for(scope="all").funnel == [("Uncovered", 7), ("Contacted", 3), ("Candidate", 1)]
    assert metrics_for(scope="all", user=team["rita"]).funnel == [
        ("Uncovered", 5),
        ("Contacted", 2),
        ("Candidate", 1),
    ]


def _cells(html: str, table: str, part: str) -> list[list[str]]:
    section = re.search(rf'id="{table}">.*?<{part}>(.*?)</{part}>', html, re.S).group(1)
    return [
        re.findall(r'<td class="num">(.*?)</td>', row)
        for row in section.split("</tr>")
        if "<td" in row
    ]


def test_page_shows_numbers_and_labelled_charts(team, logged_in):
    page = logged_in.get("/metrics", query_string={**RANGE, "group": "week"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'id="kpi-dials">7<', html) and re.search(r'id="kpi-companies">3<', html)
    assert "28.6% connect rate" in html and "0.57 per dial" in html
    assert "3 kept" in html and "2 missed" in html
    assert html.count('<svg class="chart-svg"') == 3 and html.count('role="img"') == 3
    assert '<title id="chart-volume-title">Dials and connects per week</title>' in html
    assert "<title>10 Mar–16 Mar: 3 dials</title>" in html
    assert "<title>03 Mar–09 Mar: 50% connect rate</title>" in html
    assert "<title>Contacted: 3 (75% of uncovered)</title>" in html
    assert "names uncovered in this period" in html
    assert 'aria-current="page">Metrics<' in html


def test_csv_has_the_page_numbers(team, logged_in):
    query = {**RANGE, "group": "week"}
    html = logged_in.get("/metrics", query_string=query).get_data(as_text=True)
    response = logged_in.get("/metrics.csv", query_string=query)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    header = list(rows[0])[4:]
    team_rows = [r for r in rows if r["recruiter"] == "Team"]
    assert [r["period_start"] for r in team_rows] == ["2025-03-03", "2025-03-10", "2025-03-03"]
    per_period = _cells(html, "per-period", "tbody") + _cells(html, "per-period", "tfoot")
    assert [[r[h] for h in header] for r in team_rows] == per_period
    totals = [
        r
        for r in rows
        if r["period_end"] == "2025-03-16"
        and r["period_start"] == "2025-03-03"
        and r["recruiter"] != "Team"
    ]
    assert [[r[h] for h in header] for r in totals] == _cells(html, "per-recruiter", "tbody")
    rita = next(r for r in totals if r["recruiter"] == "Rita Recruiter")
    assert (rita["dials"], rita["connect_rate_pct"], rita["names_per_dial"]) == (
        "5",
        "20.0",
        "0.60",
    )
    assert (rita["follow_ups_due"], rita["follow_ups_kept"], rita["follow_ups_missed"]) == (
        "5",
        "2",
        "2",
    )


def test_csv_for_one_recruiter_has_no_team_rows(team, logged_in):
    query = {**RANGE, "recruiter": team["bob"].id}
    rows = list(
        csv.DictReader(
            io.StringIO(logged_in.get("/metrics.csv", query_string=query).get_data(as_text=True))
        )
    )
    assert len(rows) == 15 and {r["recruiter"] for r in rows} == {"Bob Caller"}
    assert rows[-1]["dials"] == "2" and rows[1]["dials"] == "1"


def test_last_seven_days_ends_today(user, logged_in):
    factories.CallFactory(user=user, started_at=now_utc())
    factories.CallFactory(user=user, started_at=now_utc() - timedelta(days=8))
    html = logged_in.get("/metrics?period=7").get_data(as_text=True)
    assert re.search(r'id="kpi-dials">1<', html)
    assert len(_cells(html, "per-period", "tbody")) == 7


@pytest.mark.parametrize("path", ["/metrics", "/metrics.csv"])
def test_logged_out_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "365"}, "Choose a period"),
        ({"period": "custom", "from": "2025-02-30", "to": "2025-03-01"}, "From must be a date"),
        ({"period": "custom", "from": "2025-03-05", "to": "2025-03-01"}, "To must be on or after"),
        ({"period": "custom", "from": "2020-01-01", "to": "2025-01-01"}, "at most 366 days"),
        ({"period": "custom", "from": "0001-01-01", "to": "0001-01-02"}, "must fall between"),
        ({"period": "custom"}, "needs both"),
        ({"group": "year"}, "Group by day or by week"),
        ({"funnel": "x"}, "The funnel covers"),
        ({"recruiter": "99999999999999"}, "does not exist"),
        ({"recruiter": "abc"}, "does not exist"),
    ],
)
def test_bad_filters_are_answered(logged_in, query, message):
    page = logged_in.get("/metrics", query_string=query)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert '<svg class="chart-svg"' in page.get_data(as_text=True)  # defaults still shown
    export = logged_in.get("/metrics.csv", query_string=query)
    assert export.status_code == 400 and message in export.get_data(as_text=True)
