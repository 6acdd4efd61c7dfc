"""The person (key player) form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.choices import as_choices
from app.form_errors import ErrorSummary
from app.models import Person, PersonRole, PersonStatus
from app.validation import limited

ROLE_CHOICES = as_choices((r.value, r.label) for r in PersonRole)
STATUS_CHOICES = as_choices((s.value, s.label) for s in PersonStatus)


class PersonForm(ErrorSummary, FlaskForm):
    # Blank only for an empty box (placeholder); the service enforces it.
    full_name = StringField("Full name", validators=limited(Person, "full_name"))
    placeholder = BooleanField("Empty box: the position is known, the name is not")
    title = StringField("Title", validators=limited(Person, "title"))
    department = StringField("Department", validators=limited(Person, "department"))
    reports_to = SelectField("Reports to", choices=[], validate_choice=False)
    direct_phone = StringField("Direct dial", validators=[Optional(), Length(max=40)])
    extension = StringField("Extension", validators=[Optional(), Length(max=10)])
    mobile_phone = StringField("Mobile", validators=[Optional(), Length(max=40)])
    email = StringField("Email", validators=limited(Person, "email"))
    linkedin_url = StringField("LinkedIn URL", validators=limited(Person, "linkedin_url"))
    role = SelectField("Role", choices=ROLE_CHOICES, default="other")
    status = SelectField("Status", choices=STATUS_CHOICES, default="uncovered")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=100_000)])
    allow_duplicate = BooleanField("This is a different person with the same name")

    def service_data(self) -> dict:
        data = {k: v for k, v in self.data.items() if k not in {"csrf_token", "reports_to",
                                                                 "allow_duplicate"}}
        data["reports_to_id"] = self.reports_to.data or None
        return data
