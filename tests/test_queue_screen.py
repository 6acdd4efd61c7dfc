"""The calling screen at /queue: take, card, bound call form, save and next, skip, snooze, add."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import g, request_started
from sqlalchemy import select

from app.models import (
    Call,
    Outcome,
    Person,
    PersonStatus,
    QueueItem,
    QueueReason,
    QueueStatus,
)
from app.queue.service import add_to_queue, take_next
from tests import factories
from tests.conftest import PASSWORD, app_on_empty_schema

SCREEN = {"X-Switchboard-Screen": "1"}


def held(page: str) -> int | None:
    """The item id the screen shows as the current target (the workspace's own attribute)."""
    found = re.search(r'<div class="workspace" data-item-id="(\d*)"', page)
    return int(found.group(1)) if found and found.group(1) else None


def message(page: str) -> str:
    found = re.search(r'id="screen-(?:message|error)"[^>]*>([^<]*)<', page)
    return found.group(1) if found else ""


def fresh(db, item_id: int) -> QueueItem:
    db.session.expire_all()
    return db.session.get(QueueItem, item_id)


@pytest.fixture
def acme(db):
    """A company with three callable people (direct dials), one empty box and a gatekeeper."""
    company = factories.CompanyFactory(name="Acme Widgets", main_phone="+12125550100")
    people = [factories.PersonFactory(company=company, full_name=f"Target {n}", title="Director",
                                      direct_phone=f"+1212555011{n}") for n in range(3)]
    return {"company": company, "people": people}


@pytest.fixture
def queued(user, acme):
    """The three people queued by hand for the signed-in recruiter."""
    return [add_to_queue(user, person=p)[0] for p in acme["people"]]


def log_form(company, **extra) -> dict:
    return {"company_id": company.id, "outcome": "gatekeeper", "notes": "Spoke to reception.",
            **extra}


def test_the_screen_needs_a_sign_in(client):
    response = client.get("/queue")
    assert response.status_code == 302 and "/login" in response.location


def test_an_empty_queue_says_so_and_offers_ways_to_fill_it(logged_in):
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "Nothing to call right now" in page
    for button in ("Add due follow-ups", "Add gaps", 'href="/queue"'):
        assert button in page
    assert held(page) is None


def test_taking_next_shows_the_target_card_and_binds_the_call_form(logged_in, queued, acme):
    response = logged_in.post("/queue/next", headers=SCREEN)
    assert response.status_code == 200
    assert response.headers["X-Switchboard-Fragment"] == "1"
    page = response.get_data(as_text=True)
    first = queued[0]
    assert held(page) == first.id
    assert "Next: Target 0 at Acme Widgets." in message(page)
    assert 'id="target-title"' in page and "Target 0" in page
    assert "(212) 555-0110" in page  # the number to dial, on the card and in the form
    assert f'name="queue_item_id" type="hidden" value="{first.id}"' in page
    assert f'<option selected value="{acme["people"][0].id}">' in page
    assert f'name="draft_key" type="hidden" value="queue:{first.id}"' in page
    assert f'action="/queue/{first.id}/log"' in page
    assert "Save and next" in page


def test_save_and_next_logs_the_call_with_its_name_marks_done_and_takes_the_next(
        logged_in, db, queued, acme):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    response = logged_in.post(f"/queue/{first}/log", headers=SCREEN, data=log_form(
        acme["company"], person_id=acme["people"][0].id, **{
            "people-0-full_name": "Nina Newname", "people-0-title": "VP Engineering",
            "people-0-role": "other"}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message(page).startswith("Call to Acme Widgets logged with 2 people linked. Next:")
    item = fresh(db, first)
    assert item.status == QueueStatus.DONE and item.call_id is not None
    call = db.session.get(Call, item.call_id)
    assert {p.full_name for p in call.people} == {"Target 0", "Nina Newname"}
    assert call.outcome == Outcome.GATEKEEPER
    second = held(page)
    assert second not in (None, first)
    assert fresh(db, second).status == QueueStatus.CLAIMED


def test_after_a_swap_the_list_and_block_numbers_follow_in_a_second_request(
        logged_in, queued, acme):
    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    assert '<div class="block-strip" id="block-strip" data-later></div>' in page
    assert 'aria-label="My queue" data-later>' in page and "queue-item" not in page
    side = logged_in.get("/queue/side", headers=SCREEN)
    assert side.headers["X-Switchboard-Fragment"] == "1"
    html = side.get_data(as_text=True)
    assert 'id="stat-dials">0<' in html
    assert html.count('<li class="queue-item') == 2  # the two not taken, in take order
    assert html.index("Target 1") < html.index("Target 2")
    assert f'<option value="{acme["company"].id}" selected>' in html


def test_a_big_company_s_people_are_fetched_by_the_form_not_sent_with_it(logged_in, db, user,
                                                                        acme):
    from app.calls.prefill import SERVER_OPTIONS

    db.session.add_all(Person(company_id=acme["company"].id, full_name=f"Staff {n:03d}")
                       for n in range(SERVER_OPTIONS))
    db.session.commit()
    add_to_queue(user, person=acme["people"][0])
    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    assert 'data-people-lazy="1"' in page
    assert "Staff 000" not in page  # neither in the pickers nor in the people list
    assert f'<option selected value="{acme["people"][0].id}">' in page
    assert 'data-people-lazy="1"' in logged_in.get("/queue").get_data(as_text=True)
    people = logged_in.get(f"/calls/company-people/{acme['company'].id}").get_json()["people"]
    assert len(people) == SERVER_OPTIONS + 3


def test_a_refused_log_answers_422_with_everything_typed_and_keeps_the_target(
        logged_in, db, queued, acme):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    response = logged_in.post(f"/queue/{first}/log", headers=SCREEN, data={
        "company_id": acme["company"].id, "notes": "Typed while talking <b>bold</b>",
        "people-0-full_name": "Half Typed"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert held(page) == first
    assert "Pick how the call went." in page
    assert "Typed while talking &lt;b&gt;bold&lt;/b&gt;" in page
    assert 'value="Half Typed"' in page
    assert db.session.scalar(select(Call.id)) is None
    assert fresh(db, first).status == QueueStatus.CLAIMED


def test_without_javascript_save_and_next_redirects_to_the_next_target(logged_in, queued, acme):
    logged_in.post("/queue/next")
    first = held(logged_in.get("/queue").get_data(as_text=True))
    response = logged_in.post(f"/queue/{first}/log", data=log_form(acme["company"]))
    assert response.status_code == 302 and response.location.endswith("/queue")
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "Call to Acme Widgets logged." in page
    assert held(page) not in (None, first)


def test_a_refused_log_without_javascript_is_the_whole_page_with_errors(logged_in, queued, acme):
    logged_in.post("/queue/next")
    first = held(logged_in.get("/queue").get_data(as_text=True))
    response = logged_in.post(f"/queue/{first}/log", data={"company_id": acme["company"].id})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<html" in page and "Pick how the call went." in page and held(page) == first


def test_a_follow_up_item_closes_its_follow_up_when_logged(logged_in, user, db, acme):
    person = acme["people"][0]
    earlier = factories.CallFactory(user=user, company=acme["company"], person=person,
                                    follow_up_at=datetime.now(UTC) - timedelta(hours=1),
                                    follow_up_note="Ask about the platform team")
    item, _ = add_to_queue(user, person=person, reason=QueueReason.FOLLOW_UP,
                           source_call=earlier, next_step="Ask about the platform team")
    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    assert held(page) == item.id
    assert f'name="previous_call_id" type="hidden" value="{earlier.id}"' in page
    assert "Follow-up of the" in page and "Ask about the platform team" in page
    logged_in.post(f"/queue/{item.id}/log", headers=SCREEN, data=log_form(
        acme["company"], person_id=person.id, previous_call_id=earlier.id))
    db.session.expire_all()
    assert db.session.get(Call, earlier.id).follow_up_done_at is not None


def test_the_card_shows_the_last_calls_with_notes_and_next_steps(logged_in, user, acme):
    person = acme["people"][0]
    for n in range(7):
        factories.CallFactory(user=user, company=acme["company"], person=person,
                              started_at=datetime(2026, 1, 1 + n, 15, tzinfo=UTC),
                              notes=f"Note number {n}", follow_up_note=f"Step {n}",
                              follow_up_at=datetime(2026, 2, 1, tzinfo=UTC),
                              follow_up_done_at=datetime(2026, 2, 1, tzinfo=UTC))
    add_to_queue(user, person=person)
    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    recent = page[page.index('class="recent-calls"'):]
    assert [int(n) for n in re.findall(r"Note number (\d)", recent)] == [6, 5, 4, 3, 2]
    assert "Step 6" in recent


def test_a_main_line_item_shows_whom_to_ask_for_and_the_gatekeepers(logged_in, user, acme):
    receptionist = factories.PersonFactory(company=acme["company"], full_name="Melinda Front",
                                           title="Receptionist")
    factories.CallFactory(user=user, company=acme["company"], answered_by=receptionist,
                          outcome=Outcome.GATEKEEPER, notes="Melinda takes messages only")
    add_to_queue(user, company=acme["company"], ask_for="the VP Engineering")
    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    assert "Acme Widgets <span class=\"muted\">main line</span>" in page
    assert 'Ask for</span> the VP Engineering' in page
    assert "Ask for: the VP Engineering." in page  # the notes' placeholder
    assert "Gatekeepers on this line" in page and "Melinda Front" in page


def test_a_company_outside_its_calling_hours_is_flagged(logged_in, user, acme, db):
    now = datetime.now(UTC)
    night = next(zone for zone in ("Asia/Tokyo", "America/Los_Angeles", "Europe/London",
                                   "Pacific/Kiritimati", "Asia/Kolkata", "America/New_York")
                 if not 8 <= now.astimezone(__import__("zoneinfo").ZoneInfo(zone)).hour < 21)
    acme["company"].timezone = night
    db.session.commit()
    add_to_queue(user, person=acme["people"][0])
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "outside hours" in page  # in the list
    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    assert "Outside calling hours" in page and night in page


def test_skip_needs_a_reason_and_then_takes_the_next(logged_in, db, queued):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    refused = logged_in.post(f"/queue/{first}/skip", headers=SCREEN, data={"reason_text": " "})
    assert refused.status_code == 422
    assert "reason" in message(refused.get_data(as_text=True)).lower()
    assert fresh(db, first).status == QueueStatus.CLAIMED
    page = logged_in.post(f"/queue/{first}/skip", headers=SCREEN, data={
        "reason": "Not a fit for this search", "reason_text": "Moved to sales"}).get_data(
        as_text=True)
    item = fresh(db, first)
    assert item.status == QueueStatus.SKIPPED and item.skip_reason == "Moved to sales"
    assert message(page).startswith("Skipped. Next:") and held(page) not in (None, first)
    second = held(page)
    logged_in.post(f"/queue/{second}/skip", headers=SCREEN, data={"reason": "Not a fit"})
    assert fresh(db, second).skip_reason == "Not a fit"


def test_snooze_for_an_hour_or_until_a_typed_time(logged_in, db, queued, user):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    page = logged_in.post(f"/queue/{first}/snooze", headers=SCREEN,
                          data={"when": "1h"}).get_data(as_text=True)
    item = fresh(db, first)
    assert item.status == QueueStatus.SNOOZED
    assert timedelta(minutes=59) < item.snoozed_until - datetime.now(UTC) <= timedelta(hours=1)
    assert message(page).startswith("Snoozed until")
    second = held(page)
    past = logged_in.post(f"/queue/{second}/snooze", headers=SCREEN,
                          data={"until": "2020-01-01T09:00"})
    assert past.status_code == 422 and "future" in message(past.get_data(as_text=True))
    bogus = logged_in.post(f"/queue/{second}/snooze", headers=SCREEN, data={"when": "forever"})
    assert bogus.status_code == 422
    logged_in.post(f"/queue/{second}/snooze", headers=SCREEN,
                   data={"until": "2099-01-01T09:00"})
    assert fresh(db, second).status == QueueStatus.CLAIMED  # more than 90 days: refused


def test_snooze_until_the_next_working_day_uses_the_company_s_morning(logged_in, db, queued,
                                                                     user, acme):
    from app.queue.quick_times import quick_follow_ups

    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    expected = quick_follow_ups(acme["company"], user, datetime.now(UTC))[0].at
    logged_in.post(f"/queue/{first}/snooze", headers=SCREEN, data={"when": "tomorrow"})
    assert fresh(db, first).snoozed_until == expected


def test_the_bound_form_offers_the_quick_follow_up_times(logged_in, queued, user, acme):
    from app.queue.quick_times import quick_follow_ups

    page = logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True)
    choices = quick_follow_ups(acme["company"], user, datetime.now(UTC))
    buttons = re.findall(r'class="quick-time" data-value="([^"]+)" data-key="(\d)"', page)
    assert buttons == [(q.user_local, q.key) for q in choices]


def test_put_back_leaves_nothing_held(logged_in, db, queued):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    page = logged_in.post(f"/queue/{first}/release", headers=SCREEN).get_data(as_text=True)
    assert held(page) is None and fresh(db, first).status == QueueStatus.PENDING
    assert "Press N to take the next target" in page


def test_the_screen_extends_a_claim_it_holds(logged_in, db, queued):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    before = fresh(db, first).claimed_until
    response = logged_in.post(f"/queue/{first}/extend")
    assert response.status_code == 200
    assert fresh(db, first).claimed_until >= before
    logged_in.post(f"/queue/{first}/release", headers=SCREEN)
    refused = logged_in.post(f"/queue/{first}/extend")
    assert refused.status_code == 409 and "hold" in refused.get_json()["message"]


def test_another_recruiters_items_are_not_found(logged_in, db, acme):
    colleague = factories.UserFactory(name="Cole League")
    item, _ = add_to_queue(colleague, person=acme["people"][0])
    for action in ("log", "skip", "snooze", "release", "extend"):
        assert logged_in.post(f"/queue/{item.id}/{action}", headers=SCREEN).status_code == 404
    assert fresh(db, item.id).status == QueueStatus.PENDING


def test_a_line_held_by_a_teammate_is_named_in_my_queue(logged_in, user, db, acme):
    colleague = factories.UserFactory(name="Cole League")
    add_to_queue(colleague, person=acme["people"][0])
    take_next(colleague)
    add_to_queue(user, person=acme["people"][0])
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "Held by Cole League" in page
    assert "1 is held by teammates" in page
    response = logged_in.post("/queue/next", headers=SCREEN)
    assert held(response.get_data(as_text=True)) is None
    assert "Nothing left to call now." in message(response.get_data(as_text=True))


def test_the_screen_shows_which_targets_teammates_are_calling_now(logged_in, user, db, acme):
    colleague = factories.UserFactory(name="Cole League")
    add_to_queue(colleague, person=acme["people"][1])
    take_next(colleague)
    page = logged_in.get("/queue").get_data(as_text=True)
    team = page[page.index('id="queue-team"'):page.index('id="queue-build"')]
    assert "Cole League" in team and "Target 1" in team and "Acme Widgets" in team
    item = db.session.scalars(select(QueueItem).where(QueueItem.user_id == colleague.id)).one()
    item.claimed_until = datetime.now(UTC) - timedelta(seconds=1)  # the claim ran out
    db.session.commit()
    team = logged_in.get("/queue").get_data(as_text=True)
    assert "Nobody else holds a target right now." in team


def test_an_item_closed_meanwhile_still_gets_its_call_logged(logged_in, db, user, queued, acme):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    item = fresh(db, first)
    item.status = QueueStatus.SKIPPED  # skipped from another tab
    db.session.commit()
    response = logged_in.post(f"/queue/{first}/log", headers=SCREEN,
                              data=log_form(acme["company"]))
    assert response.status_code == 200
    assert db.session.scalar(select(Call.id)) is not None


def test_add_to_queue_from_a_person_page(logged_in, db, user, acme):
    person = acme["people"][0]
    page = logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    assert 'id="add-to-queue"' in page
    response = logged_in.post("/queue/add", data={"person_id": person.id},
                              headers={"Referer": f"http://localhost/people/{person.id}"})
    assert response.status_code == 303 and response.location == f"/people/{person.id}"
    assert "Added to your queue: Target 0 at Acme Widgets." in logged_in.get(
        response.location).get_data(as_text=True)
    logged_in.post("/queue/add", data={"person_id": person.id})
    assert len(db.session.scalars(select(QueueItem)).all()) == 1


def test_a_do_not_call_person_is_refused_with_the_reason(logged_in, db, acme):
    person = acme["people"][0]
    person.status = PersonStatus.DO_NOT_CALL
    db.session.commit()
    assert 'id="add-to-queue"' not in logged_in.get(f"/people/{person.id}").get_data(as_text=True)
    logged_in.post("/queue/add", data={"person_id": person.id})
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "Not added: Target 0 asked not to be called (do not call)." in page
    assert db.session.scalar(select(QueueItem.id)) is None


def test_the_company_page_queues_the_main_line_asking_for_someone(logged_in, db, acme):
    company = acme["company"]
    page = logged_in.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Add main line to queue" in page and "Queue its org-chart gaps" in page
    logged_in.post("/queue/add", data={"company_id": company.id, "ask_for": "the CFO"})
    item = db.session.scalars(select(QueueItem)).one()
    assert item.person_id is None and item.ask_for == "the CFO"


def test_ticked_search_results_are_added_in_bulk(logged_in, db, acme):
    gone = factories.PersonFactory(company=acme["company"], full_name="Gone Person",
                                   direct_phone="+12125550199",
                                   left_at=datetime(2026, 1, 1, tzinfo=UTC))
    page = logged_in.get("/search/?q=Target").get_data(as_text=True)
    assert "Add selected to queue" in page and 'name="person_ids"' in page
    ids = [p.id for p in acme["people"]] + [gone.id, 999_999_999, "x"]
    response = logged_in.post("/queue/add", data={"person_ids": ids, "next": "/search/?q=Target"})
    assert response.location == "/search/?q=Target"
    flashed = logged_in.get("/queue").get_data(as_text=True)
    assert "Added 3 to your queue." in flashed and "Gone Person has left" in flashed
    assert len(db.session.scalars(select(QueueItem)).all()) == 3


def test_add_refuses_an_offsite_next(logged_in, acme):
    response = logged_in.post("/queue/add", data={"person_id": acme["people"][0].id,
                                                  "next": "//evil.example/"})
    assert response.location == "/"


def test_build_from_due_follow_ups(logged_in, user, db, acme):
    factories.CallFactory(user=user, company=acme["company"], person=acme["people"][1],
                          follow_up_at=datetime.now(UTC) - timedelta(hours=2))
    response = logged_in.post("/queue/build", data={"source": "follow_ups"})
    assert response.status_code == 302
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "Added 1 from due follow-ups." in page
    again = logged_in.post("/queue/build", data={"source": "follow_ups"}, follow_redirects=True)
    assert "Nothing new from due follow-ups" in again.get_data(as_text=True)
    bogus = logged_in.post("/queue/build", data={"source": "everything"}, follow_redirects=True)
    assert "Not a valid choice" in bogus.get_data(as_text=True)


def test_ending_the_block_puts_the_target_back_and_shows_its_summary(logged_in, db, queued,
                                                                    acme):
    first = held(logged_in.post("/queue/next", headers=SCREEN).get_data(as_text=True))
    logged_in.post(f"/queue/{first}/log", headers=SCREEN, data=log_form(acme["company"]))
    second = held(logged_in.get("/queue").get_data(as_text=True))
    response = logged_in.post("/queue/end-block")
    assert re.fullmatch(r"/queue/blocks/\d+", response.location)
    assert fresh(db, second).status == QueueStatus.PENDING
    summary = logged_in.get(response.location).get_data(as_text=True)
    assert re.search(r"<dt>Dials</dt><dd>1</dd>", summary)
    again = logged_in.post("/queue/end-block", follow_redirects=True)
    assert "No calling block is running." in again.get_data(as_text=True)


def test_a_block_summary_is_its_owners(logged_in, db, acme):
    colleague = factories.UserFactory()
    add_to_queue(colleague, person=acme["people"][0])
    item = take_next(colleague)
    assert logged_in.get(f"/queue/blocks/{item.session_id}").status_code == 404


def test_names_are_escaped_on_the_card_and_in_the_list(logged_in, user, db, acme):
    person = acme["people"][0]
    person.full_name = '<script>alert("x")</script>'
    db.session.commit()
    add_to_queue(user, person=person)
    page = logged_in.get("/queue").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_the_nav_links_the_queue(logged_in):
    page = logged_in.get("/").get_data(as_text=True)
    assert '<a href="/queue"' in page


@pytest.fixture
def csrf_client():
    """A client of an app with CSRF on, as in production (no other app in this test)."""
    gen = app_on_empty_schema({"WTF_CSRF_ENABLED": True})
    app = next(gen)

    def forget(sender, **extra):
        g.pop("_login_user", None)

    request_started.connect(forget, app)
    yield app.test_client()
    request_started.disconnect(forget, app)
    next(gen, None)


def test_screen_posts_need_the_csrf_token(csrf_client):
    from app.extensions import db

    owner = factories.UserFactory(email="csrf@example.com")
    add_to_queue(owner, person=factories.PersonFactory(direct_phone="+12125550123"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      csrf_client.get("/login").get_data(as_text=True)).group(1)
    csrf_client.post("/login", data={"email": owner.email, "password": PASSWORD,
                                     "csrf_token": token})
    refused = csrf_client.post("/queue/next", headers=SCREEN)
    assert refused.status_code == 400
    assert db.session.scalar(select(QueueItem.status)) == QueueStatus.PENDING
    token = re.search(r'data-csrf="([^"]+)"', csrf_client.get("/queue").get_data(as_text=True))
    taken = csrf_client.post("/queue/next", headers=SCREEN, data={"csrf_token": token.group(1)})
    assert taken.status_code == 200 and held(taken.get_data(as_text=True)) is not None
