"""The queue API: contract fields, add, build, next, skip, snooze, and calls that work items."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.service import issue_token
from app.models import Call, Outcome, PersonStatus, QueueItem, QueueStatus, SavedSearch
from tests import factories
from tests.test_api import Api

CONTRACT = {"id", "person_id", "company_id", "reason", "status", "ask_for", "dial_number",
            "claimed_by", "claimed_by_name", "claimed_until", "local_time",
            "within_calling_hours", "next_step"}


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


@pytest.fixture
def teammate_api(client):
    return Api(client, issue_token(factories.UserFactory(name="Tess Teammate")))


@pytest.fixture
def company(app):
    return factories.CompanyFactory(name="Acme", main_phone="+12125550100",
                                    timezone="Europe/Berlin")


@pytest.fixture
def person(company):
    return factories.PersonFactory(company=company, full_name="Pat Target",
                                   direct_phone="+12125550111")


def _queued(api, person) -> dict:
    response = api.post("/api/v1/queue", {"person_id": person.id})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def test_the_queue_needs_a_token(client):
    for method, url in (("get", "/api/v1/queue"), ("post", "/api/v1/queue/next"),
                        ("post", "/api/v1/queue/1/skip")):
        assert getattr(client, method)(url).status_code == 401


def test_adding_answers_201_then_200_with_the_contract_fields(api, person, user):
    first = api.post("/api/v1/queue", {"person_id": person.id})
    again = api.post("/api/v1/queue", {"person_id": person.id})
    assert first.status_code == 201 and again.status_code == 200
    item = first.get_json()
    assert CONTRACT <= set(item) and again.get_json()["id"] == item["id"]
    assert item["reason"] == "manual" and item["status"] == "pending"
    assert item["dial_number"] == "+12125550111" and item["person_name"] == "Pat Target"
    assert item["claimed_by"] is None and item["claimed_until"] is None
    assert datetime.fromisoformat(item["local_time"]).utcoffset() in (timedelta(hours=1),
                                                                       timedelta(hours=2))


def test_a_main_line_with_who_to_ask_for(api, company):
    response = api.post("/api/v1/queue", {"company_id": company.id, "ask_for": "the CFO"})
    item = response.get_json()
    assert response.status_code == 201
    assert item["person_id"] is None and item["ask_for"] == "the CFO"
    assert item["dial_number"] == "+12125550100"


def test_a_target_that_may_not_be_called_is_a_422_saying_why(api, company):
    dnc = factories.PersonFactory(company=company, full_name="Dina Nocall",
                                  status=PersonStatus.DO_NOT_CALL)
    response = api.post("/api/v1/queue", {"person_id": dnc.id})
    assert response.status_code == 422
    assert "asked not to be called" in response.get_json()["fields"]["person_id"]


@pytest.mark.parametrize("body", [
    {}, {"person_id": 999999}, {"person_id": "abc"}, {"person_id": True}, {"person_id": 2**40},
    {"company_id": 0}, {"ask_for": "the CFO"}, {"person_id": 1, "priority": 1},
    {"company_id": 1, "ask_for": "x" * 201}, {"company_id": 1, "ask_for": 5},
])
def test_hostile_add_bodies_are_422_on_the_field(api, company, body):
    response = api.post("/api/v1/queue", body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"]


def test_the_listing_defaults_to_pending_and_claimed_and_filters_by_status(api, company):
    people = [factories.PersonFactory(company=company) for _ in range(3)]
    ids = [_queued(api, p)["id"] for p in people]
    api.post(f"/api/v1/queue/{ids[2]}/skip", {"reason": "Not a fit"})
    taken = api.post("/api/v1/queue/next").get_json()
    listed = api.get("/api/v1/queue").get_json()
    assert listed["total"] == 2 and {i["id"] for i in listed["items"]} == set(ids[:2])
    assert listed["items"][0]["id"] == taken["id"]  # claimed and pending both, in queue order
    skipped = api.get("/api/v1/queue", status="skipped").get_json()["items"]
    assert [i["id"] for i in skipped] == [ids[2]] and skipped[0]["skip_reason"] == "Not a fit"
    assert api.get("/api/v1/queue", status="all").get_json()["total"] == 3
    assert api.get("/api/v1/queue", status="nope").status_code == 422
    assert api.get("/api/v1/queue", colour="red").status_code == 422


def test_next_claims_then_204_when_a_teammate_holds_the_only_line(api, teammate_api, person,
                                                                  user):
    mine = _queued(api, person)
    _queued(teammate_api, person)
    taken = teammate_api.post("/api/v1/queue/next")
    assert taken.status_code == 200
    held = taken.get_json()
    assert held["status"] == "claimed" and held["claimed_until"]
    assert api.post("/api/v1/queue/next").status_code == 204
    listed = api.get("/api/v1/queue").get_json()["items"]
    assert listed[0]["id"] == mine["id"]
    assert listed[0]["claimed_by"] == held["claimed_by"] != user.id
    assert listed[0]["claimed_by_name"] == "Tess Teammate"


def test_next_puts_back_an_unlogged_claim(api, company):
    first = _queued(api, factories.PersonFactory(company=company))
    assert api.post("/api/v1/queue/next").get_json()["id"] == first["id"]
    api.post(f"/api/v1/queue/{first['id']}/snooze",
             {"until": (datetime.now(UTC) + timedelta(hours=2)).isoformat()})
    assert api.post("/api/v1/queue/next").status_code == 204
    assert api.post(f"/api/v1/queue/{first['id']}/release").get_json()["status"] == "pending"


def test_next_while_holding_an_item_offers_another_and_puts_the_held_one_back(api, company):
    first = _queued(api, factories.PersonFactory(company=company))
    second = _queued(api, factories.PersonFactory(company=company))
    taken = api.post("/api/v1/queue/next").get_json()
    again = api.post("/api/v1/queue/next").get_json()
    assert again["id"] != taken["id"] and {taken["id"], again["id"]} == {first["id"], second["id"]}
    listed = {i["id"]: i for i in api.get("/api/v1/queue").get_json()["items"]}
    assert listed[taken["id"]]["status"] == "pending" and listed[taken["id"]]["claimed_by"] is None
    assert listed[again["id"]]["status"] == "claimed"


def test_skip_and_snooze_refuse_hostile_input(api, person):
    item = _queued(api, person)
    url = f"/api/v1/queue/{item['id']}"
    for body in ({}, {"reason": ""}, {"reason": "x" * 301}, {"reason": ["a"]},
                 {"reason": "ok", "extra": 1}):
        assert api.post(url + "/skip", body).status_code == 422, body
    for body in ({}, {"until": "soon"}, {"until": "2020-01-01T00:00:00Z"},
                 {"until": "2026-01-01T10:00"}, {"until": "99999-01-01T00:00:00Z"},
                 {"until": (datetime.now(UTC) + timedelta(days=91)).isoformat()}):
        response = api.post(url + "/snooze", body)
        assert response.status_code == 422 and "until" in response.get_json()["fields"], body
    assert api.post(url + "/skip", "not json", content_type="text/plain").status_code == 415
    assert api.get("/api/v1/queue").get_json()["items"][0]["status"] == "pending"


def test_unknown_and_someone_elses_items(api, teammate_api, person):
    item = _queued(api, person)
    for action, body in (("skip", {"reason": "x"}), ("snooze", {"until": "2030-01-01T00:00Z"}),
                         ("release", None), ("extend", None)):
        assert api.post(f"/api/v1/queue/999999/{action}", body).status_code == 404
        assert api.post(f"/api/v1/queue/{2**40}/{action}", body).status_code == 404
        theirs = teammate_api.post(f"/api/v1/queue/{item['id']}/{action}", body)
        assert theirs.status_code == 403, action


def test_a_call_with_queue_item_id_marks_the_item_done(api, person, db):
    item = _queued(api, person)
    api.post("/api/v1/queue/next")
    response = api.post("/api/v1/calls", {"company_id": person.company_id,
                                          "person_id": person.id, "outcome": "voicemail",
                                          "queue_item_id": item["id"]})
    assert response.status_code == 201, response.get_json()
    assert "queue_item_id" not in response.get_json()
    stored = db.session.get(QueueItem, item["id"])
    assert stored.status == QueueStatus.DONE and stored.call_id == response.get_json()["id"]
    assert stored.claimed_by_id is None and stored.done_at is not None
    done = api.get("/api/v1/queue", status="done").get_json()["items"]
    assert done[0]["call_id"] == response.get_json()["id"]


def test_a_call_on_a_follow_up_item_carries_out_the_follow_up(api, user, person, db):
    earlier = factories.CallFactory(user=user, company=person.company, person=person,
                                    follow_up_at=datetime.now(UTC) - timedelta(hours=1),
                                    follow_up_note="Ask about the Berlin team")
    built = api.post("/api/v1/queue/build", {"source": "follow_ups"}).get_json()
    assert built["added"] == 1
    item = built["items"][0]
    assert item["reason"] == "follow_up" and item["next_step"] == "Ask about the Berlin team"
    response = api.post("/api/v1/calls", {"company_id": person.company_id, "outcome": "connected",
                                          "person_id": person.id, "queue_item_id": item["id"]})
    assert response.status_code == 201
    assert response.get_json()["previous_call_id"] == earlier.id
    assert db.session.get(Call, earlier.id).follow_up_done_at is not None


@pytest.mark.parametrize("case", ["unknown", "theirs", "done", "other_company", "text"])
def test_a_call_naming_a_bad_queue_item_is_refused_whole(api, teammate_api, person, db, case):
    item = _queued(api, person)
    other = factories.CompanyFactory()
    ident = {"unknown": 999999, "theirs": _queued(teammate_api, person)["id"],
             "done": item["id"], "other_company": item["id"], "text": "one"}[case]
    if case == "done":
        db.session.get(QueueItem, item["id"]).status = QueueStatus.DONE
        db.session.commit()
    company_id = other.id if case == "other_company" else person.company_id
    before = db.session.scalars(select(Call)).all()
    response = api.post("/api/v1/calls", {"company_id": company_id, "outcome": "busy",
                                          "to_number": "12", "queue_item_id": ident})
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert "queue_item_id" in fields
    assert case == "text" or "to_number" in fields  # the service reports every problem at once
    assert db.session.scalars(select(Call)).all() == before


def test_build_from_gaps_is_idempotent_and_says_who_to_ask(api, company):
    factories.PersonFactory(company=company, full_name=None, placeholder=True,
                            title="VP Engineering")
    first = api.post("/api/v1/queue/build", {"source": "gaps", "company_id": company.id})
    again = api.post("/api/v1/queue/build", {"source": "gaps", "company_id": company.id})
    assert first.status_code == 200 and again.status_code == 200
    assert first.get_json()["added"] >= 1 and again.get_json() == {"added": 0, "items": []}
    item = first.get_json()["items"][0]
    assert item["reason"] == "gap" and "VP Engineering" in (item["ask_for"] + item["why"])


def test_build_from_a_saved_search(api, user, company, db):
    factories.PersonFactory(company=company, full_name="Fin Ance", department="Finance")
    factories.PersonFactory(company=company, full_name="Dee Nocall", department="Finance",
                            status=PersonStatus.DO_NOT_CALL)
    search = SavedSearch(user_id=user.id, name="Finance", query="department:finance")
    db.session.add(search)
    db.session.commit()
    built = api.post("/api/v1/queue/build", {"source": "saved_search",
                                             "saved_search_id": search.id}).get_json()
    assert built["added"] == 1 and built["items"][0]["person_name"] == "Fin Ance"
    assert built["items"][0]["reason"] == "search"


@pytest.mark.parametrize("body", [
    {}, {"source": "everything"}, {"source": "gaps", "company_id": 999999},
    {"source": "saved_search"}, {"source": "saved_search", "saved_search_id": 999999},
    {"source": "gaps", "company_id": "x"}, {"source": "follow_ups", "limit": 5},
])
def test_hostile_build_bodies_are_422(api, body):
    assert api.post("/api/v1/queue/build", body).status_code == 422


def test_someone_elses_saved_search_cannot_be_built_from(api, teammate_api, db):
    other = factories.UserFactory()
    search = SavedSearch(user_id=other.id, name="Theirs", query="cto")
    db.session.add(search)
    db.session.commit()
    response = api.post("/api/v1/queue/build", {"source": "saved_search",
                                                "saved_search_id": search.id})
    assert response.status_code == 422 and "saved_search_id" in response.get_json()["fields"]


def test_a_bad_number_logged_from_the_queue_keeps_the_target_out(api, user, company, db):
    person = factories.PersonFactory(company=company, direct_phone="+12125550111")
    company.main_phone = None
    db.session.commit()
    item = _queued(api, person)
    api.post("/api/v1/calls", {"company_id": company.id, "person_id": person.id,
                               "outcome": Outcome.BAD_NUMBER.value, "to_number": "+12125550111",
                               "queue_item_id": item["id"]})
    refused = api.post("/api/v1/queue", {"person_id": person.id})
    assert refused.status_code == 422 and "bad or wrong" in refused.get_json()["message"]


def test_a_call_creating_a_new_company_cannot_work_another_companys_item(api, person):
    item = _queued(api, person)
    response = api.post("/api/v1/calls", {"new_company": {"name": "Brand New Co"},
                                          "outcome": "busy", "queue_item_id": item["id"]})
    assert response.status_code == 422
    assert "Acme" in response.get_json()["fields"]["queue_item_id"]
