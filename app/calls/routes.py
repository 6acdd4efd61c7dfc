"""The call log: list with filters, the log-a-call form, a call's page, editing, follow-ups."""

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
from sqlalchemy import select

from app.calls import service
from app.calls.filters import CallFilterForm
from app.calls.forms import CallForm, local_now_for_input
from app.calls.prefill import form_context, people_payload, prefill
from app.calls.queries import filtered_calls
from app.extensions import db
from app.form_errors import submit_checked
from app.models import Call, Company, Person, now_utc
from app.paging import page_of
from app.people.similar import offers_for
from app.queue.quick_times import quick_follow_ups, quick_started
from app.telephony.dialer import build_dialer
from app.telephony.inbound import owns_callback
from app.textmatch import contains, starts_with
from app.validation import get_by_id

bp = Blueprint("calls", __name__, url_prefix="/calls")


@bp.get("/")
def index():
    """Every call, filtered by recruiter, company, outcome and date range."""
    form = CallFilterForm(request.args)
    query = filtered_calls(form.to_filter(), current_user)
    page = page_of(query)
    # A date it cannot read is named on the page and left out of the filter.
    return render_template("calls/index.html", page=page, form=form,
                           args=form.url_args()), 400 if form.errors else 200


def submit_form(form: CallForm, call: Call | None):
    """Check and save in one pass; the saved call or None (every problem and match on the form).

    Also the calling screen's (app.queue.routes), which posts the same form bound to a target.
    """
    saved = submit_checked(form, lambda found: service.save_call(
        current_user, form.service_data(current_user), call, found), form.entry_paths)
    form.row_matches = getattr(form, "matches", {})
    return saved


def _render(form: CallForm, call: Call | None, status: int = 200):
    context = form_context(form)
    dialer = None
    if request.args.get("dial"):
        person = get_by_id(Person, form.person_id.data)
        dialer = build_dialer(context["company"], person, form.to_number.data)
    now = now_utc()
    return render_template("calls/form.html", call=call, dialer=dialer,
                           quick_times=quick_follow_ups(context["company"], current_user, now),
                           started_choices=quick_started(current_user, now), **context), status


def _saved(call: Call, form: CallForm, verb: str):
    if form.draft_key.data:
        session["clear_draft"] = form.draft_key.data[:200]
    names = len(call.people)
    flash(f"Call {verb}" + (f" with {names} people linked." if names else "."), "success")
    return redirect(url_for("calls.detail", call_id=call.id))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Log a call: blank, or started from ?company_id, ?person_id or a ?follow_up call."""
    form = CallForm()
    if request.method == "GET":
        prefill(form, request.args)
        form.started_at.data = local_now_for_input(current_user)
    call = submit_form(form, None)
    if call is not None:
        return _saved(call, form, "logged")
    return _render(form, None, 422 if request.method == "POST" else 200)


@bp.get("/<int:call_id>")
def detail(call_id: int):
    """One call: outcome, notes, and the people it uncovered."""
    call = db.get_or_404(Call, call_id)
    uncovered = [p for p in call.people if p.source_call_id == call.id]
    return render_template("calls/detail.html", call=call, similar_offers=offers_for(uncovered))


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
def edit(call_id: int):
    """Edit a call (its author or an admin) and add more names to it."""
    call = db.get_or_404(Call, call_id)
    if not call.editable_by(current_user):
        abort(403)
    form = CallForm()
    if request.method == "GET":
        prefill(form, {}, call=call)
    saved = submit_form(form, call)
    if saved is not None:
        return _saved(saved, form, "updated")
    return _render(form, call, 422 if request.method == "POST" else 200)


@bp.post("/<int:call_id>/follow-up/done")
def complete_follow_up(call_id: int):
    """Close a follow-up without logging a call."""
    call = db.get_or_404(Call, call_id)
    if not owns_callback(call, current_user):
        abort(403)
    service.complete_follow_up(call)
    flash("Follow-up marked done.", "success")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(
        request.host_url) else url_for("main.index"))


@bp.get("/company-lookup")
def company_lookup():
    """Companies whose name starts with (or contains) what was typed, for the call form."""
    q = request.args.get("q", "").strip().lower()[:100]
    if len(q) < 2:
        return jsonify(companies=[])
    rows = db.session.execute(
        select(Company.id, Company.name).where(contains(q, Company.name))
        .order_by(starts_with(q, Company.name).desc(), Company.name).limit(15)).all()
    return jsonify(companies=[{"id": i, "name": n} for i, n in rows])


@bp.get("/company-people/<int:company_id>")
def company_people(company_id: int):
    """People at a company as JSON, for the call form's pickers when the company changes."""
    company = db.get_or_404(Company, company_id)
    people = db.session.scalars(select(Person).where(Person.company_id == company.id)
                                .order_by(Person.full_name)).all()
    return jsonify(company={"id": company.id, "main_phone": company.main_phone,
                            "off_limits": company.off_limits,
                            "off_limits_reason": company.off_limits_reason},
                   people=people_payload(people))
