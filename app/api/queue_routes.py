"""The calling queue in the JSON API: list, add, build, take next, skip, snooze, put back.

Views on the `api` blueprint (registered by importing this module with app.api.routes). Items
belong to one recruiter: acting on someone else's item is a 403, an unknown id a 404.
"""

from typing import Any

from flask import request

from app.api import shapes
from app.api.auth import api_user, token_required
from app.api.errors import ApiError
from app.api.parsing import json_body, require_shape
from app.api.routes import _find, bp
from app.api.serializers import queue_item_json
from app.models import OPEN_STATUSES, Company, Person, QueueItem, QueueStatus, User, now_utc
from app.queue import service as queue
from app.validation import get_by_id

STATUS_FILTERS: dict[str, list[QueueStatus]] = {
    "": [QueueStatus.PENDING, QueueStatus.CLAIMED],
    **{s.value: [s] for s in QueueStatus},
    "open": list(OPEN_STATUSES),
    "all": list(QueueStatus),
}


def _items_json(user: User, items: list[QueueItem]) -> list[dict[str, Any]]:
    facts = queue.item_facts(items, user, now_utc())
    return [queue_item_json(item, facts[item.id]) for item in items]


def _item_json(user: User, item: QueueItem) -> dict[str, Any]:
    return _items_json(user, [item])[0]


def _body_row(data: dict[str, Any], key: str, model: type, label: str):
    """The row the body's `key` names, None when absent, or a 422 on that field."""
    if data.get(key) is None:
        return None
    row = get_by_id(model, data[key])
    if row is None:
        raise ApiError(422, f"No {label} with id {data[key]}.",
                       {key: f"No {label} with id {data[key]}."})
    return row


@bp.get("/queue")
@token_required
def list_queue():
    """Your queue in order: pending and claimed items, or `status` (done, skipped, ..., all)."""
    user = api_user()
    statuses = STATUS_FILTERS[request.args.get("status", "")]  # checked against the document
    items, facts, total = queue.queue_listing(user, statuses, now_utc())
    return {"items": [queue_item_json(item, facts[item.id]) for item in items], "total": total}


@bp.post("/queue")
@token_required
def add_to_queue():
    """Queue a person, or a company's main line with who to ask for; 200 if already queued."""
    data = json_body()
    require_shape(data, shapes.QUEUE_ADD)
    person = _body_row(data, "person_id", Person, "person")
    company = _body_row(data, "company_id", Company, "company")
    if person is None and company is None:
        message = "Send person_id, or company_id and ask_for."
        raise ApiError(422, message, {"person_id": message})
    user = api_user()
    item, created = queue.add_to_queue(user, person=person, company=company,
                                       ask_for=data.get("ask_for"),
                                       next_step=data.get("next_step"))
    return _item_json(user, item), 201 if created else 200


@bp.post("/queue/build")
@token_required
def build_queue():
    """Add due follow-ups, a company's org-chart gaps or a saved search's results; idempotent."""
    data = json_body()
    require_shape(data, shapes.QUEUE_BUILD)
    user = api_user()
    added = queue.build_queue(user, data.get("source"), data.get("company_id"),
                              data.get("saved_search_id"))
    return {"added": len(added), "items": _items_json(user, added)}


@bp.post("/queue/next")
@token_required
def take_next():
    """Claim your next item (200), or 204 when none can be claimed now."""
    user = api_user()
    item = queue.take_next(user)
    if item is None:
        return "", 204
    return _item_json(user, item)


def _own(item_id: int) -> QueueItem:
    return queue.own_item(api_user(), _find(QueueItem, item_id))


@bp.post("/queue/<int:item_id>/skip")
@token_required
def skip_item(item_id: int):
    """Take an open item off your queue, with a reason."""
    item = _own(item_id)
    data = json_body()
    require_shape(data, shapes.QUEUE_SKIP)
    return _item_json(api_user(), queue.skip_item(api_user(), item, data.get("reason")))


@bp.post("/queue/<int:item_id>/snooze")
@token_required
def snooze_item(item_id: int):
    """Put an open item aside until `until`; it comes back on a later next."""
    item = _own(item_id)
    data = json_body()
    require_shape(data, shapes.QUEUE_SNOOZE)
    return _item_json(api_user(), queue.snooze_item(api_user(), item, data.get("until")))


@bp.post("/queue/<int:item_id>/release")
@token_required
def release_item(item_id: int):
    """Put an item back to pending: give up a claim, wake a snoozed one, undo a skip."""
    item = _own(item_id)
    return _item_json(api_user(), queue.release_item(api_user(), item))


@bp.post("/queue/<int:item_id>/extend")
@token_required
def extend_claim(item_id: int):
    """Hold the item you are working for another QUEUE_CLAIM_MINUTES."""
    item = _own(item_id)
    return _item_json(api_user(), queue.extend_claim(api_user(), item))
