"""The calling queue's paths in the OpenAPI document (app.api.openapi adds them)."""

from app.api.openapi import _errors, _ok, _query
from app.api.schemas import Schema, ident, ref

ITEM_ERRORS = ("401", "403", "404", "422")
BODY_ERRORS = ("400", "413", "415")
STATUS_VALUES = ["pending", "claimed", "done", "skipped", "snoozed", "open", "all"]


def _body(schema: str) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


def _action(operation_id: str, summary: str, body: str | None = None) -> Schema:
    """POST /api/v1/queue/{item_id}/<action>: the item as it is after the action."""
    operation: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["queue"],
        "responses": {**_ok("200", "QueueItem", "The item now."),
                      **_errors(*ITEM_ERRORS, *(BODY_ERRORS if body else ()))},
    }
    if body:
        operation["requestBody"] = _body(body)
    path_param = {"name": "item_id", "in": "path", "required": True, "schema": ident()}
    return {"parameters": [path_param], "post": operation}


def queue_paths() -> dict[str, Schema]:
    """/api/v1/queue and its actions."""
    return {
        "/api/v1/queue": {
            "get": {
                "operationId": "list_queue",
                "summary": "Your calling queue, next first",
                "tags": ["queue"],
                "parameters": [_query(
                    "status", {"type": "string", "enum": STATUS_VALUES},
                    "Default: pending and claimed items. `open` adds snoozed ones, `all` "
                    "every item; done and skipped items come newest first after open ones.")],
                "responses": {**_ok("200", "QueueList", "Your items."), **_errors("401", "422")},
            },
            "post": {
                "operationId": "add_to_queue",
                "summary": "Queue a person, or a company's main line asking for someone",
                "description": "201 with the new item; 200 with the open item already queued "
                               "for that target; 422 saying why a target may not be called "
                               "(do not call, off limits, left, an empty box, no good number).",
                "tags": ["queue"],
                "requestBody": _body("QueueAdd"),
                "responses": {**_ok("201", "QueueItem", "Queued."),
                              **_ok("200", "QueueItem", "Already in your queue."),
                              **_errors("401", "422", *BODY_ERRORS)},
            },
        },
        "/api/v1/queue/build": {
            "post": {
                "operationId": "build_queue",
                "summary": "Queue due follow-ups, org-chart gaps or a saved search's results",
                "description": "Idempotent: open targets stay as they are, and targets worked "
                               "in the last 24 hours are not added again; at most 200 a time.",
                "tags": ["queue"],
                "requestBody": _body("QueueBuild"),
                "responses": {**_ok("200", "QueueBuilt", "What was added."),
                              **_errors("401", "422", *BODY_ERRORS)},
            },
        },
        "/api/v1/queue/next": {
            "post": {
                "operationId": "take_next",
                "summary": "Claim your next item (and put back the one you held unlogged)",
                "description": "An item you hold with no call logged on it goes back to "
                               "pending and is not the one offered: it comes round again on a "
                               "later next.",
                "tags": ["queue"],
                "responses": {
                    **_ok("200", "QueueItem", "Claimed for you for QUEUE_CLAIM_MINUTES."),
                    "204": {"description": "Nothing can be claimed now (all done, snoozed, "
                                           "or held by teammates)."},
                    **_errors("401", "422"),
                },
            },
        },
        "/api/v1/queue/{item_id}/skip": _action("skip_queue_item", "Skip an open item, saying "
                                                "why", "QueueSkip"),
        "/api/v1/queue/{item_id}/snooze": _action("snooze_queue_item", "Put an open item aside "
                                                  "until a time", "QueueSnooze"),
        "/api/v1/queue/{item_id}/release": _action(
            "release_queue_item", "Put an item back to pending (claimed, snoozed or skipped)"),
        "/api/v1/queue/{item_id}/extend": _action(
            "extend_queue_claim", "Hold the item you are working for longer"),
    }
