"""The calling screen: take the next target, call, log it with its names, save and go on.

Every action works as a plain form post answered by a redirect (no script needed). The screen's
script sends the same posts with the header `X-Switchboard-Screen: 1` and gets the new state of
the screen as an HTML fragment instead, so a block of calls never reloads the page.
"""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.auth.routes import safe_next
from app.calls.forms import CallForm
from app.calls.routes import submit_form
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.models import OPEN_STATUSES, CallingSession, QueueItem, now_utc
from app.queue import actions
from app.queue.claims import current_item
from app.queue.forms import (
    SKIP_REASONS,
    SNOOZE_CHOICES,
    AddForm,
    BuildForm,
    EmptyForm,
    SkipForm,
    SnoozeForm,
)
from app.queue.screen import build_screen, build_side
from app.queue.service import extend_claim, release_item, skip_item, take_next
from app.queue.session_stats import session_summary

bp = Blueprint("queue", __name__, url_prefix="/queue")
FRAGMENT_HEADER = "X-Switchboard-Screen"


@bp.context_processor
def _choices():
    return {"skip_reasons": SKIP_REASONS, "snooze_choices": SNOOZE_CHOICES}


def _fragment_wanted() -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def _own_item(item_id: int) -> QueueItem:
    item = db.session.get(QueueItem, item_id)
    if item is None or item.user_id != current_user.id:
        abort(404)  # another recruiter's items are not even named
    return item


def _screen(message: str | None = None, *, error: str | None = None, form: CallForm | None = None,
            item: QueueItem | None = None, status: int = 200):
    """Answer with the screen: its fragment for the script, else the page or a redirect."""
    if not _fragment_wanted() and status < 400:
        if message:
            flash(message, "success")
        return redirect(url_for("queue.index"))
    fragment = _fragment_wanted()
    screen = build_screen(current_user, now_utc(), form=form, item=item, message=message,
                          error=error, side=not fragment)
    if fragment:
        # The header tells the script this is the screen, not an error page from elsewhere.
        return render_template("queue/_workspace.html", screen=screen), status, {
            "X-Switchboard-Fragment": "1", "Cache-Control": "no-store"}
    return render_template("queue/index.html", screen=screen), status


def _back(target: str | None) -> str:
    """Where an "Add to queue" button returns: the page it was on (same site), else the queue."""
    if not target and request.referrer and request.referrer.startswith(request.host_url):
        target = "/" + request.referrer[len(request.host_url):]
    return safe_next(target) if target else url_for("queue.index")


@bp.get("")
def index():
    """The calling screen: my queue, the target I hold, its card, the dialer and the call form."""
    return render_template("queue/index.html", screen=build_screen(current_user, now_utc()))


@bp.get("/side")
def side():
    """The block's numbers and the queue list alone: the script asks for them after a swap."""
    held = current_item(current_user)
    parts = build_side(current_user, now_utc(), held.company if held is not None else None)
    return render_template("queue/_side.html", side=parts), 200, {
        "X-Switchboard-Fragment": "1", "Cache-Control": "no-store"}


@bp.post("/next")
def next_item():
    """Take the next target (putting back one held without a call)."""
    if not EmptyForm().validate_on_submit():
        return _screen(error="The form expired: reload the page.", status=400)
    return _screen(actions.took_message(take_next(current_user)))


@bp.post("/<int:item_id>/log")
def log(item_id: int):
    """Save and next: log the call on this target, mark it done, and take the next one."""
    item = _own_item(item_id)
    form = CallForm()
    # The URL names the item; an item closed meanwhile (another tab) still gets its call logged.
    form.queue_item_id.data = str(item.id) if item.status in OPEN_STATUSES else ""
    call = submit_form(form, None)
    if call is None:
        return _screen(form=form, item=item, status=422,
                       error="Nothing was saved yet: fix the fields marked below.")
    if form.draft_key.data:
        session["clear_draft"] = form.draft_key.data[:200]
    logged = actions.logged_message(call)
    return _screen(f"{logged} {actions.took_message(take_next(current_user))}")


