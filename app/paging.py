"""Pages of list views: the page number comes from the URL, so it is bounded before use."""

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db

MAX_PAGE = 100_000  # far past any real list; a larger number would overflow the database


def page_of(query: Select) -> Pagination:
    """The requested page of query (an out-of-range page is simply empty, never an error)."""
    page = request.args.get("page", 1, type=int)
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
