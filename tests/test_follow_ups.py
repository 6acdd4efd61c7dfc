"""The home page's follow-ups: mine, due today in my time zone or overdue, and closable."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from tests.conftest import AuthActions


def _local(tz: str, days: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time `days` from today in zone tz, as UTC."""
    zone = ZoneInfo(tz)
    today = datetime.now(zone).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute),
                            tzinfo=zone).astimezone(UTC)


def _shown(client) -> list[int]:
    page = client.get("/").get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-call-id="(\d+)"', page)]


# Far from UTC on both sides, so "today" there is often not today in UTC.
@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"])
def test_home_lists_my_follow_ups_due_today_in_my_zone_and_overdue_ones(logged_in, user, db, tz):
    user.timezone = tz
    db.session.commit()

    def follow_up(at, **extra):
        return factories.CallFactory(user=user, follow_up_at=at, **extra)

    overdue = follow_up(_local(tz, -3, 9), follow_up_note="Chase the CFO")
    early_today = follow_up(_local(tz, 0, 0, 5))
    late_today = follow_up(_local(tz, 0, 23, 55))
    follow_up(_local(tz, 1, 0, 5))  # tomorrow, just after midnight
    follow_up(_local(tz, 5, 12))  # next week
    follow_up(_local(tz, -1, 9), follow_up_done_at=datetime.now(UTC))  # already done
    factories.CallFactory(user=user)  # no follow-up at all
    factories.CallFactory(follow_up_at=_local(tz, 0, 9))  # a colleague's, due today

    assert _shown(logged_in) == [overdue.id, early_today.id, late_today.id]
    page = logged_in.get("/").get_data(as_text=True)
    assert "Chase the CFO" in page
    assert 'Follow-ups due today and overdue <span class="count">3</span>' in page


def test_follow_up_times_are_shown_in_my_zone_and_overdue_ones_are_marked(logged_in, user):
    overdue = factories.CallFactory(user=user, follow_up_at=datetime(2024, 1, 15, 15, 0,
                                                                     tzinfo=UTC))
    page = logged_in.get("/").get_data(as_text=True)
    item = re.search(rf'<li class="([^"]*)" data-call-id="{overdue.id}">(.*?)</li>', page, re.S)
    assert item.group(1) == "overdue"
    assert "Mon 15 Jan 2024, 10:00" in item.group(2)
    assert f'href="/calls/new?follow_up={overdue.id}"' in item.group(2)


def test_the_done_button_closes_a_follow_up(logged_in, user, db):
    call = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC) - timedelta(hours=2))
    page = logged_in.get("/").get_data(as_text=True)
    assert f'action="/calls/{call.id}/follow-up/done"' in page
    response = logged_in.post(f"/calls/{call.id}/follow-up/done")
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.follow_up_done_at is not None and not call.follow_up_open
    assert _shown(logged_in) == []
    assert "Nothing due." in logged_in.get("/").get_data(as_text=True)


def test_done_returns_to_the_page_it_was_pressed_on_but_never_off_site(logged_in, user):
    one = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC))
    two = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC))
    response = logged_in.post(f"/calls/{one.id}/follow-up/done",
                              headers={"Referer": f"http://localhost/companies/{one.company_id}"})
    assert response.headers["Location"] == f"http://localhost/companies/{one.company_id}"
    response = logged_in.post(f"/calls/{two.id}/follow-up/done",
                              headers={"Referer": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_recruiter_cannot_close_a_colleagues_follow_up(logged_in, db):
    theirs = factories.CallFactory(follow_up_at=datetime.now(UTC))
    assert logged_in.post(f"/calls/{theirs.id}/follow-up/done").status_code == 403
    db.session.refresh(theirs)
    assert theirs.follow_up_done_at is None


def test_an_admin_can_close_anyones_follow_up(client, admin, db):
    theirs = factories.CallFactory(follow_up_at=datetime.now(UTC))
    AuthActions(client).login(email="ada@example.com")
    assert client.post(f"/calls/{theirs.id}/follow-up/done").status_code == 302
    db.session.refresh(theirs)
    assert theirs.follow_up_done_at is not None


def test_closing_a_follow_up_needs_post(logged_in, user):
    call = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC))
    assert logged_in.get(f"/calls/{call.id}/follow-up/done").status_code == 405
    assert _shown(logged_in) == [call.id]


