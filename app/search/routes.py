"""Boolean search from the header, grouped results, and saved searches."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models import SavedSearch
from app.search import saved
from app.search.highlight import highlight
from app.search.query import QueryError
from app.search.service import COUNT_CAP, PER_PAGE, run_search
from app.validation import parse_id

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("/")
def index():
    """Search people, companies and call notes with a Boolean query."""
    q = request.args.get("q", "").strip()
    page = request.args.get("page", 1, type=int)
    results, error = None, None
    if q:
        try:
            results = run_search(q, page, current_user.timezone)
        except QueryError as exc:
            error = exc
    # parse_id: an id no row can have (huge, signed) is simply none, not a database overflow.
    running = saved.mark_run(current_user, parse_id(request.args.get("saved")), q)
    return render_template("search/index.html", q=q, results=results, error=error,
                           highlight=highlight, saved=saved.for_user(current_user),
                           running=running, count_cap=COUNT_CAP,
                           per_page=PER_PAGE), 400 if error else 200


@bp.post("/saved")
def save():
    """Save the current query under a name, to run again in one click."""
    try:
        search = saved.save_search(current_user, request.form.get("name", ""),
                                   request.form.get("q", ""))
    except QueryError as exc:
        flash(f"Not saved: {exc.message}", "error")
        return redirect(url_for("search.index", q=request.form.get("q", "")))
    flash(f"Saved “{search.name}”.", "success")
    return redirect(url_for("search.index", q=search.query, saved=search.id))


@bp.post("/saved/<int:search_id>/delete")
def delete(search_id: int):
    """Forget a saved search."""
    search = db.get_or_404(SavedSearch, search_id)
    if search.user_id != current_user.id:
        abort(403)
    saved.delete_search(search)
    flash("Saved search removed.", "info")
    return redirect(url_for("search.index"))
