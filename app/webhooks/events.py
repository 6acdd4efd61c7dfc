"""Noticing events where writes happen: one session hook, like the search index's.

`after_flush` notes which people and calls a flush created, changed or deleted; `before_commit`
turns them into deliveries in the same transaction (app.webhooks.outbox), so an event is sent
exactly when its change commits, whichever page, API call, import or job made it.
"""

from typing import Any

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs.queue import WAKE
from app.models import Call, Person
from app.webhooks.outbox import queue_events, subscribers

NOTED = "webhook_events"  # session.info key: {(kind, id): event type}, in the order noticed
QUEUED = "webhook_queued"  # session.info key: deliveries were queued; wake the runner on commit


def _ours(session: Session) -> bool:
    # Deliveries are queued as jobs on db.session: other sessions (scripts) are not watched.
    return has_app_context() and session is db.session()


def _outcome_first_set(call: Call) -> bool:
    history = inspect(call).attrs.outcome.history
    return bool(history.added) and history.added[0] is not None and None in history.deleted


def _after_flush(session: Session, _context) -> None:
    if not _ours(session):
        return
    noted: dict[tuple[str, int], str] = session.info.setdefault(NOTED, {})
    for obj in session.new:
        if isinstance(obj, Person):
            noted[("person", obj.id)] = "person.created"
        elif isinstance(obj, Call) and obj.outcome is not None:
            noted[("call", obj.id)] = "call.logged"
    for obj in session.dirty:
        if isinstance(obj, Person) and session.is_modified(obj, include_collections=False):
            noted.setdefault(("person", obj.id), "person.updated")
        elif isinstance(obj, Call) and _outcome_first_set(obj):
            noted.setdefault(("call", obj.id), "call.logged")
    for obj in session.deleted:
        if isinstance(obj, Person):
            if noted.get(("person", obj.id)) == "person.created":
                del noted[("person", obj.id)]  # never existed outside this transaction
            else:
                noted[("person", obj.id)] = "person.erased"
        elif isinstance(obj, Call):
            noted.pop(("call", obj.id), None)


def _data(session: Session, kind: str, ident: int, event_type: str) -> dict[str, Any] | None:
    from app.api.serializers import call_json, person_json  # the API's shapes, one source

    if event_type == "person.erased":
        return {"id": ident}  # nothing personal survives an erasure, not even in a payload
    if kind == "person":
        person = session.get(Person, ident)
        return person_json(person) if person else None
    call = session.get(Call, ident)
    return call_json(call) if call else None


def _before_commit(session: Session) -> None:
    if not _ours(session):
        return
    # Commit flushes only after this hook: flush now (the same work) so pending changes count.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.get(NOTED):
        return
    noted = session.info.pop(NOTED, {})
    wanted = subscribers(session)
    events = []
    for (kind, ident), event_type in noted.items():
        if event_type in wanted and (data := _data(session, kind, ident, event_type)):
            events.append((event_type, data))
    if events and queue_events(session, events, wanted):
        session.info[QUEUED] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(QUEUED, False):
        WAKE.set()  # the in-process runner sends them now rather than at its next poll


def _after_rollback(session: Session) -> None:
    session.info.pop(NOTED, None)
    session.info.pop(QUEUED, None)


HOOKS = (("after_flush", _after_flush), ("before_commit", _before_commit),
         ("after_commit", _after_commit), ("after_rollback", _after_rollback))


def register_webhook_hooks() -> None:
    """Watch every session for events (called once by create_app)."""
    for name, function in HOOKS:
        if not event.contains(Session, name, function):
            event.listen(Session, name, function)
