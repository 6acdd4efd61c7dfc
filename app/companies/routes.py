"""Target companies: list with search, sort and pages; detail with people, calls, follow-ups."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from app.calls.queries import open_follow_ups_for_company
from app.companies import service
from app.companies.chart_html import ChartRenderer
from app.companies.export import org_chart_to_csv
from app.companies.forms import CompanyForm, PhoneTreeForm, PhoneTreeStepForm
from app.companies.gatekeepers import gatekeepers_of
from app.companies.orgchart import build_org_chart, load_chart_people
from app.companies.phone_tree import (
    MAX_STEPS,
    key_parts,
    keys_from_text,
    save_steps,
    step_dict,
    steps_from_keys,
    steps_of,
)
from app.errors import DomainError
from app.extensions import db
from app.form_errors import submit_checked
from app.models import Call, Company, Person
from app.paging import page_of
from app.telephony.settings import calling_enabled
from app.textmatch import contains

bp = Blueprint("companies", __name__, url_prefix="/companies")

# Correlated counts: joining people and calls together would multiply the rows per company.
PEOPLE_COUNT = (select(func.count(Person.id)).where(Person.company_id == Company.id)
                .correlate(Company).scalar_subquery())
LAST_CALL = (select(func.max(Call.started_at)).where(Call.company_id == Company.id)
             .correlate(Company).scalar_subquery())
PEOPLE_SHOWN = 100
BLANK_STEPS = 3  # empty rows of the phone-tree editor without JavaScript

SORTS = {
    "name": Company.name.asc(),
    "recent": Company.created_at.desc(),
    "people": PEOPLE_COUNT.desc(),
    "last_call": LAST_CALL.desc(),
}


@bp.get("/")
def index():
    """All target companies, searchable by name, domain, industry or location."""
    q = request.args.get("q", "").strip()[:100]
    sort = request.args.get("sort", "name")
    query = select(Company)
    if q:
        query = query.where(contains(q, Company.name, Company.domain, Company.industry,
                                     Company.location))
    query = query.order_by(SORTS.get(sort, SORTS["name"]), Company.id)
    page = page_of(query)
    return render_template("companies/index.html", page=page, q=q, sort=sort,
                           stats=service.company_stats([c.id for c in page.items]))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Add a target company."""
    form = CompanyForm()
    if request.method == "GET":
        form.country.data = current_app.config["DEFAULT_COUNTRY"]
    company = submit_checked(form, lambda found: service.create_company(
        form.data, current_user, found))
    if company is not None:
        flash(f"Added {company.name}.", "success")
        return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=None), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:company_id>")
def detail(company_id: int):
    """A company's people, call history and open follow-ups."""
    company = db.get_or_404(Company, company_id)
    # A big target can have thousands of names: the page shows the first, the list has them all.
    people = db.session.scalars(select(Person).where(Person.company_id == company.id)
                                .options(selectinload(Person.reports_to))
                                .order_by(Person.full_name).limit(PEOPLE_SHOWN)).all()
    people_total = db.session.scalar(select(func.count(Person.id))
                                     .where(Person.company_id == company.id))
    calls = db.session.scalars(select(Call).where(Call.company_id == company.id)
                               .options(selectinload(Call.user))
                               .order_by(Call.started_at.desc()).limit(100)).all()
    return render_template("companies/detail.html", company=company, calls=calls, people=people,
                           people_total=people_total,
                           follow_ups=open_follow_ups_for_company(company.id),
                           phone_tree=steps_of(company), gatekeepers=gatekeepers_of(company))


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id: int):
    """Change a company's details (companies are shared by the whole team)."""
    company = db.get_or_404(Company, company_id)
    form = CompanyForm(obj=company)
    if submit_checked(form, lambda found: service.update_company(company, form.data, found)):
        flash("Saved.", "success")
        return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:company_id>/org-chart")
