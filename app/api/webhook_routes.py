"""Outbound webhooks in the JSON API (views on the `api` blueprint): admins only."""

from typing import Any

from flask import url_for

from app.api.auth import api_user, token_required
from app.api.errors import ApiError
from app.api.parsing import json_body
from app.api.routes import _find, bp
from app.errors import DomainError
from app.extensions import db
from app.models import WebhookEndpoint
from app.webhooks import service

BODY_FIELDS = {"url", "events"}


def endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint without its secret (shown once, in the answer to its registration)."""
    return {"id": endpoint.id, "url": endpoint.url, "events": list(endpoint.events),
            "failing": endpoint.failing,
            "failing_since": endpoint.failing_since.isoformat() if endpoint.failing else None,
            "created_at": endpoint.created_at.isoformat()}


def _admin() -> None:
    if not api_user().is_admin:
        raise ApiError(403, "Only an admin may manage webhooks.")


@bp.get("/webhooks")
@token_required
def list_webhooks():
    """Every registered endpoint, oldest first (secrets are never shown again)."""
    _admin()
    endpoints = db.session.scalars(db.select(WebhookEndpoint).order_by(WebhookEndpoint.id))
    return {"items": [endpoint_json(e) for e in endpoints]}


@bp.post("/webhooks")
@token_required
def create_webhook():
    """Register an endpoint for some events; 201 with its signing secret, shown this once."""
    _admin()
    data = json_body()
    unknown = sorted(set(data) - BODY_FIELDS)
    if unknown:
        raise ApiError(422, "Unknown fields.", {name: "Unknown field." for name in unknown})
    try:
        endpoint = service.register_endpoint(data.get("url"), data.get("events"), api_user())
    except DomainError as exc:
        raise ApiError(422, "The endpoint cannot be registered.", exc.fields) from None
    body = {**endpoint_json(endpoint), "secret": endpoint.secret}
    return body, 201, {"Location": url_for(".list_webhooks")}


@bp.delete("/webhooks/<int:webhook_id>")
@token_required
def delete_webhook(webhook_id: int):
    """Stop sending to an endpoint and forget its deliveries."""
    _admin()
    service.delete_endpoint(_find(WebhookEndpoint, webhook_id))
    return "", 204
