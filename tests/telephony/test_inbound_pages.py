"""An inbound call from a number nobody has on file has no company: every page still shows it."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Direction, QueueItem, SearchEntry, now_utc
from app.search.service import run_search
from tests import factories

STRANGER = "+13125550177"


@pytest.fixture
def unknown_call(user):
    """A missed call from an unknown number, routed to the ring group, with a message."""
    call = Call(user=user, direction=Direction.INBOUND, caller_id=STRANGER,
                to_number="+12025550143", twilio_call_sid="CA" + "3" * 32,
                twilio_status="no-answer", started_at=now_utc(), follow_up_at=now_utc(),
                follow_up_note="Missed call from (312) 555-0177 — call back",
                recording_status="completed", recording_duration=14,
                recording_sid="RE" + "3" * 32)
    db.session.add(call)
    db.session.commit()
    return call


@pytest.fixture
def answered_call(user, person):
    """An inbound call Rita took from Peter, not logged yet."""
    call = Call(user=user, routed_to=user, direction=Direction.INBOUND, person=person,
                company=person.company, caller_id=person.direct_phone,
                to_number="+12025550143", twilio_call_sid="CA" + "4" * 32,
                twilio_status="completed", started_at=now_utc(), answered_at=now_utc(),
                duration_seconds=80)
    db.session.add(call)
    db.session.commit()
    return call


def test_the_call_page_says_inbound_from_the_number_and_who_it_was_routed_to(
    logged_in, unknown_call, answered_call
):
    page = logged_in.get(f"/calls/{unknown_call.id}").get_data(as_text=True)
    assert "Call from (312) 555-0177" in page and "None" not in page
    assert "routed to the team" in page and "missed" in page
    assert "Message left" in page
    assert f'src="/calls/{unknown_call.id}/recording"' in page
    page = logged_in.get(f"/calls/{answered_call.id}").get_data(as_text=True)
    assert "Call from" in page and "Initech" in page and "routed to Rita Recruiter" in page
    assert "missed" not in page


def test_the_call_list_marks_inbound_calls_and_shows_the_callers_number(
    logged_in, unknown_call, answered_call
):
    response = logged_in.get("/calls/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count(">Inbound</span>") == 2
    assert "(312) 555-0177" in page and "(212) 555-0142" in page and "None" not in page


def test_today_search_metrics_and_edit_cope_with_a_call_without_company(
    logged_in, unknown_call, answered_call, user
):
    today = logged_in.get("/")
    assert today.status_code == 200 and "None" not in today.get_data(as_text=True)
    assert db.session.scalars(select(SearchEntry).where(
        SearchEntry.ref_id == unknown_call.id, SearchEntry.kind == "call")).first() is not None
    assert [c.id for c in run_search("missed").calls.items] == [unknown_call.id]
    search = logged_in.get("/search/?q=missed")
    assert search.status_code == 200 and "(312) 555-0177" in search.get_data(as_text=True)
    assert logged_in.get("/metrics").status_code == 200
    assert logged_in.get("/metrics.csv").status_code == 200
    edit = logged_in.get(f"/calls/{unknown_call.id}/edit")
    assert edit.status_code == 200 and "— pick a company —" in edit.get_data(as_text=True)
    dialer = logged_in.get(f"/calls/new?follow_up={unknown_call.id}&dial=1")
    assert dialer.status_code == 200


def test_an_unknown_callers_call_gets_a_company_when_edited(logged_in, unknown_call, company):
    saved = logged_in.post(f"/calls/{unknown_call.id}/edit", data={
        "company_id": str(company.id), "outcome": "connected", "to_number": "",
        "started_at": "2026-11-26T10:00", "notes": "Wants to hear about the role"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    call = db.session.get(Call, unknown_call.id)
    assert call.company_id == company.id and call.caller_id == STRANGER
    assert call.direction == Direction.INBOUND


def test_inbound_calls_are_not_counted_as_dials(logged_in, unknown_call, answered_call, user,
                                                company):
    factories.CallFactory(user=user, company=company, started_at=now_utc())
    page = logged_in.get("/metrics").get_data(as_text=True)
    assert re.search(r'id="kpi-dials">1<', page), "an inbound call counted as a dial"


def test_neither_calls_to_us_nor_bridge_calls_never_placed_count_as_dials_anywhere(
    logged_in, unknown_call, answered_call, user, company
):
    from datetime import timedelta

    from app.models import CallingSession
    from app.queue.sessions import sessions_between

    start = now_utc() - timedelta(minutes=30)
    factories.CallFactory(user=user, company=company, started_at=now_utc())
    factories.CallFactory(user=user, company=company, started_at=now_utc(), outcome=None,
                          dialed_via="bridge", twilio_status="agent-no-key")
    db.session.add(CallingSession(user_id=user.id, started_at=start, last_activity_at=now_utc(),
                                  ended_at=now_utc() + timedelta(minutes=1)))
    db.session.commit()
    page = logged_in.get("/metrics").get_data(as_text=True)
    assert re.search(r'id="kpi-dials">1<', page)
    block = sessions_between(start - timedelta(minutes=1), now_utc() + timedelta(minutes=2))
    assert block.team.dials == 1


def test_the_queue_builds_from_a_known_callers_missed_call_and_skips_an_unknown_one(
    logged_in, unknown_call, user, person
):
    known = Call(user=user, direction=Direction.INBOUND, person=person, company=person.company,
                 caller_id=person.direct_phone, twilio_call_sid="CA" + "5" * 32,
                 twilio_status="no-answer", started_at=now_utc(), follow_up_at=now_utc(),
                 follow_up_note="Missed call from Peter Gibbons (Initech) — call back")
    db.session.add(known)
    db.session.commit()
    response = logged_in.post("/queue/build", data={"source": "follow_ups"})
    assert response.status_code in (302, 303)
    items = db.session.scalars(select(QueueItem)).all()
    assert [(i.person_id, i.source_call_id) for i in items] == [(person.id, known.id)]
