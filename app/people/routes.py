"""Key players: list across companies, add, view with their calls, edit."""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.choices import as_choices
from app.errors import DomainError
from app.extensions import db
from app.form_errors import submit_checked
from app.models import Company, Person, PersonStatus
from app.paging import page_of
from app.people import email_patterns, service
from app.people.boxes import FillBoxForm
from app.people.forms import PersonForm
from app.people.merge import erase_person, merge_candidates, merge_people
from app.people.similar import offers_for
from app.textmatch import contains
from app.touchpoints.page import person_page_context
from app.validation import get_by_id

bp = Blueprint("people", __name__, url_prefix="/people")


def _manager_choices(company: Company, exclude: Person | None = None) -> list:
    people = db.session.scalars(select(Person).where(Person.company_id == company.id)
                                .order_by(Person.full_name)).all()
    return as_choices([("", "— not known —")] + [
        (str(p.id), p.display_name + (f" ({p.title})" if p.full_name and p.title else ""))
        for p in people if exclude is None or p.id != exclude.id
    ])


def _save(form: PersonForm, company: Company, person: Person | None):
    """Check and save in one pass: (saved person, None) or (None, person on file it matches)."""
    def save(found):
        if person is None:
            return service.create_person(company, form.service_data(), current_user,
                                         allow_duplicate=form.allow_duplicate.data, found=found)
        return service.update_person(person, form.service_data(),
                                     allow_duplicate=form.allow_duplicate.data, found=found)

    saved = submit_checked(form, save)
    same_name = getattr(form, "matches", {}).get("full_name")
    return saved, db.session.get(Person, same_name[0]) if same_name else None


@bp.get("/")
def index():
    """Everyone on file, searchable by name, title, department or company."""
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    query = select(Person).join(Company).options(selectinload(Person.company),
                                                 selectinload(Person.reports_to))
    if q:
        query = query.where(contains(q, Person.full_name, Person.title, Person.department,
                                     Company.name))
    if status in {s.value for s in PersonStatus}:
        query = query.where(Person.status == PersonStatus(status))
    company = get_by_id(Company, request.args.get("company_id"))
    if company is not None:
        query = query.where(Person.company_id == company.id)
    query = query.order_by(Company.name, Person.full_name)
    page = page_of(query)
    return render_template("people/index.html", page=page, q=q, status=status, company=company)


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a person to a company (?company_id=…)."""
    company = get_by_id(Company, request.args.get("company_id")) or abort(404)
    form = PersonForm()
    form.reports_to.choices = _manager_choices(company)
    if request.method == "GET":
        form.reports_to.data = request.args.get("reports_to", "")
    saved, match = _save(form, company, None)
    if saved is not None:
        flash(f"Added {saved.display_name}.", "success")
        return redirect(url_for("people.detail", person_id=saved.id))
    return render_template("people/form.html", form=form, company=company, person=None,
                           match=match), 422 if request.method == "POST" else 200


def _detail_page(person: Person, fill_form: FillBoxForm | None = None, status: int = 200):
    """The person page; for an empty box, who to ask and the form that names it."""
    page = request.args.get("page", 1, type=int)
    return render_template("people/detail.html",
                           **person_page_context(person, page=page, fill_form=fill_form),
                           merge_candidates=merge_candidates(person),
                           similar_offers=offers_for([person])), status


@bp.get("/<int:person_id>")
def detail(person_id: int):
    """A person with their manager, reports, provenance, ladder step and timeline (paged)."""
    return _detail_page(db.get_or_404(Person, person_id))


@bp.post("/<int:person_id>/fill")
def fill(person_id: int):
    """Name the holder of an empty box: same record, so its reporting line and history stay."""
    person = db.get_or_404(Person, person_id)
    if not person.placeholder:
        flash(f"{person.display_name} is not an empty box: edit them instead.", "error")
        return redirect(url_for("people.detail", person_id=person.id), 303)
    form = FillBoxForm()
    position = person.title or "position"
    filled = submit_checked(
        form, lambda found: service.update_person(person, {"full_name": form.full_name.data},
                                                  found=found))
    if filled is None:
        return _detail_page(person, form, 422)
    flash(f"Filled the box: {person.full_name} is the {position}.", "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id: int):
    """Change a person's details or manager."""
    person = db.get_or_404(Person, person_id)
    form = PersonForm(obj=person)
    form.reports_to.choices = _manager_choices(person.company, exclude=person)
    if request.method == "GET":
        form.reports_to.data = str(person.reports_to_id or "")
        form.role.data, form.status.data = person.role.value, person.status.value
    company_id = person.company_id
    saved, match = _save(form, person.company, person)
    if saved is not None:
        flash("Saved.", "success")
        return redirect(url_for("people.detail", person_id=person.id))
    if request.method == "POST" and db.session.get(Person, person_id) is None:
        # merged or erased while this was open
        flash(" ".join(form.form_errors) or "They are no longer on file.", "error")
        return redirect(url_for("companies.detail", company_id=company_id))
    return render_template("people/form.html", form=form, company=person.company, person=person,
                           match=match), 422 if request.method == "POST" else 200


