"""JSON API under /api/v1, authenticated with per-user bearer tokens.

Views parse the request, call the same service functions as the HTML forms, and serialize.
"""

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, jsonify, request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.api import shapes
from app.api.auth import api_user, token_required
from app.api.conform import query_problems
from app.api.errors import ApiError, register_error_handlers
from app.api.openapi import openapi_document
from app.api.parsing import (
    MAX_INT,
    MAX_PER_PAGE,
    json_body,
    pagination,
    parse_datetimes,
    query_choice,
    query_datetime,
    query_int,
    raise_query_errors,
    require_shape,
)
from app.api.serializers import (
    call_json,
    call_summary_json,
    company_json,
    created_person_json,
    me_json,
    page_json,
    person_json,
    touchpoint_json,
)
from app.auth.service import update_profile
from app.calls import service as calls
from app.companies import service as companies
from app.companies.export import stream_org_chart_json
from app.companies.orgchart import build_org_chart
from app.errors import DomainError
from app.extensions import db
from app.models import Call, Company, Outcome, Person, PersonStatus, Touchpoint
from app.people import service as people
from app.search.query import QueryError
from app.search.service import run_search
from app.telephony import settings as telephony_settings
from app.telephony.service import start_bridge_call
from app.textmatch import contains
from app.touchpoints.service import log_touchpoint
from app.validation import FieldErrors

M = TypeVar("M")

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_error_handlers(bp)


def _page(query: Select, serialize: Callable[[Any], dict], page: int, per_page: int):
    result = db.paginate(
        query, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False
    )
    return page_json([serialize(obj) for obj in result.items], page, per_page, result.total or 0)


def _find(model: type[M], ident: int) -> M:
    """The row with this id or a JSON 404 (ids beyond the column's range included)."""
    if ident > MAX_INT:
        abort(404)
    return db.get_or_404(model, ident)


def _created(body: dict[str, Any], location: str):
    return jsonify(body), 201, {"Location": location}


@bp.before_request
def refuse_bad_query():
    """Query parameters the document does not list, or values it refuses, are a 422 up front."""
    if request.url_rule is None:
        return
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", request.url_rule.rule)
    method = "get" if request.method == "HEAD" else request.method.lower()
    if errors := query_problems(path, method, request.args):
        raise ApiError(422, "Some query parameters are invalid.", errors)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (public)."""
    return jsonify(openapi_document())


@bp.get("/companies")
@token_required
def list_companies():
    """Companies by name; `q` searches name, domain, industry and location."""
    errors = FieldErrors()
    page, per_page = pagination(errors)
    raise_query_errors(errors)
    query = select(Company).order_by(func.lower(Company.name), Company.id)
    if q := request.args.get("q", "").strip()[:100]:
        query = query.where(
            contains(q, Company.name, Company.domain, Company.industry, Company.location)
        )
    return _page(query, company_json, page, per_page)


@bp.post("/companies")
@token_required
def create_company():
    """Add a company; 409 with `matches` when the name is already on file."""
    data = json_body()
    require_shape(data, shapes.COMPANY)
    company = companies.create_company(data, api_user())
    return _created(company_json(company), url_for(".get_company", company_id=company.id))


@bp.get("/companies/<int:company_id>")
@token_required
def get_company(company_id: int):
    """One company."""
    return company_json(_find(Company, company_id))


@bp.patch("/companies/<int:company_id>")
@token_required
def update_company(company_id: int):
    """Change the fields sent; any user may edit companies."""
    company = _find(Company, company_id)
    data = json_body()
    require_shape(data, shapes.COMPANY)
    return company_json(companies.update_company(company, data))


@bp.get("/companies/<int:company_id>/org-chart")
@token_required
def get_org_chart(company_id: int):
    """The live org chart: nested `reports`, people without a manager as roots."""
    company = _find(Company, company_id)
    chart = build_org_chart(company)  # before the first byte: a failure is still a clean error
    # Streamed: at 12,000 people the tree is megabytes of JSON, sent as it is written.
    return Response(stream_org_chart_json({"company": company_json(company)}, chart),
                    mimetype="application/json")


@bp.get("/people")
@token_required
def list_people():
    """People by name; filters `company_id`, `status`, and `q` (name, title, department)."""
    errors = FieldErrors()
    page, per_page = pagination(errors)
    company_id = query_int("company_id", errors)
    status = query_choice("status", PersonStatus, errors)
    raise_query_errors(errors)
    query = select(Person).order_by(func.lower(Person.full_name), Person.id)
    if company_id is not None:
        query = query.where(Person.company_id == company_id)
    if status is not None:
        query = query.where(Person.status == status)
    if q := request.args.get("q", "").strip()[:100]:
        query = query.where(contains(q, Person.full_name, Person.title, Person.department))
    return _page(query, person_json, page, per_page)


def _company_of(data: dict[str, Any]) -> Company:
    """The company named by the body's `company_id`, or a 422 on that field."""
    value = data.get("company_id")
    ident = int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else value
    ok = isinstance(ident, int) and not isinstance(ident, bool) and 1 <= ident <= MAX_INT
    company = db.session.get(Company, ident) if ok else None
    if company is None:
        message = f"No company with id {value}." if ok else "Must be the id of a company."
        raise ApiError(422, message, {"company_id": message})
    return company


