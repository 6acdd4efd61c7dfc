"""Twilio stalls: a bridge call gives up within 15 s, and other calls' callbacks keep landing.

Runs on a file-backed SQLite database (whatever TEST_DATABASE_URL says), where one writer locks
the whole file: a request that held its write open while waiting on Twilio would make every
other write, Twilio's own status callbacks included, fail with "database is locked".
"""

import threading
import time

import pytest
from sqlalchemy import select

from app.config import Config
from app.extensions import db
from app.models import Call, TwilioEvent
from app.telephony.client import get_twilio_client
from app.telephony.settings import MAX_HTTP_TIMEOUT
from tests import factories
from tests.conftest import app_on_empty_schema
from tests.emulator.stalled_twilio import DrippingTwilio, StalledTwilio
from tests.telephony.conftest import TWILIO_CONFIG, new_sid, status_params, status_path

MY_PHONE = "+16175550101"
TIMEOUT = 1.5


@pytest.fixture
def app(tmp_path):
    """The Twilio-configured app on a SQLite file, with a short REST timeout."""
    yield from app_on_empty_schema(
        {
            **TWILIO_CONFIG,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'switchboard.sqlite'}",
            "TWILIO_HTTP_TIMEOUT": TIMEOUT,
        }
    )


@pytest.fixture
def stalled(app, http):
    """Twilio's REST API, stalled: requests connect and are never answered."""
    http.add_passthru("http://127.0.0.1")
    with StalledTwilio(hold=12) as server:
        app.config["TWILIO_API_BASE_URL"] = server.base_url
        yield server


def test_a_bridge_call_to_a_stalled_twilio_answers_in_time_while_callbacks_land(
    stalled, logged_in, user, person, twilio_post
):
    user.phone_e164 = MY_PHONE
    other = factories.CallFactory(
        user=user,
        company=person.company,
        outcome=None,
        to_number="+12125550142",
        dialed_via="browser",
        twilio_call_sid=new_sid(),
        twilio_status="initiated",
    )
    db.session.commit()
    other_id, path, person_id = other.id, status_path(other), person.id
    callbacks = [
        status_params(other, status, sequence, CallDuration="30")
        for sequence, status in enumerate(["ringing", "in-progress", "completed"], 1)
    ]
    bridge: dict = {}

    def place_bridge_call():
        started = time.monotonic()
        response = logged_in.post(
            "/calls/bridge", data={"person_id": str(person_id), "to_number": "+12125550142"}
        )
        bridge.update(response=response, elapsed=time.monotonic() - started, done=time.monotonic())

    thread = threading.Thread(target=place_bridge_call)
    thread.start()
    assert stalled.accepted.wait(5), "the bridge call never asked Twilio"
    landed = []
    for params in callbacks:
        response = twilio_post(path, params)
        assert response.status_code == 204, response.get_data(as_text=True)
        landed.append(time.monotonic())
    thread.join(20)

    assert not thread.is_alive()
    assert landed[-1] < bridge["done"], "the callbacks should land while Twilio is waited on"
    response = bridge["response"]
    assert response.status_code == 504, response.get_data(as_text=True)
    assert response.json["error"] == "twilio_timeout"
    assert "did not answer in time" in response.json["message"]
    assert bridge["elapsed"] < 15
    db.session.expire_all()
    stored = db.session.get(Call, other_id)
    assert (stored.twilio_status, stored.duration_seconds) == ("completed", 30)
    events = db.session.scalars(select(TwilioEvent).where(TwilioEvent.call_id == other_id)
                                .order_by(TwilioEvent.id))
    assert [e.payload["CallStatus"] for e in events] == ["ringing", "in-progress", "completed"]
    # The bridge call Twilio never confirmed is not left behind as a call that happened.
    assert db.session.scalars(select(Call.id)).all() == [other_id]


def test_the_default_twilio_timeout_answers_within_15_seconds(app):
    assert 0 < Config.TWILIO_HTTP_TIMEOUT <= MAX_HTTP_TIMEOUT <= 15
    assert get_twilio_client().http_client.timeout == TIMEOUT  # the setting reaches the SDK


def test_a_twilio_answer_that_trickles_in_is_cut_off_at_the_timeout(
    app, http, logged_in, user, person
):
    # A byte every quarter second never trips a read timeout: only a deadline on the whole
    # answer keeps the bridge call within its 15 s (here 100 s of trickle against 1.5 s).
    http.add_passthru("http://127.0.0.1")
    user.phone_e164 = MY_PHONE
    db.session.commit()
    with DrippingTwilio(every=0.25, length=400) as server:
        app.config["TWILIO_API_BASE_URL"] = server.base_url
        started = time.monotonic()
        response = logged_in.post(
            "/calls/bridge", data={"person_id": str(person.id), "to_number": "+12125550142"}
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 504, response.get_data(as_text=True)
    assert response.json["error"] == "twilio_timeout"
    assert elapsed < TIMEOUT + 1.5
    assert db.session.scalars(select(Call.id)).all() == []
