"""The calling screen's small forms: skip, snooze, add to the queue, build it."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional

from app.choices import as_choices
from app.dates import WindowedDateTimeField
from app.validation import parse_id

# One key each in the skip dialog; the text box takes anything else.
SKIP_REASONS = [
    ("1", "Not a fit for this search"),
    ("2", "Already spoken to recently"),
    ("3", "Number looks wrong"),
    ("4", "A teammate is working this company"),
]
# The snooze choices (keys 1-3 in that order): the value sent, the label.
SNOOZE_CHOICES = [("1h", "An hour"), ("tomorrow", "Next working day, 9:00"),
                  ("next_week", "Next Monday, 9:00")]
BUILD_SOURCES = ("follow_ups", "gaps", "saved_search")
MAX_BULK = 200  # people added at once from search results


class SkipForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])
    reason_text = StringField("Another reason", validators=[Optional(), Length(max=300)])

    def chosen(self) -> str:
        """The typed reason wins over a one-key choice (Enter in the text box sends both)."""
        return (self.reason_text.data or "").strip() or (self.reason.data or "").strip()


class SnoozeForm(FlaskForm):
    when = StringField("Snooze", validators=[Optional(), AnyOf([c[0] for c in SNOOZE_CHOICES])])
    until = WindowedDateTimeField("Until", validators=[Optional()])


class AddForm(FlaskForm):
    """A person, a company's main line (with someone to ask for), or many people at once."""

    person_id = HiddenField()
    company_id = HiddenField()
    ask_for = StringField("Ask for", validators=[Optional(), Length(max=200)])
    next = HiddenField()

    def person_ids(self, formdata) -> list[int] | None:
        """The ticked people of a bulk add (ids that cannot exist are dropped), or None."""
        raw = formdata.getlist("person_ids")
        if not raw:
            return None
        ids = [parse_id(value) for value in raw[: MAX_BULK + 1]]
        return list(dict.fromkeys(i for i in ids if i is not None))


class BuildForm(FlaskForm):
    source = SelectField("Source", choices=as_choices((s, s) for s in BUILD_SOURCES))
    company_id = StringField("Company", validators=[Optional()])
    saved_search_id = StringField("Saved search", validators=[Optional()])


class EmptyForm(FlaskForm):
    """Only the CSRF token: take next, release, extend, end the block."""