@bp.post("/people")
@token_required
def create_person():
    """Add a person at `company_id`; 409 with `matches` unless `allow_duplicate` is true.

    The 201 offers colleagues whose name sounds alike or is a nickname as `similar`.
    """
    data = json_body()
    require_shape(data, shapes.PERSON)
    person = people.create_person(
        _company_of(data), data, api_user(), allow_duplicate=data.get("allow_duplicate") is True
    )
    return _created(created_person_json(person), url_for(".get_person", person_id=person.id))


@bp.get("/people/<int:person_id>")
@token_required
def get_person(person_id: int):
    """One person."""
    return person_json(_find(Person, person_id))


@bp.patch("/people/<int:person_id>")
@token_required
def update_person(person_id: int):
    """Change the fields sent (reports_to_id is checked for company and cycles)."""
    person = _find(Person, person_id)
    data = json_body()
    require_shape(data, shapes.PERSON)
    if data.get("company_id") is not None and _company_of(data).id != person.company_id:
        message = "People cannot move between companies; add them at the new company instead."
        raise ApiError(422, message, {"company_id": message})
    person = people.update_person(person, data, allow_duplicate=data.get("allow_duplicate") is True)
    return person_json(person)


@bp.get("/people/<int:person_id>/touchpoints")
@token_required
def list_touchpoints(person_id: int):
    """The person's emails, LinkedIn/social messages and meetings, newest first."""
    person = _find(Person, person_id)
    errors = FieldErrors()
    page, per_page = pagination(errors)
    raise_query_errors(errors)
    query = (select(Touchpoint).where(Touchpoint.person_id == person.id)
             .order_by(Touchpoint.happened_at.desc(), Touchpoint.id.desc()))
    return _page(query, touchpoint_json, page, per_page)


@bp.post("/people/<int:person_id>/touchpoints")
@token_required
def create_touchpoint(person_id: int):
    """Log a touchpoint: `kind`, `happened_at` (ISO 8601 with offset; default now), `note`."""
    person = _find(Person, person_id)
    data = json_body()
    require_shape(data, shapes.TOUCHPOINT)
    problems = parse_datetimes(data, ("happened_at",))
    try:
        touchpoint = log_touchpoint(person, api_user(), data.get("kind"), data.get("happened_at"),
                                    data.get("note"))
    except DomainError as exc:
        exc.fields.update(problems)
        raise
    return _created(touchpoint_json(touchpoint),
                    url_for(".list_touchpoints", person_id=person.id))


