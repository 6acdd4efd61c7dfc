"""JSON API under /api/v1, authenticated with per-user bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return {"openapi": "3.1.0", "info": {"title": "Switchboard", "version": "1"}, "paths": {}}
