"""Outbound webhooks: a real local receiver, an independent verifier, retries, SSRF refusals."""

import base64
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook  # independent of app.webhooks.signing

from app.auth.service import issue_token
from app.jobs.runner import run_pending
from app.models import (
    Call,
    DeliveryStatus,
    Job,
    JobStatus,
    Person,
    WebhookAttempt,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
    now_utc,
)
from app.people.merge import erase_person
from app.webhooks import service
from app.webhooks.delivery import MAX_ATTEMPTS, RETRY_DELAYS, attempt_delivery
from app.webhooks.follow_ups import announce_due_follow_ups
from tests import factories
from tests.concurrency import needs_postgres, run_together
from tests.conftest import app_on_empty_schema
from tests.test_api import Api


class Receiver:
    """An HTTP server on a loopback port that records each request and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []  # answers to give, in order; then 200
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body,
                                          "path": self.path})
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = b'{"ok": true}' if status < 300 else b"upstream exploded " * 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/switchboard?team=1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def app():
    """The app with private webhook URLs allowed: the receiver listens on 127.0.0.1."""
    yield from app_on_empty_schema({"WEBHOOK_ALLOW_PRIVATE_URLS": True,
                                    "WEBHOOK_READ_TIMEOUT": 0.5})


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def admin_api(client, admin):
    return Api(client, issue_token(admin))


@pytest.fixture
def api(client, user):
    return Api(client, issue_token(user))


def register(admin_api, url, events=("person.created",)):
    response = admin_api.post("/api/v1/webhooks", {"url": url, "events": list(events)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def time_passes(db, seconds: float) -> None:
    """The app's clock moves on: everything scheduled comes `seconds` closer (no sleeping)."""
    delta = timedelta(seconds=seconds)
    for job in db.session.scalars(select(Job).where(Job.status == JobStatus.QUEUED)):
        job.run_after -= delta
    for delivery in db.session.scalars(select(WebhookDelivery)):
        if delivery.next_attempt_at:
            delivery.next_attempt_at -= delta
    for cursor in db.session.scalars(select(WebhookCursor)):
        cursor.position -= delta
    for call in db.session.scalars(select(Call).where(Call.follow_up_at.is_not(None))):
        call.follow_up_at -= delta
    db.session.commit()


def run_jobs() -> int:
    return run_pending("test-runner")


# Registration and the API contract


def test_registering_returns_a_standard_webhooks_secret_once(admin_api, receiver, db):
    body = register(admin_api, receiver.url, ["person.created", "call.logged"])
    receiver.statuses = [500]
    db.session.add(Person(company=factories.CompanyFactory(), full_name="Ann Bell"))
    db.session.commit()
    assert run_jobs() == 1  # a delivery and its attempt on file, to go with the endpoint
    assert set(body) >= {"id", "url", "events", "secret"}
    assert body["url"] == receiver.url and body["events"] == ["call.logged", "person.created"]
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 32
    listed = admin_api.get("/api/v1/webhooks").get_json()["items"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    def delete():
        return admin_api.client.delete(f"/api/v1/webhooks/{body['id']}", headers=admin_api.headers)

    assert delete().status_code == 204
    assert delete().status_code == 404
    for model in (WebhookEndpoint, WebhookDelivery, WebhookAttempt):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    time_passes(db, 10)
    assert run_jobs() == 1 and len(receiver.requests) == 1  # the queued retry finds nothing


def test_only_admins_manage_webhooks(api, receiver):
    assert api.get("/api/v1/webhooks").status_code == 403
    response = api.post("/api/v1/webhooks", {"url": receiver.url, "events": ["call.logged"]})
    assert response.status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"url": "https://example.org/x", "events": []}, "events"),
    ({"url": "https://example.org/x", "events": ["person.deleted"]}, "events"),
    ({"url": "", "events": ["call.logged"]}, "url"),
    ({"url": 42, "events": ["call.logged"]}, "url"),
    ({"url": "https://example.org/x", "events": "call.logged"}, "events"),
    ({"url": "https://example.org/x", "events": ["call.logged"], "secret": "mine"}, "secret"),
])
def test_bad_registrations_are_a_clear_422(admin_api, body, field):
    response = admin_api.post("/api/v1/webhooks", body)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


