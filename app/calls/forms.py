"""The call-log form: the call, who answered, and a repeatable "names uncovered" section."""

import re
from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import Length, Optional, ValidationError

from app.calls.rows import MAX_ROWS
from app.choices import as_choices
from app.dates import WindowedDateTimeField
from app.form_errors import ErrorSummary
from app.models import Call, Company, Outcome, Person, PersonRole, User
from app.timezones import from_local
from app.validation import limited

BLANK_ROWS = 3  # rows shown without JavaScript; with it, "Add a name" adds more
ROW_FIELDS = ("full_name", "title", "department", "direct_phone", "extension", "email")
OUTCOME_CHOICES = as_choices((o.value, o.label) for o in Outcome)
ROLE_CHOICES = as_choices((r.value, r.label) for r in PersonRole)


class RowList(FieldList):
    """The repeatable rows: row numbers in ASCII digits only, no row dropped or read twice.

    WTForms reads any key whose row part passes str.isdigit(), so "people-²-x" reached int()
    (a 500), and it drops rows past max_entries without a word: both are settled here.
    """

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit():
                    yield int(index)

    def _compact_indices(self):
        super()._compact_indices()
        self.compacted = True

    def _add_entry(self, formdata=None, data=unset_value, index=None):
        # After rows 2 and 4 are renumbered 0 and 1, the blank rows WTForms pads with (2, ...)
        # would read the posted "people-2-..." again: a row counted twice ("already in row 1").
        if index is None and getattr(self, "compacted", False):
            formdata = None
        return super()._add_entry(formdata, data, index)

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.compacted = False
        super().process(formdata, data, extra_filters)
        rows = set(self._extract_indices(self.name, formdata)) if formdata else set()
        self.cut_off = self.max_entries is not None and len(rows) > self.max_entries


DURATION_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})$|^(\d{1,5})$")


def parse_duration(text: str | None) -> int | None:
    """'4:35', '1:02:10' or '275' (seconds) into seconds."""
    text = (text or "").strip()
    if not text:
        return None
    match = DURATION_RE.match(text)
    if not match:
        raise ValueError("Type minutes:seconds (4:35) or seconds (275).")
    hours, minutes, seconds, plain = match.groups()
    if plain:
        return int(plain)
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


class PersonRowForm(Form):
    """One name uncovered on the call (no CSRF of its own: it lives inside CallForm)."""

    person_id = HiddenField()
    full_name = StringField("Name", validators=limited(Person, "full_name"))
    title = StringField("Title", validators=limited(Person, "title"))
    department = StringField("Department", validators=limited(Person, "department"))
    reports_to = SelectField("Reports to", choices=[], validate_choice=False)
    direct_phone = StringField("Direct dial", validators=[Optional(), Length(max=40)])
    extension = StringField("Ext.", validators=[Optional(), Length(max=10)])
    email = StringField("Email", validators=limited(Person, "email"))
    role = SelectField("Role", choices=ROLE_CHOICES, default="other")
    # Shown only after a name matched someone on file: "existing:<id>" or "new".
    resolve = HiddenField()

    def is_blank(self) -> bool:
        return not any((getattr(self, f).data or "").strip() for f in ROW_FIELDS) and not (
            self.person_id.data
        )


