"""The company form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.choices import as_choices
from app.timezones import all_timezones


class CompanyForm(FlaskForm):
    name = StringField("Company name", validators=[DataRequired(), Length(max=200)])
    domain = StringField("Website / domain", validators=[Optional(), Length(max=253)])
    main_phone = StringField("Main line", validators=[Optional(), Length(max=40)])
    country = StringField("Country (2 letters)", validators=[Optional(), Length(max=2)])
    location = StringField("Address / location", validators=[Optional(), Length(max=300)])
    timezone = SelectField("Time zone", choices=[])
    industry = StringField("Industry", validators=[Optional(), Length(max=120)])
    email_pattern = StringField("Email pattern", validators=[Optional(), Length(max=120)])
    off_limits = BooleanField("Off limits (do not source from this company)")
    off_limits_reason = StringField("Why off limits", validators=[Optional(), Length(max=300)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=100_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = [(z, z) for z in all_timezones()]
        self.timezone.choices = as_choices([("", "— unknown —"), *zones])