def _chart_answer(person_id: int, company_id: int, message: str,
                  error: DomainError | None = None):
    """JSON for the chart's script; a flash and a redirect back to the chart without it.

    Takes ids, not the person: after a refusal they may have been merged away meanwhile.
    """
    if request.accept_mimetypes.best == "application/json":
        if error is not None:
            return jsonify(error="invalid", message=" ".join(error.fields.values()),
                           fields=error.fields), error.status
        return jsonify(id=person_id, message=message)
    flash(" ".join(error.fields.values()) if error else message, "error" if error else "success")
    return redirect(url_for("companies.org_chart", company_id=company_id))


@bp.post("/<int:person_id>/move")
def move(person_id: int):
    """Change someone's manager from the org chart (or the keyboard picker)."""
    person = db.get_or_404(Person, person_id)
    company_id = person.company_id
    try:
        service.move_person(person, request.form.get("reports_to_id") or None, current_user)
    except DomainError as exc:
        return _chart_answer(person_id, company_id, "", exc)
    where = person.reports_to.display_name if person.reports_to else "the top of the chart"
    return _chart_answer(person_id, company_id, f"{person.display_name} now reports to {where}.")


@bp.post("/<int:person_id>/reports")
def add_report(person_id: int):
    """Add a direct report, or an empty box (placeholder), under someone on the chart."""
    manager = db.get_or_404(Person, person_id)
    company_id = manager.company_id
    data = {key: request.form.get(key, "") for key in ("full_name", "title", "department")}
    data["placeholder"] = request.form.get("placeholder") == "1"
    try:
        added = service.add_report(manager, data, current_user)
    except DomainError as exc:
        return _chart_answer(person_id, company_id, "", exc)
    return _chart_answer(added.id, company_id,
                         f"Added {added.display_name} under {manager.display_name}.")


@bp.post("/<int:person_id>/left")
def mark_left(person_id: int):
    """Mark someone as gone from the company (left=1) or back (left=0)."""
    person = db.get_or_404(Person, person_id)
    company_id = person.company_id
    left = request.form.get("left", "1") == "1"
    try:
        service.mark_left(person, left)
    except DomainError as exc:  # merged or erased meanwhile
        return _chart_answer(person_id, company_id, "", exc)
    return _chart_answer(person.id, person.company_id, f"{person.display_name} " + (
        "is off the live chart." if left else "is back on the chart."))


@bp.post("/<int:person_id>/merge")
def merge(person_id: int):
    """Fold a duplicate record into this person; its calls, reports and history move here."""
    person = db.get_or_404(Person, person_id)
    duplicate = get_by_id(Person, request.form.get("duplicate_id"))
    if duplicate is None:  # the page was open while someone else merged or erased them
        flash("That record is no longer on file (merged or erased meanwhile): nothing to merge.",
              "error")
        return redirect(url_for("people.detail", person_id=person_id))
    name = duplicate.display_name
    try:
        kept = merge_people(person, duplicate)
    except DomainError as exc:
        flash(" ".join(exc.fields.values()), "error")
    else:
        flash(f"Merged {name} into {kept.display_name if kept else 'them'}.", "success")
    return redirect(url_for("people.detail", person_id=person_id))


@bp.post("/<int:person_id>/erase")
def erase(person_id: int):
    """Erase someone on request (admins only): the person goes, the calls stay unnamed."""
    if not current_user.is_admin:
        abort(403)
    person = db.get_or_404(Person, person_id)
    company_id, name = person.company_id, person.display_name
    erase_person(person)
    flash(f"Erased {name}. Their calls remain without their name.", "success")
    return redirect(url_for("companies.detail", company_id=company_id))


@bp.app_context_processor
def email_pattern_helpers() -> dict:
    """The company's email pattern and a person's guessed address, for any page that shows them."""
    return {"email_guess": email_patterns.email_guess,
            "company_email_pattern": email_patterns.company_pattern}


@bp.post("/<int:person_id>/email-guess")
def apply_email_guess(person_id: int):
    """Use the address the company's email pattern suggests (one click; CSRF-checked)."""
    person = db.get_or_404(Person, person_id)
    try:
        email = email_patterns.apply_email_guess(person, request.form.get("email"))
    except DomainError as exc:
        flash(" ".join(exc.fields.values()), "error")
    else:
        flash(f"Email set to {email}, from the company's email pattern.", "success")
    return redirect(url_for("people.detail", person_id=person_id), 303)
