"""Schemathesis drives every operation of the app's own OpenAPI document: all checks, zero failures.

Slow (minutes), so it is its own CI step: `pytest -m schemathesis` (the normal run deselects it).
SCHEMATHESIS_EXAMPLES sets the examples per operation; a deeper local run raises it.
"""

import itertools
import json
import os
import re

import pytest
import responses
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.api.openapi import openapi_document
from app.auth.service import issue_token
from app.queue.service import add_to_queue
from tests import factories

pytestmark = pytest.mark.schemathesis

SEED = 20261201
TWILIO_SID = "AC" + "a" * 32
_SIDS = itertools.count(1)


def twilio_places_a_call(request):
    """Twilio's answer to creating a call: queued, with a new call SID each time."""
    body = {"sid": f"CA{next(_SIDS):032x}", "status": "queued", "account_sid": TWILIO_SID}
    return 201, {}, json.dumps(body)


EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "500"))  # 70 s on 2 idle cores


class _TestApp:
    """A WSGI app forwarding to the current test's app (Schemathesis keeps one per schema)."""

    app: Flask | None = None
    token: str | None = None

    def __call__(self, environ, start_response):
        assert self.app is not None, "the `served` fixture sets the app"
        return self.app(environ, start_response)


CURRENT = _TestApp()
# The document is built from code, the same one /api/v1/openapi.json serves (tests/test_openapi.py).
CONFIG = {
    "seed": SEED,
    "generation": {
        "max-examples": EXAMPLES,
        # NUL is refused with a 400 (PostgreSQL cannot store it), as the document's info says.
        "allow-x00": False,
        "database": "none",  # no replay of earlier runs' failures: the seed alone decides
        # The test sends its real token (not a generated one), so requests reach the views;
        # the ignored_auth check still sends each without it and expects 401.
        "with-security-parameters": False,
    },
    "checks": {"enabled": True},
    "operations": [
        {
            # Writes may also answer 422 to schema-valid bodies, for rules JSON Schema cannot
            # state: a phone number that is not a real one, an id of a row that is not there, a
            # cycle in the reporting line, a field that needs another (documented per field), a
            # phone-tree step with nothing in it.
            "include-method": ["POST", "PATCH", "PUT"],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2XX", "401", "403", "404", "409", "422"]
                }
            },
        },
        {
            # A date-time outside the window the API's one date parser accepts is a 422 that
            # `format: date-time` cannot state.
            "include-operation-id": "list_calls",
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ["2XX", "401", "404", "422"]}
            },
        },
        {
            # Search's query language is richer than a schema: "(" is a 400 with its position.
            "include-operation-id": "search",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", "400", "401"]}},
        },
    ],
}
schema = schemathesis.openapi.from_dict(
    openapi_document(), config=SchemathesisConfig.from_dict(CONFIG)
)
schema.app = CURRENT  # also used by the checks that re-send a request (no auth, another method)


@pytest.fixture
def token(app, http) -> str:
    """A recruiter's API token on the served app, with rows whose ids (1, 2) resolve.

    Bridge calling is configured and Twilio's REST API answers every call (at its HTTP transport),
    so /calls/dial is exercised beyond "calling is not configured".
    """
    app.config.update(
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN="token-for-tests",
        PUBLIC_BASE_URL="https://switchboard.example.com",
        TWILIO_CALLER_ID="+14155550100",
    )
    http.assert_all_requests_are_fired = False  # only dial reaches Twilio
    calls_url = re.compile(r"https://api\.twilio\.com/.*/Calls\.json")
    http.add_callback(responses.POST, calls_url, callback=twilio_places_a_call)
    CURRENT.app = app
    user = factories.UserFactory(
        email="rita@example.com", name="Rita Recruiter", phone_e164="+14155550123"
    )
    company = factories.CompanyFactory(name="Acme", location="Springfield", industry="Power")
    boss = factories.PersonFactory(company=company, full_name="Bea Boss")
    factories.PersonFactory(company=company, reports_to=boss, full_name="Carl Clerk")
    factories.CallFactory(company=company, user=user, person=boss)
    # Queue items 1 and 2 are the recruiter's, so the item actions reach past "not found".
    add_to_queue(user, person=boss)
    add_to_queue(user, company=company, ask_for="the CFO")
    CURRENT.token = issue_token(user)
    yield CURRENT.token
    CURRENT.app = CURRENT.token = None


@schema.parametrize()
# One app per operation on purpose: rows the examples create are there for the next ones.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_its_document_says(case, token):
    """Every generated request gets a response its document allows (all built-in checks)."""
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
