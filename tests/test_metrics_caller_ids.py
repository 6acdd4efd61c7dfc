"""Answer rate by caller ID on the metrics page: counts checked against a hand-counted fixture."""

import re
from datetime import timedelta

import pytest

from app.metrics.caller_ids import answer_rate_by_caller_id, binomial_at_most, improbably_low
from app.metrics.filters import parse_filters
from app.models import Direction, Outcome, now_utc
from tests import factories

NYC, LA, OLD = "+12125550101", "+13105550102", "+12025550103"


@pytest.fixture
def calls(user):
    """Hand-counted, over the last 30 days (the page's default period):

    NYC: 10 calls with an outcome, 20 and 25 days ago: 3 connected, 1 gatekeeper, 1 referral
         (answered 5, reached 4), 5 no answer; in the last 7 days 2 more: 1 call back, 1 busy.
         Total 12 calls, 6 answered, 5 reached; last 7 days 1 of 2.
    LA:  4 calls 3 days ago, all voicemail: 0 answered; last 7 days 0 of 4.
    Not counted: a call still unlogged (no outcome), a hand-logged call (no caller ID), an
    inbound call, a call 40 days ago, and Bob's call when Rita alone is shown.
    """
    now = now_utc()
    company = factories.CompanyFactory(name="Initech")

    def call(caller_id, days_ago, outcome, who=user, **kw):
        factories.CallFactory(user=who, company=company, caller_id=caller_id, outcome=outcome,
                              started_at=now - timedelta(days=days_ago, hours=1), **kw)

    for outcome in [Outcome.CONNECTED] * 3 + [Outcome.GATEKEEPER, Outcome.REFERRAL]:
        call(NYC, 20, outcome)
    for _ in range(5):
        call(NYC, 25, Outcome.NO_ANSWER)
    call(NYC, 2, Outcome.CALL_BACK)
    call(NYC, 1, Outcome.BUSY)
    for _ in range(4):
        call(LA, 3, Outcome.VOICEMAIL)
    call(LA, 1, None)  # placed, not logged yet
    call(None, 1, Outcome.CONNECTED)  # logged by hand
    call(NYC, 1, Outcome.CONNECTED, direction=Direction.INBOUND)
    call(OLD, 40, Outcome.CONNECTED)  # before the period
    bob = factories.UserFactory(email="bob@example.com", name="Bob")
    call(OLD, 1, Outcome.CONNECTED, who=bob)
    return company


def test_the_table_counts_calls_answers_and_targets_reached_per_caller_id(app, user, calls):
    table = answer_rate_by_caller_id(parse_filters({"recruiter": str(user.id)}, user, now_utc()))
    got = {r.caller_id: (r.calls, r.answered, r.reached, r.recent_calls, r.recent_answered)
           for r in table.rows}
    assert got == {NYC: (12, 6, 5, 2, 1), LA: (4, 0, 0, 4, 0)}
    assert [r.caller_id for r in table.rows] == [NYC, LA]  # most calls first
    assert (table.calls, table.answered, table.reached) == (16, 6, 5)
    assert table.rows[0].answer_rate == 0.5 and table.rows[0].reach_rate == 5 / 12
    assert table.rows[0].last_call > now_utc() - timedelta(days=1, hours=2)


def test_the_team_view_includes_every_recruiters_calls(app, user, calls):
    table = answer_rate_by_caller_id(parse_filters({}, user, now_utc()))
    assert {r.caller_id: r.calls for r in table.rows} == {NYC: 12, LA: 4, OLD: 1}


def test_a_number_with_no_answers_in_4_recent_calls_is_not_yet_flagged(app, user, calls):
    # Pool rate 6/16: 4 calls all unanswered happen (10/16)^4 = 15% of the time: not a signal.
    table = answer_rate_by_caller_id(parse_filters({"recruiter": str(user.id)}, user, now_utc()))
    assert not any(r.flagged for r in table.rows)


def test_a_number_people_stopped_answering_is_flagged_on_the_page(app, user, calls, logged_in):
    company = calls
    for _ in range(6):  # LA: 10 recent calls, none answered: (10/22)^10 = 0.04% at the pool rate
        factories.CallFactory(user=user, company=company, caller_id=LA, outcome=Outcome.NO_ANSWER,
                              started_at=now_utc() - timedelta(hours=3))
    page = logged_in.get(f"/metrics?recruiter={user.id}").get_data(as_text=True)
    table = re.search(r'<table class="list metrics-table" id="caller-ids">.*?</table>', page,
                      re.S).group(0)
    rows = re.findall(r"<tr( class=\"flagged\")?><th scope=\"row\">(.*?)</th>(.*?)</tr>", table,
                      re.S)
    cells = {re.sub(r"<.*", "", head).strip(): (bool(flag), re.findall(
        r'<td class="num">([^<]*)', rest)) for flag, head, rest in rows}
    assert cells["(212) 555-0101"] == (False, ["12", "6", "50.0%", "5", "41.7%", "50.0% "])
    assert cells["(310) 555-0102"] == (True, ["10", "0", "0.0%", "0", "0.0%", "0.0% "])
    assert "Far below the pool" in table
    assert re.search(r'<th scope="row">Pool</th><td class="num">22</td><td class="num">6</td>',
                     table)


def test_the_binomial_test_behind_the_flag():
    assert binomial_at_most(0, 4, 0.5) == 1 / 16
    assert binomial_at_most(4, 4, 0.3) == pytest.approx(1)
    assert improbably_low(0, 40, 0.08) and not improbably_low(0, 30, 0.08)
    assert not improbably_low(0, 0, 0.5) and not improbably_low(0, 100, 0.0)


def test_an_empty_period_says_so(app, user, logged_in):
    page = logged_in.get("/metrics").get_data(as_text=True)
    assert "No calls placed through Twilio with an outcome in this period." in page
