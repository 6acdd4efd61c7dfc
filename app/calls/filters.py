"""The calls-list filter (a GET form: no CSRF, values kept in the URL)."""

from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional

from app.calls.queries import CallFilter
from app.choices import as_choices
from app.extensions import db
from app.models import Company, Outcome, User
from app.validation import parse_id


class CallFilterForm(Form):
    user = SelectField("Recruiter", choices=[], validate_choice=False)
    company = SelectField("Company", choices=[], validate_choice=False)
    outcome = SelectField("Outcome", choices=as_choices([("", "Any outcome")] +
                          [(o.value, o.label) for o in Outcome]), validate_choice=False)
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])

    def __init__(self, formdata):
        super().__init__(formdata)
        self.validate()
        self.user.choices = as_choices([("", "Everyone")] + [
            (str(u.id), u.display_name) for u in db.session.scalars(
                db.select(User).order_by(User.name, User.email))])
        self.company.choices = as_choices([("", "Any company")] + [
            (str(i), n) for i, n in db.session.execute(
                db.select(Company.id, Company.name).order_by(Company.name))])

    def to_filter(self) -> CallFilter:
        def as_int(value):
            return parse_id(value)

        outcome = self.outcome.data if self.outcome.data in {o.value for o in Outcome} else None
        return CallFilter(
            user_id=as_int(self.user.data), company_id=as_int(self.company.data),
            outcome=Outcome(outcome) if outcome else None,
            date_from=self.date_from.data if not self.date_from.errors else None,
            date_to=self.date_to.data if not self.date_to.errors else None,
        )

    def url_args(self) -> dict:
        return {name: field.raw_data[0] for name, field in self._fields.items()
                if field.raw_data and field.raw_data[0]}
