"""The calls-list filter (a GET form: no CSRF, values kept in the URL)."""

from sqlalchemy import func
from wtforms import Form, SelectField, StringField

from app.calls.prefill import SERVER_COMPANIES
from app.calls.queries import CallFilter
from app.choices import as_choices
from app.dates import WindowedDateField
from app.extensions import db
from app.models import Company, Outcome, User
from app.validation import parse_id


class CallFilterForm(Form):
    user = SelectField("Recruiter", choices=[], validate_choice=False)
    company = SelectField("Company", choices=[], validate_choice=False)
    outcome = SelectField(
        "Outcome",
        choices=as_choices([("", "Any outcome")] + [(o.value, o.label) for o in Outcome]),
        validate_choice=False,
    )
    date_from = WindowedDateField("From")
    date_to = WindowedDateField("To")
    # With thousands of targets the company select gives way to a name filter.
    company_name = StringField("Company name")

    def __init__(self, formdata):
        super().__init__(formdata)
        self.validate()
        self.user.choices = as_choices(
            [("", "Everyone")]
            + [
                (str(u.id), u.display_name)
                for u in db.session.scalars(db.select(User).order_by(User.name, User.email))
            ]
        )
        companies = db.select(Company.id, Company.name).order_by(Company.name)
        self.many_companies = (db.session.scalar(db.select(func.count(Company.id))) or 0) > (
            SERVER_COMPANIES
        )
        if self.many_companies:
            companies = companies.where(Company.id == (parse_id(self.company.data) or 0))
        self.company.choices = as_choices(
            [("", "Any company")] + [(str(i), n) for i, n in db.session.execute(companies)]
        )

    def to_filter(self) -> CallFilter:
        def as_int(value):
            return parse_id(value)

        outcome = self.outcome.data if self.outcome.data in {o.value for o in Outcome} else None
        return CallFilter(
            user_id=as_int(self.user.data),
            company_id=as_int(self.company.data),
            company_name=(self.company_name.data or "").strip()[:100] or None,
            outcome=Outcome(outcome) if outcome else None,
            date_from=self.date_from.data,  # None when unreadable: the field holds the error
            date_to=self.date_to.data,
        )

    def url_args(self) -> dict:
        return {
            name: field.raw_data[0]
            for name, field in self._fields.items()
            if field.raw_data and field.raw_data[0]
        }