@pytest.mark.parametrize("url, says", [
    ("https://127.0.0.1/hook", "loopback"),
    ("https://10.1.2.3/hook", "private"),
    ("https://192.168.0.10/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:127.0.0.1]/hook", "loopback"),
    ("https://localhost:8443/hook", "loopback"),  # a name that resolves to loopback
    ("https://0.0.0.0/hook", "address"),
    ("http://8.8.8.8/hook", "https://"),
    ("https://user:pw@8.8.8.8/hook", "credentials"),
    ("ftp://8.8.8.8/hook", "https://"),
])
def test_private_and_loopback_endpoints_are_refused(app, admin_api, url, says):
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    response = admin_api.post("/api/v1/webhooks", {"url": url, "events": ["call.logged"]})
    assert response.status_code == 422
    assert says in response.get_json()["fields"]["url"]


def test_a_name_that_now_resolves_to_loopback_is_refused_at_delivery_time(app, receiver, db):
    """DNS rebinding: the name passed at registration; each attempt resolves and checks again."""
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    port = receiver.server.server_port
    # As registered when `localhost` still pointed at a public address.
    db.session.add(WebhookEndpoint(url=f"https://localhost:{port}/hook", events=["person.created"],
                                   secret="whsec_" + "A" * 43 + "="))
    db.session.commit()
    db.session.add(Person(company=factories.CompanyFactory(), full_name="Ann Bell"))
    db.session.commit()
    assert run_jobs() == 1
    assert receiver.requests == []
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.status_code is None and "localhost is a loopback address" in attempt.error


# Delivery


def test_a_delivery_is_signed_verified_independently_and_acknowledged(admin_api, api, receiver,
                                                                    db):
    secret = register(admin_api, receiver.url)["secret"]
    company = factories.CompanyFactory(name="Acme")
    db.session.commit()
    created = api.post("/api/v1/people", {"company_id": company.id, "full_name": "Ann Bell",
                                          "title": "VP Engineering"}).get_json()
    assert receiver.requests == []  # nothing is sent inside the request
    assert run_jobs() == 1
    [request] = receiver.requests
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["type"] == "person.created"
    assert payload["data"]["id"] == created["id"] and payload["data"]["full_name"] == "Ann Bell"
    assert payload["timestamp"].endswith("Z")
    assert request["path"] == "/hooks/switchboard?team=1"
    assert request["headers"]["webhook-id"].startswith("msg_")
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(request["body"], request["headers"])
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 1
    [attempt] = delivery.attempt_log
    assert attempt.status_code == 200 and attempt.response_excerpt == '{"ok": true}'
    assert attempt.duration_ms is not None


def test_each_event_type_fires_once_with_its_data(app, admin_api, api, receiver, db, admin):
    register(admin_api, receiver.url, ["call.logged", "person.created", "person.updated",
                                       "person.erased"])
    company = factories.CompanyFactory(name="Acme")
    db.session.commit()
    person = api.post("/api/v1/people", {"company_id": company.id,
                                         "full_name": "Ann Bell"}).get_json()
    api.patch(f"/api/v1/people/{person['id']}", {"title": "CTO"})
    api.post("/api/v1/calls", {"company_id": company.id, "person_id": person["id"],
                               "outcome": "connected"})
    erase_person(db.session.get(Person, person["id"]))
    run_jobs()
    bodies = receiver.bodies()
    types = [b["type"] for b in bodies]
    # Logging the call also updates the person (contacted), so person.updated may come twice.
    assert types[:3] == ["person.created", "person.updated", "call.logged"]
    assert set(types[3:-1]) <= {"person.updated"} and types[-1] == "person.erased"
    assert bodies[1]["data"]["title"] == "CTO"
    assert bodies[2]["data"]["person_id"] == person["id"]
    assert bodies[2]["data"]["outcome"] == "connected"
    # An erasure says who went and nothing else about them.
    assert bodies[-1]["data"] == {"id": person["id"]}
    assert b"Ann Bell" not in receiver.requests[-1]["body"]


