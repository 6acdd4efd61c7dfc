"""Simultaneous captures of one new name at one company end with one person (PostgreSQL).

Each writer runs on its own thread with its own app context, session and connection. To make
the race certain rather than likely, the test holds a SHARE lock on the person table while the
writers start: every writer passes the duplicate check (reads are not blocked) and then waits
at its INSERT into person; once all of them wait there, the lock goes and they insert at once.
"""

import threading
import time

import pytest
from sqlalchemy import select, text

from app.auth.service import issue_token
from app.calls.service import save_call
from app.extensions import db
from app.models import Call, Person, User
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL's concurrent writers (SQLite locks the whole file)",
    ),
]

WRITERS = 6
# Writers queued behind the test's lock on person, or behind a writer queued there (the
# company's reporting lock is taken before the person insert).
# pg_locks is read live (pg_stat_activity would be a snapshot frozen for the transaction), and
# waiters on a row lock wait on a transaction id, so a waiter is "in this database" by the
# table locks it already holds.
WAITING = text(
    "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid IN (SELECT pid"
    " FROM pg_locks WHERE database = (SELECT oid FROM pg_database"
    " WHERE datname = current_database()))"
)
SPELLINGS = ["Zoë Quinn", "zoë  quinn", "ZOË QUINN", " Zoë\tQuinn ", "Zoë Quinn", "zoë quinn"]


def _race(app, work, writers: int = WRITERS) -> list:
    """Run work(i) on `writers` threads that all reach their person write before any may run it."""
    results: list = [None] * writers
    barrier = threading.Barrier(writers)

    def run(i: int):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # noqa: BLE001  (asserted on by the test)
                results[i] = exc
                db.session.rollback()

    with db.engine.connect() as gate:
        gate.execute(text("LOCK TABLE person IN SHARE MODE"))
        threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and gate.scalar(WAITING) < writers:
            time.sleep(0.05)
        gate.commit()  # releases the lock: every writer inserts now
    for thread in threads:
        thread.join(30)
    return results


def _people_named(db, company) -> list[Person]:
    db.session.expire_all()
    return list(db.session.scalars(select(Person).where(Person.company_id == company.id)))


def test_simultaneous_call_logs_uncovering_one_name_create_one_person(app, db):
    company = factories.CompanyFactory()
    authors = [factories.UserFactory().id for _ in range(WRITERS)]
    company_id = company.id

    def log(i: int) -> int:
        author = db.session.get(User, authors[i])
        call = save_call(
            author,
            {
                "company_id": company_id,
                "outcome": "gatekeeper",
                "people": [{"full_name": SPELLINGS[i], "title": "CTO", "extension": str(100 + i)}],
            },
        )
        return call.id

    results = _race(app, log)
    assert all(isinstance(r, int) for r in results), results
    people = _people_named(db, company)
    assert len(people) == 1
    zoe = people[0]
    assert zoe.title == "CTO" and zoe.extension is not None
    for call_id in results:
        assert db.session.get(Call, call_id).people == [zoe]


def test_simultaneous_call_forms_uncovering_one_name_all_link_the_same_person(app, db):
    company = factories.CompanyFactory()
    users = [factories.UserFactory() for _ in range(WRITERS)]
    clients = []
    for u in users:
        client = app.test_client()
        assert (
            client.post("/login", data={"email": u.email, "password": PASSWORD}).status_code == 302
        )
        clients.append(client)
    company_id = company.id

    def post(i: int) -> int:
        response = clients[i].post(
            "/calls/new",
            data={
                "company_id": str(company_id),
                "outcome": "gatekeeper",
                "people-0-full_name": SPELLINGS[i],
                "people-0-title": "CTO",
            },
        )
        return response.status_code

    results = _race(app, post)
    assert results == [302] * WRITERS
    people = _people_named(db, company)
    assert len(people) == 1
    calls = db.session.scalars(select(Call).where(Call.company_id == company.id)).all()
    assert len(calls) == WRITERS and all(c.people == people for c in calls)


def test_simultaneous_api_creates_of_one_name_give_one_201_and_409s_with_the_match(app, db):
    company = factories.CompanyFactory()
    tokens = [issue_token(factories.UserFactory()) for _ in range(WRITERS)]
    company_id = company.id

    def post(i: int):
        response = app.test_client().post(
            "/api/v1/people",
            json={"company_id": company_id, "full_name": SPELLINGS[i]},
            headers={"Authorization": f"Bearer {tokens[i]}"},
        )
        return response.status_code, response.get_json()

    results = _race(app, post)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (WRITERS - 1), results
    people = _people_named(db, company)
    assert len(people) == 1
    for status, body in results:
        if status == 409:
            assert body["matches"] == {"full_name": [people[0].id]}


def test_naming_an_empty_box_while_another_call_captures_the_name_leaves_one_holder(app, db):
    company = factories.CompanyFactory()
    box = factories.PersonFactory(company=company, full_name=None, placeholder=True, title="CTO")
    users = [factories.UserFactory() for _ in range(2)]
    clients = [app.test_client() for _ in users]
    for client, u in zip(clients, users, strict=True):
        client.post("/login", data={"email": u.email, "password": PASSWORD})
    company_id, box_id = company.id, box.id

    def post(i: int):
        row = {"people-0-full_name": SPELLINGS[i]} | (
            {"people-0-person_id": str(box_id)} if i else {}
        )
        data = {"company_id": str(company_id), "outcome": "gatekeeper"} | row
        response = clients[i].post("/calls/new", data=data)
        return response.status_code, response.get_data(as_text=True)

    results = _race(app, post, writers=2)
    people = [p for p in _people_named(db, company) if p.full_name]
    assert len(people) == 1  # the box, named, or the new person with the box left empty
    for status, page in results:
        assert status == 302 or (status == 422 and f'value="existing:{people[0].id}"' in page)


def test_simultaneous_api_creates_confirmed_as_someone_else_all_succeed(app, db):
    company = factories.CompanyFactory()
    tokens = [issue_token(factories.UserFactory()) for _ in range(WRITERS)]
    company_id = company.id

    def post(i: int):
        body = {"company_id": company_id, "full_name": SPELLINGS[i], "allow_duplicate": True}
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        return app.test_client().post("/api/v1/people", json=body, headers=headers).status_code

    assert _race(app, post) == [201] * WRITERS  # the API's word: no 409 with allow_duplicate
    people = _people_named(db, company)
    assert len(people) == WRITERS and sum(not p.namesake for p in people) == 1


def test_simultaneous_calls_answered_by_one_new_gatekeeper_record_one_gatekeeper(app, db):
    company = factories.CompanyFactory()
    authors = [factories.UserFactory().id for _ in range(WRITERS)]
    company_id = company.id

    def log(i: int) -> int:
        data = {"company_id": company_id, "outcome": "gatekeeper",
                "new_gatekeeper": {"full_name": SPELLINGS[i], "title": "Receptionist"}}  # fmt: skip
        return save_call(db.session.get(User, authors[i]), data).id

    results = _race(app, log)
    assert all(isinstance(r, int) for r in results), results
    (zoe,) = _people_named(db, company)
    assert all(db.session.get(Call, call_id).answered_by == zoe for call_id in results)
