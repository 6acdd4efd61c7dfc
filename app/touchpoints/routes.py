"""Log a touchpoint (email, LinkedIn or social message, meeting) from the person page."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.form_errors import submit_checked
from app.models import Person
from app.touchpoints.forms import TouchpointForm
from app.touchpoints.page import person_page_context
from app.touchpoints.service import log_touchpoint

bp = Blueprint("touchpoints", __name__)


@bp.post("/people/<int:person_id>/touchpoints")
def create(person_id: int):
    """Save a touchpoint; on an error, show the person page again with the input kept."""
    person = db.get_or_404(Person, person_id)
    company_id = person.company_id
    form = TouchpointForm()
    touchpoint = submit_checked(form, lambda found: log_touchpoint(
        person, current_user, form.kind.data, form.happened_at_utc(current_user),
        form.note.data, found))
    if db.session.get(Person, person_id) is None:  # merged or erased meanwhile
        flash(" ".join(form.form_errors) or "They are no longer on file.", "error")
        return redirect(url_for("companies.detail", company_id=company_id))
    if touchpoint is not None:
        flash(f"Logged: {touchpoint.kind.label.lower()} with {person.display_name}.", "success")
        return redirect(url_for("people.detail", person_id=person.id, _anchor="timeline"))
    return render_template("people/detail.html", **person_page_context(person, form, page=1)), 422
