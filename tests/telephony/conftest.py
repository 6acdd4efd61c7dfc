"""Fixtures for calling through Twilio: fake credentials, signed webhooks, a call in progress.

Twilio itself is never reached: the autouse `http` fixture (tests/conftest.py) is a
`responses.RequestsMock`, so the official SDK's requests either hit a registered stub or fail.
Webhooks are posted the way Twilio posts them, with a real X-Twilio-Signature.
"""

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.extensions import db as _db
from app.models import Call, TwilioEvent
from app.telephony.identity import identity_for
from tests import factories
from tests.conftest import app_on_empty_schema

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f1e2d3c4b5a6978877665544332211aa"
API_KEY_SID = "SK" + "89abcdef01234567" * 2
API_KEY_SECRET = "api-key-secret-for-tests-only-0123"
TWIML_APP_SID = "AP" + "fedcba9876543210" * 2
CALLER_ID = "+12025550143"
PUBLIC_BASE_URL = "https://switchboard.example.com"
API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"

TWILIO_CONFIG = {
    "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    "TWILIO_API_KEY_SID": API_KEY_SID,
    "TWILIO_API_KEY_SECRET": API_KEY_SECRET,
    "TWILIO_TWIML_APP_SID": TWIML_APP_SID,
    "TWILIO_CALLER_ID": CALLER_ID,
    "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    "TWILIO_API_BASE_URL": None,
    "TWILIO_RECORD_CALLS": False,
    "TWILIO_MACHINE_DETECTION": False,
    "TWILIO_ALLOWED_COUNTRIES": "US,CA",
    "TWILIO_TOKEN_TTL": 600,
    "CALLING_HOURS": "8-21",
    "PROXY_FIX": False,
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "twilio_config(**settings): extra app settings for the telephony app fixture")


@pytest.fixture
def app(request):
    """The app with fake Twilio credentials, on an empty schema.

    Overrides tests/conftest.py's `app`, so `client`, `auth`, `logged_in`, `runner` and the
    factories all use it. A test changes settings with `@pytest.mark.twilio_config(NAME=value)`,
    applied before create_app (so PROXY_FIX and WTF_CSRF_ENABLED take effect too).
    """
    config = dict(TWILIO_CONFIG)
    for marker in reversed(list(request.node.iter_markers("twilio_config"))):
        config.update(marker.kwargs)
    yield from app_on_empty_schema(config)


@pytest.fixture
def twilio_app(app):
    """The Twilio-configured app, under the name the telephony tests use for it."""
    return app


def sign(url: str, data: dict) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of `data` to `url`."""
    return RequestValidator(AUTH_TOKEN).compute_signature(url, data)


@pytest.fixture
def twilio_post(app):
    """Post a webhook as Twilio does: form data, signed over PUBLIC_BASE_URL + path (with query).

    `twilio_post(path, data)` signs correctly; `signature=` overrides it ("" sends none), and
    `signed_url=` signs for another address (e.g. a proxy's public one). Twilio has no session
    cookie, so a fresh test client is used each time.
    """

    def post(path, data, *, signature=None, signed_url=None, headers=None):
        url = signed_url or PUBLIC_BASE_URL + path
        signature = sign(url, data) if signature is None else signature
        all_headers = {"X-Twilio-Signature": signature} if signature else {}
        all_headers |= headers or {}
        return app.test_client().post(path, data=data, headers=all_headers)

    return post


def new_sid(prefix: str = "CA") -> str:
    return prefix + uuid.uuid4().hex


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def counts() -> tuple[int, int]:
    """(Call rows, TwilioEvent rows): what a refused webhook must leave unchanged."""
    return count(Call), count(TwilioEvent)


def twiml(response) -> ET.Element:
    """The <Response> element of a TwiML answer, after checking it is XML."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset zone where the local hour is now `hour` (Etc/GMT signs are inverted)."""
    offset = (hour - datetime.now(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


@pytest.fixture
def company(app):
    """A US company with no time zone set, so no calling-hours warning depends on the clock."""
    return factories.CompanyFactory(name="Initech", main_phone="+12125550100", timezone=None)


@pytest.fixture
def person(company):
    """Someone at `company` with a direct dial."""
    return factories.PersonFactory(company=company, full_name="Peter Gibbons",
                                   direct_phone="+12125550142")


def browser_call_params(user, to="+12125550142", *, person=None, company=None, **extra) -> dict:
    """What Twilio posts to the voice webhook when the browser SDK connects (custom params too)."""
    params = {
        "AccountSid": ACCOUNT_SID,
        "ApplicationSid": TWIML_APP_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": new_sid(),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": f"client:{identity_for(user)}",
        "Caller": f"client:{identity_for(user)}",
        "To": to,
    }
    if person is not None:
        params["person_id"] = str(person.id)
    if company is not None:
        params["company_id"] = str(company.id)
    return params | extra


@pytest.fixture
def browser_call(twilio_post, user, person):
    """A call the signed-in recruiter placed from the browser to `person`, logged by the webhook."""
    params = browser_call_params(user, person=person)
    response = twilio_post("/twilio/voice", params)
    assert twiml(response).find("Dial") is not None
    return _db.session.scalars(select(Call).where(Call.twilio_call_sid == params["CallSid"])).one()


def status_params(call: Call, status: str, sequence: int, **extra) -> dict:
    """A status callback for the dialled leg of `call`, as Twilio sends it."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + "5" * 32,
        "ParentCallSid": call.twilio_call_sid,
        "CallStatus": status,
        "CallbackSource": "call-progress-events",
        "Direction": "outbound-dial",
        "From": CALLER_ID,
        "To": call.to_number,
        "SequenceNumber": str(sequence),
        "Timestamp": f"Thu, 26 Nov 2026 15:20:{10 + sequence:02d} +0000",
    } | extra


def status_path(call: Call, leg: str = "target") -> str:
    return f"/twilio/status?call_id={call.id}&leg={leg}"