@bp.post("/<int:item_id>/skip")
def skip(item_id: int):
    """Skip this target with a reason, and take the next one."""
    item = _own_item(item_id)
    form = SkipForm()
    if not form.validate_on_submit():
        return _screen(error=actions.first_error(form), item=item, status=422)
    try:
        skip_item(current_user, item, form.chosen())
    except (DomainError, PermissionDenied) as exc:
        return _screen(error=actions.refusal(exc), item=item, status=422)
    return _screen(f"Skipped. {actions.took_message(take_next(current_user))}")


@bp.post("/<int:item_id>/snooze")
def snooze(item_id: int):
    """Put this target aside for an hour, until tomorrow, next week or a time; take the next."""
    item = _own_item(item_id)
    form = SnoozeForm()
    if not form.validate_on_submit():
        return _screen(error=actions.first_error(form), item=item, status=422)
    try:
        until = actions.snooze(current_user, item, form.when.data, form.until.data, now_utc())
    except (DomainError, PermissionDenied) as exc:
        return _screen(error=actions.refusal(exc), item=item, status=422)
    return _screen(f"Snoozed until {until}. {actions.took_message(take_next(current_user))}")


@bp.post("/<int:item_id>/release")
def release(item_id: int):
    """Put this target back in the queue, unclaimed, and take nothing (a pause)."""
    item = _own_item(item_id)
    if not EmptyForm().validate_on_submit():
        return _screen(error="The form expired: reload the page.", status=400)
    try:
        release_item(current_user, item)
    except (DomainError, PermissionDenied) as exc:
        return _screen(error=actions.refusal(exc), status=422)
    return _screen("Put back in your queue. Press N to take the next target.")


@bp.post("/<int:item_id>/extend")
def extend(item_id: int):
    """Hold the target a few minutes longer (the screen calls this during long calls)."""
    item = _own_item(item_id)
    if not EmptyForm().validate_on_submit():
        return jsonify(message="The form expired: reload the page."), 400
    try:
        item = extend_claim(current_user, item)
    except (DomainError, PermissionDenied) as exc:
        return jsonify(message=actions.refusal(exc)), 409
    return jsonify(claimed_until=item.claimed_until.isoformat())


@bp.post("/add")
def add():
    """Add a person, a main line with someone to ask for, or the people ticked in a list."""
    form = AddForm()
    back = _back(form.next.data)
    if not form.validate_on_submit():
        flash(actions.first_error(form), "error")
        return redirect(back, 303)
    category, message = actions.add(current_user, form, request.form)
    flash(message, category)
    return redirect(back, 303)


@bp.post("/build")
def build():
    """Fill the queue from due follow-ups, a company's org-chart gaps or a saved search."""
    form = BuildForm()
    if not form.validate_on_submit():
        flash(actions.first_error(form), "error")
        return redirect(url_for("queue.index"))
    category, message = actions.build(current_user, form)
    flash(message, category)
    return redirect(url_for("queue.index"))


@bp.post("/end-block")
def end_block():
    """End the calling block (putting back the target held) and show its summary."""
    if not EmptyForm().validate_on_submit():
        flash("The form expired: reload the page.", "error")
        return redirect(url_for("queue.index"))
    ended = actions.end_block(current_user, now_utc())
    if ended is None:
        flash("No calling block is running.", "info")
        return redirect(url_for("queue.index"))
    return redirect(url_for("queue.block", session_id=ended.id))


@bp.get("/blocks/<int:session_id>")
def block(session_id: int):
    """A calling block's summary: dials, connects, names, time on the phone and between calls."""
    block = db.get_or_404(CallingSession, session_id)
    if block.user_id != current_user.id and not current_user.is_admin:
        abort(404)
    return render_template("queue/summary.html", block=block,
                           summary=session_summary(block))
