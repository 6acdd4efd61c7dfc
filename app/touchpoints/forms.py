"""The short "log a touchpoint" form on the person page."""

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.choices import as_choices
from app.dates import WindowedDateTimeField
from app.form_errors import ErrorSummary
from app.models import TouchpointKind, User, now_utc
from app.timezones import from_local, to_local
from app.touchpoints.service import NOTE_MAX

KIND_CHOICES = as_choices((k.value, k.label) for k in TouchpointKind)


class TouchpointForm(ErrorSummary, FlaskForm):
    # Choices are checked by the service, which gives the same message to the API.
    kind = RadioField("How", choices=KIND_CHOICES, validate_choice=False)
    happened_at = WindowedDateTimeField("When", validators=[Optional()])
    note = TextAreaField("Note", validators=[Length(max=NOTE_MAX)])

    def validate_kind(self, field):
        if not field.data:
            raise ValidationError("Pick how you reached them.")

    def start_now(self, user: User) -> None:
        """Fill `when` with the current minute in the user's own time zone."""
        self.happened_at.data = to_local(now_utc(), user.timezone).replace(
            tzinfo=None, second=0, microsecond=0
        )

    def happened_at_utc(self, user: User) -> datetime | None:
        return from_local(self.happened_at.data, user.timezone)
