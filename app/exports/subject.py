"""A subject access export: everything held about one person, and where each fact came from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.api.serializers import call_summary_json, person_json, touchpoint_json
from app.extensions import db
from app.models import Call, Person, QueueItem, ReportingLink, Touchpoint, User, call_person

NO_CHANGE_LOG = (
    "Switchboard keeps no field-by-field change log. What it holds about how this record "
    "changed is here: reporting_lines.reported (every report of who they report to, with its "
    "source), provenance (who added them, from which call) and person.updated_at (the last change)."
)


def _user(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.display_name, "email": user.email} if user else None


def _someone(person: Person | None) -> dict[str, Any] | None:
    return {"id": person.id, "name": person.display_name} if person else None


def _call_ref(call: Call | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {"id": call.id, "started_at": call.started_at.isoformat(),
            "logged_by": _user(call.user)}


def _link_json(link: ReportingLink) -> dict[str, Any]:
    return {"id": link.id, "person": _someone(link.person), "manager": _someone(link.manager),
            "reported_at": link.reported_at.isoformat(), "from_call": _call_ref(link.source_call),
            "told_by": _someone(link.told_by), "logged_by": _user(link.reported_by)}


def _links(*conditions) -> list[dict[str, Any]]:
    query = (select(ReportingLink).where(or_(*conditions)).order_by(ReportingLink.id)
             .options(selectinload(ReportingLink.source_call).selectinload(Call.user)))
    return [_link_json(link) for link in db.session.scalars(query)]


def _calls(person: Person) -> list[dict[str, Any]]:
    """Every call they were on: aimed at them, answered by them, or naming them."""
    named = select(call_person.c.call_id).where(call_person.c.person_id == person.id)
    query = (select(Call).where(or_(Call.person_id == person.id,
                                    Call.answered_by_id == person.id, Call.id.in_(named)))
             .order_by(Call.started_at, Call.id)
             .options(selectinload(Call.user), selectinload(Call.voicemail)))
    out = []
    for call in db.session.scalars(query):
        roles = [role for role, on in (("target", call.person_id == person.id),
                                       ("answered", call.answered_by_id == person.id),
                                       ("uncovered", call.id == person.source_call_id)) if on]
        out.append({**call_summary_json(call), "their_part": roles or ["mentioned"],
                    "logged_by": _user(call.user)})
    return out


def subject_export(person: Person) -> dict[str, Any]:
    """The whole record as JSON-ready data."""
    touchpoints = db.session.scalars(
        select(Touchpoint).where(Touchpoint.person_id == person.id)
        .order_by(Touchpoint.happened_at, Touchpoint.id).options(selectinload(Touchpoint.user)))
    queue = db.session.scalars(select(QueueItem).where(QueueItem.person_id == person.id)
                               .order_by(QueueItem.id))
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "person": person_json(person),
        "company": {"id": person.company.id, "name": person.company.name},
        "provenance": {
            "uncovered_by_call": _call_ref(person.source_call),
            "added_by": _user(person.created_by),
            "added_at": person.created_at.isoformat(),
            "email_source": person.email_source,
        },
        "reporting_lines": {
            "reports_to": _someone(person.reports_to),
            "direct_reports": [_someone(p) for p in person.direct_reports],
            "reported": _links(ReportingLink.person_id == person.id),
            "reported_as_their_manager": _links(ReportingLink.manager_id == person.id),
            "told_us": _links(ReportingLink.told_by_id == person.id),
        },
        "calls": _calls(person),
        "touchpoints": [{**touchpoint_json(t), "logged_by": _user(t.user)} for t in touchpoints],
        "queue_items": [{"id": q.id, "status": q.status.value, "reason": q.reason.value,
                         "why": q.why, "queued_by": _user(q.user),
                         "created_at": q.created_at.isoformat()} for q in queue],
        "change_history": NO_CHANGE_LOG,
    }