def test_an_event_is_sent_only_to_endpoints_that_picked_it(admin_api, api, receiver, db):
    register(admin_api, receiver.url, ["call.logged"])
    company = factories.CompanyFactory()
    db.session.commit()
    api.post("/api/v1/people", {"company_id": company.id, "full_name": "Ann Bell"})
    assert run_jobs() == 0 and receiver.requests == []


def test_a_rolled_back_change_sends_nothing(admin_api, receiver, db):
    register(admin_api, receiver.url)
    company = factories.CompanyFactory()
    db.session.commit()
    db.session.add(Person(company=company, full_name="Never Was"))
    db.session.flush()
    db.session.rollback()
    assert run_jobs() == 0 and receiver.requests == []


def test_a_follow_up_becoming_due_is_announced_once(admin_api, receiver, db, user):
    register(admin_api, receiver.url, ["follow_up.due"])
    assert run_jobs() == 1  # the first scan starts the cursor at now
    company = factories.CompanyFactory()
    call = factories.CallFactory(company=company, user=user, outcome="voicemail",
                                 follow_up_at=now_utc() + timedelta(seconds=30),
                                 follow_up_note="Call back after the board meeting")
    factories.CallFactory(company=company, user=user, outcome="voicemail",
                          follow_up_at=now_utc() + timedelta(hours=2))
    db.session.commit()
    time_passes(db, 61)  # the next scan is due; the first follow-up too, not the second
    assert run_jobs() == 2  # the scan, then its one delivery
    [body] = receiver.bodies()
    assert body["type"] == "follow_up.due"
    assert body["data"]["call_id"] == call.id
    assert body["data"]["follow_up_note"] == "Call back after the board meeting"
    time_passes(db, 61)
    assert run_jobs() == 1  # another scan: nothing new is due
    assert len(receiver.requests) == 1


def test_a_failing_endpoint_is_retried_with_backoff_then_marked_failing(admin_api, api,
                                                                       receiver, db, client):
    receiver.statuses = [500] * MAX_ATTEMPTS
    endpoint_id = register(admin_api, receiver.url)["id"]
    company = factories.CompanyFactory()
    db.session.commit()
    api.post("/api/v1/people", {"company_id": company.id, "full_name": "Ann Bell"})
    assert run_jobs() == 1
    for number, delay in enumerate(RETRY_DELAYS, start=1):
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        attempt = delivery.attempt_log[-1]
        assert (attempt.number, attempt.status_code) == (number, 500)
        assert "upstream exploded" in attempt.response_excerpt
        assert len(attempt.response_excerpt) <= 1000  # a capped excerpt, not the whole body
        waited = delivery.next_attempt_at - attempt.started_at
        assert abs(waited - delay) < timedelta(seconds=5)  # the schedule, give or take a slow box
        time_passes(db, delay.total_seconds() - 5)
        assert run_jobs() == 0  # not yet
        time_passes(db, 5)
        assert run_jobs() == 1
    assert RETRY_DELAYS[0] <= timedelta(seconds=30)  # the first retry within 30 s
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status is DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert db.session.get(WebhookEndpoint, endpoint_id).failing
    assert admin_api.get("/api/v1/webhooks").get_json()["items"][0]["failing"] is True
    time_passes(db, 24 * 3600)
    assert run_jobs() == 0  # given up
    assert len(receiver.requests) == MAX_ATTEMPTS
    # The ids stay the same across retries, so a receiver can drop repeats.
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1


def test_a_slow_endpoint_times_out_and_is_retried(admin_api, api, receiver, db):
    receiver.delay = 1.5  # the app waits WEBHOOK_READ_TIMEOUT (0.5 s here) for an answer
    register(admin_api, receiver.url)
    company = factories.CompanyFactory()
    db.session.commit()
    api.post("/api/v1/people", {"company_id": company.id, "full_name": "Ann Bell"})
    assert receiver.requests == []  # the request never calls, so never waits for, the endpoint
    run_jobs()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert "No answer within 0.5 s" in delivery.attempt_log[0].error
    assert delivery.status is DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    receiver.delay = 0
    time_passes(db, RETRY_DELAYS[0].total_seconds())
    run_jobs()
    assert db.session.get(WebhookDelivery, delivery.id).status is DeliveryStatus.DELIVERED