@bp.get("/calls")
@token_required
def list_calls():
    """Calls, newest first; filters `company_id`, `user_id`, `outcome`, `since`, `until`."""
    errors = FieldErrors()
    page, per_page = pagination(errors)
    company_id, user_id = query_int("company_id", errors), query_int("user_id", errors)
    outcome = query_choice("outcome", Outcome, errors)
    since, until = query_datetime("since", errors), query_datetime("until", errors)
    raise_query_errors(errors)
    query = (
        select(Call)
        .options(selectinload(Call.people), selectinload(Call.events))
        .order_by(Call.started_at.desc(), Call.id.desc())
    )
    for column, value in (
        (Call.company_id, company_id),
        (Call.user_id, user_id),
        (Call.outcome, outcome),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(Call.started_at >= since)
    if until is not None:
        query = query.where(Call.started_at < until)
    return _page(query, call_json, page, per_page)


def _save_call(data: dict[str, Any], call: Call | None) -> Call:
    problems = parse_datetimes(data, shapes.CALL_DATETIMES)
    try:
        # A bad date-time left in data makes save_call refuse the whole request, so nothing is
        # written; we only swap in the more precise message for that field.
        return calls.save_call(api_user(), data, call)
    except DomainError as exc:
        exc.fields.update(problems)
        raise


@bp.post("/calls")
@token_required
def create_call():
    """Log a call with the people it uncovered, all in one transaction."""
    data = json_body()
    require_shape(data, shapes.CALL)
    call = _save_call(data, None)
    return _created(call_json(call, offer_similar=True), url_for(".get_call", call_id=call.id))


@bp.get("/calls/<int:call_id>")
@token_required
def get_call(call_id: int):
    """One call with its people."""
    return call_json(_find(Call, call_id))


@bp.patch("/calls/<int:call_id>")
@token_required
def update_call(call_id: int):
    """Change a call (author or admin); `people` rows are added or updated, never unlinked."""
    call = _find(Call, call_id)
    if not call.editable_by(api_user()):
        raise ApiError(403, "Only the recruiter who logged this call, or an admin, may change it.")
    data = json_body()
    require_shape(data, shapes.CALL)
    return call_json(_save_call(data, call), offer_similar=True)


@bp.post("/calls/dial")
@token_required
def dial():
    """Bridge call: Twilio rings your own phone, then the target; returns the new call entry."""
    if not telephony_settings.bridge_calling_enabled():
        raise ApiError(503, "Calling through Twilio is not configured on this server.",
                       code="calling_disabled")
    data = json_body()
    require_shape(data, shapes.DIAL)
    person = _find(Person, data["person_id"]) if data.get("person_id") else None
    company = _company_of(data)
    if person is not None and person.company_id != company.id:
        message = f"{person.display_name} works at another company."
        raise ApiError(422, message, {"person_id": message})
    call = start_bridge_call(api_user(), data.get("to_number"), company, person,
                             data.get("extension"))
    return _created(call_json(call), url_for(".get_call", call_id=call.id))


@bp.get("/me")
@token_required
def get_me():
    """The signed-in user: email, role, own phone (for bridge calls) and time zone."""
    return me_json(api_user())


@bp.patch("/me")
@token_required
def update_me():
    """Set your own `phone` (stored E.164) and `timezone` (and `name`)."""
    user = api_user()
    data = json_body()
    require_shape(data, shapes.ME)
    update_profile(user, data.get("name", user.name) or "", data.get("phone", user.phone_e164),
                   data.get("timezone", user.timezone))
    return me_json(user)


@bp.get("/search")
@token_required
def search():
    """Boolean search over people, companies and calls; 400 with `position` if malformed."""
    q = request.args.get("q", "")
    errors = FieldErrors()
    page, _per_page = pagination(errors)
    raise_query_errors(errors)
    try:
        results = run_search(q, page, api_user().timezone)
    except QueryError as exc:
        return jsonify(error=exc.message, position=exc.position), 400
    return {"people": [person_json(p) for p in results.people.items],
            "companies": [company_json(c) for c in results.companies.items],
            "calls": [call_summary_json(c) for c in results.calls.items],
            "total": results.total,
            "totals": {"people": results.people.total, "companies": results.companies.total,
                       "calls": results.calls.total},
            "capped": {"people": results.people.capped, "companies": results.companies.capped,
                       "calls": results.calls.capped},
            "page": results.page}
