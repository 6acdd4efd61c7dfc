"""Connects count only dials that reached the target; gatekeeper pick-ups and put-throughs apart.

One day of ten dials by one recruiter, each kind of call at least once, so every rate is exact.
"""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from app.extensions import db as _db
from app.metrics.filters import MetricsFilter
from app.metrics.service import compute_metrics
from app.models import Outcome, PersonRole
from tests import factories

DAY = {"period": "custom", "from": "2025-06-02", "to": "2025-06-02"}


def at(hour: int) -> datetime:
    return datetime(2025, 6, 2, hour, tzinfo=UTC)


@pytest.fixture
def dials(user):
    """Ten dials: 3 direct connects, 2 put through, 3 gatekeeper only, 1 voicemail, 1 no answer."""
    acme = factories.CompanyFactory(name="Acme")
    melinda = factories.PersonFactory(company=acme, full_name="Melinda",
                                      role=PersonRole.GATEKEEPER)
    vp = factories.PersonFactory(company=acme, full_name="Vera Vp", title="VP Engineering")
    peer = factories.PersonFactory(company=acme, full_name="Paul Peer")

    def call(hour, outcome, person=None, answered_by=None):
        factories.CallFactory(user=user, company=acme, started_at=at(hour), outcome=outcome,
                              person=person, answered_by=answered_by)

    # Direct connects: the target answered (recorded or not), or a main line someone answered.
    call(8, Outcome.CONNECTED, person=vp)
    call(9, Outcome.NOT_INTERESTED, person=vp, answered_by=vp)
    call(10, Outcome.CONNECTED)  # main line, nobody recorded as answering: a connect
    # Put through: Melinda, or a colleague, answered and passed the call on to the target.
    call(11, Outcome.CALL_BACK, person=vp, answered_by=melinda)
    call(12, Outcome.REFERRAL, person=vp, answered_by=peer)
    # Gatekeeper only: the gatekeeper outcome, a name from the receptionist on the main line,
    # and Melinda sending the call to voicemail.
    call(13, Outcome.GATEKEEPER, person=vp, answered_by=melinda)
    call(14, Outcome.REFERRAL, answered_by=melinda)
    call(15, Outcome.VOICEMAIL, person=vp, answered_by=melinda)
    # Nobody answered.
    call(16, Outcome.VOICEMAIL, person=vp)
    call(17, Outcome.NO_ANSWER, person=vp)
    _db.session.commit()
    return user


def test_connects_put_throughs_and_gatekeeper_pickups_are_exact(dials):
    flt = MetricsFilter(first=date(2025, 6, 2), last=date(2025, 6, 2), tz_name="UTC",
                        user_id=None, grouping="day", funnel_scope="period")
    t = compute_metrics(flt, at(23)).total
    assert (t.dials, t.connects, t.put_throughs, t.gatekeeper_pickups) == (10, 5, 2, 3)
    assert t.connect_rate == pytest.approx(0.5)
    assert t.gatekeeper_pickup_rate == pytest.approx(0.3)
    # "Gatekeepers met" keeps its meaning: every call a gatekeeper answered, put through or not.
    assert (t.gatekeepers, t.voicemails) == (4, 2)


def test_page_and_csv_report_them_apart(dials, logged_in):
    html = logged_in.get("/metrics", query_string=DAY).get_data(as_text=True)
    assert re.search(r'id="kpi-connects">5<', html) and "50.0% connect rate" in html
    assert re.search(r'id="kpi-put-throughs">2<', html)
    assert re.search(r'id="kpi-gatekeeper-pickups">3<', html) and "30.0% of dials" in html
    assert "pick-up is not a connect" in html
    assert "Answered <small>(any pick-up)</small>" in html
    rows = list(csv.DictReader(io.StringIO(
        logged_in.get("/metrics.csv", query_string=DAY).get_data(as_text=True))))
    team = rows[-1]
    assert team["recruiter"] == "Team"
    assert (team["dials"], team["connects"], team["connect_rate_pct"]) == ("10", "5", "50.0")
    assert (team["put_throughs"], team["gatekeeper_pickups"],
            team["gatekeeper_pickup_rate_pct"]) == ("2", "3", "30.0")
    # Old columns keep their places; the new ones come after them.
    assert list(rows[0])[:6] == ["period_start", "period_end", "recruiter_id", "recruiter",
                                 "dials", "connects"]
    assert list(rows[0])[-3:] == ["put_throughs", "gatekeeper_pickups",
                                  "gatekeeper_pickup_rate_pct"]