def test_an_unreachable_endpoint_fails_the_attempt_and_not_the_runner(admin_api, api, db):
    register(admin_api, "http://127.0.0.1:9/closed")  # the discard port: nothing listens
    company = factories.CompanyFactory()
    db.session.commit()
    api.post("/api/v1/people", {"company_id": company.id, "full_name": "Ann Bell"})
    assert run_jobs() == 1
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.status_code is None and "Could not connect" in attempt.error
    retry = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert retry.status is JobStatus.QUEUED and retry.payload["attempt"] == 2


def test_retry_now_sends_at_once_and_the_scheduled_attempt_is_not_repeated(
        admin_api, api, receiver, db, client, admin, auth):
    receiver.statuses = [503]
    endpoint_id = register(admin_api, receiver.url)["id"]
    company = factories.CompanyFactory()
    db.session.commit()
    api.post("/api/v1/people", {"company_id": company.id, "full_name": "Ann Bell"})
    run_jobs()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    auth.login("ada@example.com")
    response = client.post(f"/admin/webhooks/{endpoint_id}/deliveries/{delivery.id}/retry")
    assert response.status_code == 302
    assert run_jobs() == 1  # the retry, now
    assert db.session.get(WebhookDelivery, delivery.id).status is DeliveryStatus.DELIVERED
    time_passes(db, 3600)
    assert run_jobs() == 1  # the attempt scheduled earlier runs, finds it made, sends nothing
    assert len(receiver.requests) == 2


# Concurrency (PostgreSQL: real concurrent writers)

@pytest.mark.postgres
@needs_postgres
def test_concurrent_runners_send_each_delivery_once(app, admin_api, receiver, db):
    register(admin_api, receiver.url)
    company = factories.CompanyFactory()
    db.session.commit()
    for i in range(16):
        db.session.add(Person(company=company, full_name=f"Person {i}"))
        db.session.commit()
    receiver.delay = 0.02
    run_together(app, lambda i: run_pending(f"runner-{i}"))
    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert len(ids) == 16 and len(set(ids)) == 16
    statuses = db.session.scalars(select(WebhookDelivery.status)).all()
    assert set(statuses) == {DeliveryStatus.DELIVERED}


@pytest.mark.postgres
@needs_postgres
def test_one_attempt_queued_twice_is_sent_once(app, admin_api, receiver, db):
    """Retry now clicked twice, or a retry racing its schedule: the attempt row decides."""
    register(admin_api, receiver.url)
    db.session.add(Person(company=factories.CompanyFactory(), full_name="Ann Bell"))
    db.session.commit()
    delivery_id = db.session.scalars(select(WebhookDelivery.id)).one()
    receiver.delay = 0.2
    run_together(app, lambda i: attempt_delivery(delivery_id, 1))
    assert len(receiver.requests) == 1
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 1


@pytest.mark.postgres
@needs_postgres
def test_concurrent_follow_up_scans_announce_each_once(app, admin_api, receiver, db, user):
    register(admin_api, receiver.url, ["follow_up.due"])
    run_jobs()  # the cursor starts
    company = factories.CompanyFactory()
    for minutes in (1, 2, 3):
        factories.CallFactory(company=company, user=user, outcome="voicemail",
                              follow_up_at=now_utc() + timedelta(minutes=minutes))
    db.session.commit()
    time_passes(db, 4 * 60)
    run_together(app, lambda i: announce_due_follow_ups())
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 3


def test_an_attempt_whose_runner_died_can_be_retried(admin_api, receiver, db):
    register(admin_api, receiver.url)
    db.session.add(Person(company=factories.CompanyFactory(), full_name="Ann Bell"))
    db.session.commit()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    # As a runner killed mid-request leaves it: attempt 1 claimed, never answered.
    db.session.add(WebhookAttempt(delivery_id=delivery.id, number=1, started_at=now_utc()))
    delivery.attempts = 1
    db.session.commit()
    assert not service.retry_delivery(delivery)  # still under way, for all we know
    db.session.scalars(select(WebhookAttempt)).one().started_at -= timedelta(minutes=3)
    db.session.commit()
    assert service.retry_delivery(delivery)
    run_jobs()
    assert db.session.get(WebhookDelivery, delivery.id).status is DeliveryStatus.DELIVERED
    assert "runner stopped" in delivery.attempt_log[0].error
