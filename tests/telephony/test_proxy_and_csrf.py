"""Webhooks behind a proxy, and with CSRF protection on (as in production)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Call
from tests import factories
from tests.telephony.conftest import browser_call_params, new_sid, status_params, twiml


@pytest.fixture
def live_call(user, person):
    """A browser call already logged (without PUBLIC_BASE_URL the voice webhook cannot answer)."""
    return factories.CallFactory(user=user, company=person.company, person=person, outcome=None,
                                 to_number="+12125550142", dialed_via="browser",
                                 twilio_call_sid=new_sid(), twilio_status="initiated")


@pytest.mark.twilio_config(PROXY_FIX=True, PUBLIC_BASE_URL=None)
def test_behind_a_proxy_the_signature_is_checked_against_the_public_url(
    twilio_post, live_call
):
    path = f"/twilio/status?call_id={live_call.id}&leg=target"
    params = status_params(live_call, "ringing", 1)
    public = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example.com"}
    response = twilio_post(path, params, signed_url="https://public.example.com" + path,
                           headers=public)
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Call, live_call.id).twilio_status == "ringing"


@pytest.mark.twilio_config(PROXY_FIX=True, PUBLIC_BASE_URL=None)
def test_behind_a_proxy_a_signature_for_the_internal_url_is_refused(twilio_post, live_call):
    path = f"/twilio/status?call_id={live_call.id}&leg=target"
    response = twilio_post(path, status_params(live_call, "ringing", 1),
                           signed_url="https://public.example.com" + path)  # no X-Forwarded-*
    assert response.status_code == 403


@pytest.mark.twilio_config(PUBLIC_BASE_URL=None)
def test_without_proxy_fix_forwarded_headers_are_not_trusted(twilio_post, live_call):
    path = f"/twilio/status?call_id={live_call.id}&leg=target"
    response = twilio_post(path, status_params(live_call, "ringing", 1),
                           signed_url="https://public.example.com" + path,
                           headers={"X-Forwarded-Proto": "https",
                                    "X-Forwarded-Host": "public.example.com"})
    assert response.status_code == 403


@pytest.mark.twilio_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_signed_webhooks_still_work(twilio_post, user, person):
    params = browser_call_params(user, person=person)
    assert twiml(twilio_post("/twilio/voice", params)).find("Dial") is not None
    call = db.session.scalars(select(Call)).one()
    path = f"/twilio/status?call_id={call.id}&leg=target"
    assert twilio_post(path, status_params(call, "ringing", 1)).status_code == 204


@pytest.mark.twilio_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_a_form_post_without_a_token_is_still_refused(client, user, person):
    client.get("/login")
    response = client.post("/calls/new", data={"company_id": str(person.company_id),
                                               "outcome": "connected"})
    assert response.status_code == 400
    assert db.session.scalars(select(Call)).first() is None


@pytest.mark.twilio_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_a_bridge_call_without_a_token_is_refused(client, user, person, http):
    response = client.post("/calls/bridge", data={"person_id": str(person.id),
                                                  "to_number": "+12125550142"})
    # Refused before any login or Twilio request: 400 (CSRF) or 401 (login) is fine, never 2xx.
    assert response.status_code in (400, 401)
    assert len(http.calls) == 0
