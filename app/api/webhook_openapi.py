"""Outbound webhooks in the OpenAPI document (app.api.openapi adds them)."""

from app.api.openapi import _errors, _ok
from app.api.schemas import Schema, ident, obj
from app.webhooks.addresses import MAX_URL
from app.webhooks.outbox import EVENT_TYPES
from app.webhooks.signing import SECRET_PREFIX

EVENTS: Schema = {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"type": "string", "enum": list(EVENT_TYPES)}}
ADMIN_ONLY: Schema = {"403": {
    "description": "Only an admin may manage webhooks.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
ENDPOINT_FIELDS: dict[str, Schema] = {
    "id": ident(),
    "url": {"type": "string", "format": "uri"},
    "events": EVENTS,
    "failing": {"type": "boolean",
                "description": "A delivery used up its last attempt; the next success clears it."},
    "failing_since": {"type": ["string", "null"], "format": "date-time"},
    "created_at": {"type": "string", "format": "date-time"},
}
ENDPOINT_REQUIRED = list(ENDPOINT_FIELDS)

WEBHOOK_SCHEMAS: dict[str, Schema] = {
    "WebhookCreate": obj({
        "url": {"type": "string", "minLength": 1, "maxLength": MAX_URL,
                "description": "https:// on a public address (loopback, private, link-local and "
                               "reserved addresses are refused, also when a name resolves to "
                               "one) unless the server sets WEBHOOK_ALLOW_PRIVATE_URLS, which "
                               "also allows http://."},
        "events": EVENTS,
    }, required=["url", "events"], additionalProperties=False),
    "Webhook": obj(ENDPOINT_FIELDS, required=ENDPOINT_REQUIRED),
    "WebhookCreated": obj({
        **ENDPOINT_FIELDS,
        "secret": {"type": "string", "pattern": f"^{SECRET_PREFIX}[A-Za-z0-9+/]{{32,}}={{0,2}}$",
                   "description": "The signing secret (Standard Webhooks), shown only here."},
    }, required=[*ENDPOINT_REQUIRED, "secret"]),
    "WebhookList": obj({"items": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/Webhook"}}},
                       required=["items"]),
}

DELIVERY_NOTE = (
    "Each event is POSTed as `{\"type\", \"timestamp\", \"data\"}` with the Standard Webhooks "
    "headers `webhook-id` (the same on every retry), `webhook-timestamp` (Unix seconds of that "
    "attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of \"id.timestamp.body\">`, keyed "
    "with the base64-decoded part of the secret after `whsec_`). Any 2xx acknowledges; anything "
    "else (or no answer: 5 s to connect, 10 s to answer) is retried 10 s, 2 min, 10 min, 1 h "
    "and 6 h later, after which the endpoint is marked failing. `person.erased` carries only "
    "the id.")


def webhook_paths() -> dict[str, Schema]:
    """/api/v1/webhooks and /api/v1/webhooks/{webhook_id}."""
    return {
        "/api/v1/webhooks": {
            "get": {
                "operationId": "list_webhooks",
                "summary": "Registered webhook endpoints (admins)",
                "tags": ["webhooks"],
                "responses": {**_ok("200", "WebhookList", "Oldest first, without secrets."),
                              **ADMIN_ONLY, **_errors("401", "422")},
            },
            "post": {
                "operationId": "create_webhook",
                "summary": "Register an endpoint for some events (admins)",
                "description": DELIVERY_NOTE,
                "tags": ["webhooks"],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WebhookCreate"}}}},
                "responses": {**_ok("201", "WebhookCreated", "Registered; keep the secret."),
                              **ADMIN_ONLY, **_errors("400", "401", "413", "415", "422")},
            },
        },
        "/api/v1/webhooks/{webhook_id}": {
            "parameters": [{"name": "webhook_id", "in": "path", "required": True,
                            "schema": ident()}],
            "delete": {
                "operationId": "delete_webhook",
                "summary": "Stop sending to an endpoint and forget its deliveries (admins)",
                "tags": ["webhooks"],
                "responses": {"204": {"description": "Deleted."}, **ADMIN_ONLY,
                              **_errors("401", "404", "422")},
            },
        },
    }