class CallForm(ErrorSummary, FlaskForm):
    company_id = SelectField("Company", choices=[], validate_choice=False)
    new_company_name = StringField("…or a new company", validators=limited(Company, "name"))
    new_company_phone = StringField("Its main line", validators=[Optional(), Length(max=40)])
    to_number = StringField("Number dialled", validators=[Optional(), Length(max=40)])
    person_id = SelectField("Calling for", choices=[], validate_choice=False)
    answered_by = SelectField("Who answered", choices=[], validate_choice=False)
    gatekeeper_name = StringField("New gatekeeper's name", validators=limited(Person, "full_name"))
    gatekeeper_title = StringField("Their title", validators=limited(Person, "title"))
    outcome = RadioField("Outcome", choices=OUTCOME_CHOICES, validate_choice=False)
    started_at = WindowedDateTimeField("Started", validators=[Optional()])
    duration = StringField("Duration", validators=[Optional(), Length(max=10)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=100_000)])
    follow_up_at = WindowedDateTimeField("Follow up on", validators=[Optional()])
    follow_up_note = StringField("Next step", validators=limited(Call, "follow_up_note"))
    previous_call_id = HiddenField()
    draft_key = HiddenField()
    # Set by the dialer once Twilio connects: the form then completes the call the webhook logged.
    twilio_call_sid = HiddenField()
    # The calling screen's queue item this call works: saving it marks the item done.
    queue_item_id = HiddenField()
    people = RowList(FormField(PersonRowForm), min_entries=BLANK_ROWS, max_entries=MAX_ROWS)

    def validate_people(self, field):
        if field.cut_off:
            self.form_errors.append(f"At most {MAX_ROWS} names per call.")
            raise ValidationError(f"At most {MAX_ROWS} names per call.")

    def validate_duration(self, field):
        try:
            parse_duration(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_outcome(self, field):
        if not field.data:
            raise ValidationError("Pick how the call went.")

    def service_data(self, user: User) -> dict:
        """The form as the plain values save_call expects, times converted from the user's zone."""
        data: dict = {
            "to_number": self.to_number.data,
            "outcome": self.outcome.data,
            "notes": self.notes.data,
            "started_at": from_local(self.started_at.data, user.timezone),
            "duration_seconds": self._duration(),
            "follow_up_at": from_local(self.follow_up_at.data, user.timezone),
            "follow_up_note": self.follow_up_note.data,
            "person_id": self.person_id.data or None,
            "previous_call_id": self.previous_call_id.data or None,
            "twilio_call_sid": self.twilio_call_sid.data or None,
        }
        if self.queue_item_id.data:
            data["queue_item_id"] = self.queue_item_id.data
        if (self.new_company_name.data or "").strip():
            data["new_company"] = {
                "name": self.new_company_name.data,
                "main_phone": self.new_company_phone.data,
            }
        else:
            data["company_id"] = self.company_id.data or None
        if self.answered_by.data == "new":
            data["new_gatekeeper"] = {
                "full_name": self.gatekeeper_name.data,
                "title": self.gatekeeper_title.data,
            }
        else:
            data["answered_by_id"] = self.answered_by.data or None
        data["people"] = self._rows()
        return data

    def _duration(self) -> int | None:
        # Unreadable: the form already said so; the service still checks everything else.
        try:
            return parse_duration(self.duration.data)
        except ValueError:
            return None

    def _rows(self) -> list[dict]:
        # Rows are numbered by their field index; blank rows are dropped, so map index -> position.
        kept = [entry for entry in self.people if not entry.form.is_blank()]
        position = {entry.name.rsplit("-", 1)[1]: i for i, entry in enumerate(kept)}
        rows = []
        for entry in kept:
            row = entry.form
            item = {f: getattr(row, f).data for f in ROW_FIELDS}
            item["role"] = row.role.data
            ref = row.reports_to.data or ""
            if ref.startswith("row:"):
                target = position.get(ref[4:])
                item["reports_to"] = {"row": target if target is not None else -1}
            else:
                item["reports_to"] = ref or None
            choice = row.resolve.data or ""
            if row.person_id.data:
                item["id"] = row.person_id.data
            elif choice.startswith("existing:"):
                item["id"] = choice.split(":", 1)[1]
            elif choice == "new":
                item["allow_duplicate"] = True
            rows.append(item)
        self.kept_rows = kept
        return rows

    def entry_paths(self, errors: dict[str, str]) -> dict[str, str]:
        """Service errors count kept rows only; point each at its row's place in the form."""
        kept = getattr(self, "kept_rows", [])
        index_of = {id(entry): i for i, entry in enumerate(self.people.entries)}
        out = {}
        for path, message in errors.items():
            parts = path.split(".")
            if (
                parts[0] == "people"
                and len(parts) > 1
                and parts[1].isdigit()
                and int(parts[1]) < len(kept)
            ):
                parts[1] = str(index_of[id(kept[int(parts[1])])])
            out[".".join(parts)] = message
        return out


def local_now_for_input(user: User) -> datetime:
    from app.models import now_utc
    from app.timezones import to_local

    return to_local(now_utc(), user.timezone).replace(tzinfo=None, second=0, microsecond=0)
