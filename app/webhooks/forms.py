"""The admin's form to register a webhook endpoint."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets

from app.choices import as_choices
from app.form_errors import ErrorSummary
from app.webhooks.outbox import EVENT_TYPES

EVENT_HINTS = {
    "call.logged": "a call is logged with its outcome (with the people it named)",
    "person.created": "a name is added (by hand, from a call, an import or the API)",
    "person.updated": "a person's details change",
    "person.erased": "a person is erased on request (only the id is sent)",
    "follow_up.due": "a follow-up's time comes (checked every minute)",
}


class WebhookForm(ErrorSummary, FlaskForm):
    # No length or URL validator here: the service checks both (and the address) with one message.
    url = StringField("Endpoint URL")
    events = SelectMultipleField(
        "Events", choices=as_choices((e, e) for e in EVENT_TYPES), validate_choice=False,
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())