def test_a_follow_up_is_set_when_logging_a_call_in_my_zone(logged_in, user, db):
    company = factories.CompanyFactory()
    response = logged_in.post("/calls/new", data={
        "company_id": str(company.id), "outcome": "call_back",
        "follow_up_at": "2024-01-15T10:00", "follow_up_note": "After the board meeting"})
    assert response.status_code == 302, response.get_data(as_text=True)
    call = company.calls[0]
    assert call.follow_up_at == datetime(2024, 1, 15, 15, 0, tzinfo=UTC)
    assert call.follow_up_note == "After the board meeting"
    assert _shown(logged_in) == [call.id]


def test_a_next_step_without_a_date_is_refused(logged_in, db):
    company = factories.CompanyFactory()
    response = logged_in.post("/calls/new", data={
        "company_id": str(company.id), "outcome": "call_back", "follow_up_note": "Someday"})
    assert response.status_code == 422
    assert "Pick when to follow up." in response.get_data(as_text=True)
    assert company.calls == []


def _log_after(client, previous, **extra):
    return client.post("/calls/new", data={"company_id": str(previous.company_id),
                                           "outcome": "call_back",
                                           "previous_call_id": str(previous.id), **extra})


def test_logging_a_call_cannot_close_a_colleagues_follow_up(logged_in, db):
    theirs = factories.CallFactory(follow_up_at=datetime.now(UTC))
    response = _log_after(logged_in, theirs)
    assert response.status_code == 422
    assert "belongs to" in response.get_data(as_text=True)
    db.session.refresh(theirs)
    assert theirs.follow_up_done_at is None
    assert len(theirs.company.calls) == 1  # nothing else was written


def test_logging_a_call_closes_my_own_follow_up(logged_in, user, db):
    mine = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC))
    assert _log_after(logged_in, mine).status_code == 302
    db.session.refresh(mine)
    assert mine.follow_up_done_at is not None


def test_an_admin_closes_anyones_follow_up_by_logging_the_call(client, admin, db):
    theirs = factories.CallFactory(follow_up_at=datetime.now(UTC))
    AuthActions(client).login(email="ada@example.com")
    assert _log_after(client, theirs).status_code == 302
    db.session.refresh(theirs)
    assert theirs.follow_up_done_at is not None


def test_a_colleagues_follow_up_link_is_not_carried_into_my_call_form(logged_in, user):
    theirs = factories.CallFactory(follow_up_at=datetime.now(UTC))
    mine = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC))
    page = logged_in.get(f"/calls/new?follow_up={theirs.id}").get_data(as_text=True)
    assert f'name="previous_call_id" type="hidden" value="{theirs.id}"' not in page
    page = logged_in.get(f"/calls/new?follow_up={mine.id}").get_data(as_text=True)
    assert f'name="previous_call_id" type="hidden" value="{mine.id}"' in page


@pytest.mark.parametrize("method", ["post", "patch"])
def test_the_api_cannot_close_a_colleagues_follow_up_through_a_call(client, user, db, method):
    from app.auth.service import issue_token

    theirs = factories.CallFactory(follow_up_at=datetime.now(UTC))
    mine = factories.CallFactory(user=user, company=theirs.company)
    headers = {"Authorization": f"Bearer {issue_token(user)}"}
    body = {"company_id": theirs.company_id, "outcome": "busy", "previous_call_id": theirs.id}
    url = "/api/v1/calls" if method == "post" else f"/api/v1/calls/{mine.id}"
    response = getattr(client, method)(url, json=body, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "belongs to" in response.get_json()["fields"]["previous_call_id"]
    db.session.expire_all()
    assert db.session.get(type(theirs), theirs.id).follow_up_done_at is None


def test_editing_a_call_cannot_make_it_carry_out_its_own_follow_up(logged_in, user, db):
    mine = factories.CallFactory(user=user, follow_up_at=datetime.now(UTC))
    data = {"company_id": str(mine.company_id), "outcome": "no_answer",
            "previous_call_id": str(mine.id)}
    response = logged_in.post(f"/calls/{mine.id}/edit", data=data)
    assert response.status_code == 422  # was a 500 (a circular dependency at flush)
    assert "its own follow-up" in response.get_data(as_text=True)
    db.session.refresh(mine)
    assert mine.previous_call_id is None and mine.follow_up_done_at is None
