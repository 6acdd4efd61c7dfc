"""API views for a company's phone-tree path and its gatekeepers (on the `api` blueprint)."""

from flask import jsonify

from app.api import shapes
from app.api.auth import token_required
from app.api.parsing import json_body, require_shape
from app.api.routes import _find, bp
from app.companies.gatekeepers import GatekeeperStats, gatekeepers_of
from app.companies.phone_tree import save_steps, step_dict, steps_of
from app.models import Company


def gatekeeper_json(row: GatekeeperStats) -> dict:
    return {
        "person_id": row.person_id,
        "full_name": row.full_name,
        "title": row.title,
        "calls": row.calls,
        "put_through": row.put_through,
        "put_through_rate": row.put_through_rate,
        "outcomes": row.outcomes,
        "last_call_at": row.last_call_at.isoformat() if row.last_call_at else None,
        "last_notes": row.last_notes,
        "answers_when": row.answers_when,
    }


@bp.get("/companies/<int:company_id>/phone-tree")
@token_required
def get_phone_tree(company_id: int):
    """The company's saved phone-tree path."""
    return jsonify(steps=[step_dict(s) for s in steps_of(_find(Company, company_id))])


@bp.put("/companies/<int:company_id>/phone-tree")
@token_required
def put_phone_tree(company_id: int):
    """Replace the company's phone-tree path."""
    company = _find(Company, company_id)
    data = json_body()
    require_shape(data, shapes.PHONE_TREE)
    return jsonify(steps=[step_dict(s) for s in save_steps(company, data.get("steps"))])


@bp.get("/companies/<int:company_id>/gatekeepers")
@token_required
def list_gatekeepers(company_id: int):
    """The gatekeepers met on the company's line, with their record."""
    return jsonify(gatekeepers=[gatekeeper_json(g) for g in gatekeepers_of(
        _find(Company, company_id))])
