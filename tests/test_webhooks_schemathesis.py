"""Schemathesis over the webhook operations with an admin's token (the main run uses a
recruiter's, who only ever gets 403 here): every answer is one the document allows."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.api.openapi import openapi_document
from app.auth.service import issue_token
from tests import factories
from tests.test_schemathesis import CONFIG, CURRENT

pytestmark = pytest.mark.schemathesis

DOCUMENT = openapi_document()
# Only the webhook paths (the rest is the main Schemathesis run's): a document of their own.
DOCUMENT["paths"] = {path: item for path, item in DOCUMENT["paths"].items()
                     if path.startswith("/api/v1/webhooks")}
schema = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(CONFIG))
schema.app = CURRENT


@pytest.fixture
def admin_token(app) -> str:
    """An admin's token on the served app, and endpoint 1 registered so DELETE can find it."""
    CURRENT.app = app
    admin = factories.UserFactory(email="ada@example.com", role="admin")
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = True
    from app.webhooks.service import register_endpoint

    register_endpoint("http://127.0.0.1:9/hook", ["call.logged"], admin)
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    CURRENT.token = issue_token(admin)
    yield CURRENT.token
    CURRENT.app = CURRENT.token = None


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_webhook_api_answers_an_admin_as_its_document_says(case, admin_token):
    """Registrations are 201 or a 422 naming the field; the list and delete conform."""
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"})