def org_chart(company_id: int):
    """The company as an org chart: who reports to whom, empty boxes, coverage.

    `?focus=<person id>` opens the way to that person (the chart links there after an edit);
    `?group=<department>` shows all of that department's people with no manager known yet.
    """
    company = db.get_or_404(Company, company_id)
    printing = request.args.get("print") == "1"
    chart = build_org_chart(company, details=printing)  # the renderer adds the boxes it shows
    calling = calling_enabled()
    renderer = ChartRenderer(chart, current_user.timezone, printing, calling,
                             focus=request.args.get("focus", type=int),
                             whole_group=request.args.get("group"))
    return render_template("companies/org_chart.html", chart=chart, company=company,
                           printing=printing, renderer=renderer)


@bp.get("/<int:company_id>/org-chart/branch/<int:person_id>")
def org_chart_branch(company_id: int, person_id: int):
    """The boxes below one box, as a fragment of the chart's list (loaded when opened)."""
    company = db.get_or_404(Company, company_id)
    chart = build_org_chart(company, details=False)  # the renderer adds the boxes it shows
    node = chart.nodes.get(person_id)
    if node is None:
        return Response("They are not on this company's live chart (any more).", 404,
                        mimetype="text/plain")
    calling = calling_enabled()
    renderer = ChartRenderer(chart, current_user.timezone, False, calling)
    return Response(renderer.branch(node), mimetype="text/html")


@bp.get("/<int:company_id>/org-chart/people")
def org_chart_people(company_id: int):
    """Everyone on the live chart by name, for Find and the "Reports to" picker of the script.

    Not in the page: at 12,000 people the list alone would be most of a megabyte.
    """
    company = db.get_or_404(Company, company_id)
    people = [p for p in load_chart_people(company.id) if p.left_at is None]
    return jsonify(people=[{"id": p.id, "name": p.display_name, "title": p.title or ""}
                           for p in people])


@bp.get("/<int:company_id>/org-chart.csv")
def org_chart_csv(company_id: int):
    """The chart as CSV: one row per person with their manager (a deliberate export)."""
    company = db.get_or_404(Company, company_id)
    body = org_chart_to_csv(build_org_chart(company))
    filename = secure_filename(f"{company.name}-org-chart.csv") or "org-chart.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.app_template_filter("phone_tree_keys")
def phone_tree_keys(digits: str, extension: str | None = None) -> list[str]:
    return key_parts(digits, extension)


@bp.route("/<int:company_id>/phone-tree", methods=["GET", "POST"])
def phone_tree(company_id: int):
    """Edit the path through the company's phone menu: keys, wait and label per step."""
    company = db.get_or_404(Company, company_id)
    data = None
    if request.method == "GET":
        steps = [step_dict(s) for s in steps_of(company)]
        data = {"steps": steps + [{}] * min(BLANK_STEPS, MAX_STEPS - len(steps))}
    form = PhoneTreeForm(data=data)
    saved = submit_checked(form, lambda found: save_steps(
        company, form.step_data(), found=found), form.entry_paths)
    if saved is not None:
        flash(f"Saved the phone tree ({len(saved)} steps)." if saved else
              "Cleared the phone tree.", "success")
        return redirect(url_for("companies.detail", company_id=company.id) + "#phone-tree")
    return render_template("companies/phone_tree.html", form=form, company=company,
                           max_steps=MAX_STEPS, blank_row=PhoneTreeStepForm(prefix="steps-__i__-")
                           ), 422 if request.method == "POST" else 200


@bp.post("/<int:company_id>/phone-tree/from-keys")
def phone_tree_from_keys(company_id: int):
    """Save the keys sent during a call as the path (the dialer posts them; JSON answer)."""
    company = db.get_or_404(Company, company_id)
    try:
        steps = steps_from_keys(keys_from_text(request.form.get("keys")))
        saved = save_steps(company, steps, replace=request.form.get("replace") == "1")
    except DomainError as exc:
        return jsonify(error="invalid", message="; ".join(exc.fields.values()),
                       fields=exc.fields), exc.status
    return jsonify(steps=[step_dict(s) for s in saved],
                   message=f"Saved as the phone tree: {len(saved)} steps.")
