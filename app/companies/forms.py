"""The company form and the phone-tree editor."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.calls.forms import RowList
from app.choices import as_choices
from app.companies.phone_tree import MAX_STEPS
from app.form_errors import ErrorSummary
from app.models import Company
from app.timezones import all_timezones
from app.validation import ColumnLength, limited


class CompanyForm(ErrorSummary, FlaskForm):
    name = StringField("Company name", validators=[DataRequired(), ColumnLength(Company, "name")])
    domain = StringField("Website / domain", validators=limited(Company, "domain"))
    main_phone = StringField("Main line", validators=[Optional(), Length(max=40)])
    country = StringField("Country (2 letters)", validators=[Optional(), Length(max=2)])
    location = StringField("Address / location", validators=limited(Company, "location"))
    timezone = SelectField("Time zone", choices=[])
    industry = StringField("Industry", validators=limited(Company, "industry"))
    email_pattern = StringField("Email pattern", validators=limited(Company, "email_pattern"))
    off_limits = BooleanField("Off limits (do not source from this company)")
    off_limits_reason = StringField("Why off limits",
                                    validators=limited(Company, "off_limits_reason"))
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=100_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = [(z, z) for z in all_timezones()]
        self.timezone.choices = as_choices([("", "— unknown —"), *zones])


class PhoneTreeStepForm(Form):
    """One row of the phone-tree editor; the service checks the values (same rules as the API)."""

    digits = StringField("Keys", render_kw={"autocomplete": "off", "inputmode": "tel"})
    wait_seconds = StringField("Wait (s)", render_kw={"inputmode": "numeric"})
    label = StringField("What it is")

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.digits, self.wait_seconds, self.label))


class PhoneTreeForm(ErrorSummary, FlaskForm):
    steps = RowList(FormField(PhoneTreeStepForm), max_entries=MAX_STEPS)

    def validate_steps(self, field):
        if field.cut_off:
            raise ValidationError(f"At most {MAX_STEPS} steps.")

    def step_data(self) -> list[dict]:
        """The rows that hold anything, as `save_steps` takes them (blank rows are dropped)."""
        self.kept = [e for e in self.steps if not e.form.is_blank()]
        return [{"digits": e.form.digits.data, "wait_seconds": e.form.wait_seconds.data,
                 "label": e.form.label.data} for e in self.kept]

    def entry_paths(self, errors: dict[str, str]) -> dict[str, str]:
        """Service errors count kept rows only; point each at its row in the form."""
        out = {}
        for path, message in errors.items():
            parts = path.split(".")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(self.kept):
                parts[1] = str(self.steps.entries.index(self.kept[int(parts[1])]))
            out[".".join(parts)] = message
        return out
