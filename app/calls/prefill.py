"""Filling the call form: where the call starts from, and the pickers for the chosen company."""

from collections.abc import Mapping

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select

from app.calls.forms import PersonRowForm
from app.choices import as_choices
from app.extensions import db
from app.models import Call, Company, Person, PersonStatus, User
from app.phones import format_national
from app.telephony.inbound import owns_callback
from app.timezones import to_local
from app.validation import get_by_id


def _local_input(value, user: User):
    return to_local(value, user.timezone).replace(tzinfo=None) if value else None


def prefill(form, args: Mapping, call: Call | None = None, user: User | None = None) -> None:
    """Start from a company, a person, a follow-up (another call), or an existing call to edit."""
    if call is not None:
        user = user or current_user
        form.company_id.data = str(call.company_id or "")
        form.person_id.data = str(call.person_id or "")
        form.answered_by.data = str(call.answered_by_id or "")
        form.to_number.data = call.to_number or ""
        outcome = call.outcome or call.suggested_outcome
        form.outcome.data = outcome.value if outcome else None
        form.notes.data = call.notes or ""
        form.started_at.data = _local_input(call.started_at, user)
        form.duration.data = _duration_text(call.duration_seconds)
        form.follow_up_at.data = _local_input(call.follow_up_at, user)
        form.follow_up_note.data = call.follow_up_note or ""
        return
    previous = get_by_id(Call, args.get("follow_up"))
    person = get_by_id(Person, args.get("person_id"))
    company = get_by_id(Company, args.get("company_id"))
    if previous is not None:
        # Calling someone back from a colleague's follow-up is fine; closing it is theirs to do.
        if owns_callback(previous, user or current_user):
            form.previous_call_id.data = str(previous.id)
        company = previous.company
        person = person or previous.person
        # Calling back an inbound call dials the number they called from, not the team's line.
        form.to_number.data = (previous.caller_id if previous.inbound else
                               previous.to_number) or ""
    if person is not None:
        company = person.company
        form.person_id.data = str(person.id)
        form.to_number.data = form.to_number.data if previous is not None and previous.inbound \
            else person.direct_phone or form.to_number.data or ""
    if company is not None:
        form.company_id.data = str(company.id)
        form.to_number.data = form.to_number.data or company.main_phone or ""
    # Show the number as people read it; it is parsed again in the company's country.
    form.to_number.data = format_national(
        form.to_number.data, company.country if company else current_app.config["DEFAULT_COUNTRY"])


def picker_label(person: Person) -> str:
    """A person as the call form's pickers list them: who must not be called says so there too
    (the marker of every other page), so nobody is picked as the target unawares."""
    label = person.display_name + (f" ({person.title})" if person.full_name and person.title
                                   else "")
    if person.status == PersonStatus.DO_NOT_CALL:
        label += " · do not call"
    if person.left_at is not None:
        label += " · left"
    return label


def people_payload(people: list[Person]) -> list[dict]:
    """What the call form's script needs to know of each person, also served as JSON."""
    return [{"id": p.id, "full_name": p.display_name, "title": p.title, "label": picker_label(p),
             "direct_phone": p.direct_phone, "extension": p.extension, "status": p.status.value}
            for p in people]


def _duration_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


SERVER_OPTIONS = 300
SERVER_COMPANIES = 500


def _picked(form, people: list[Person]) -> list[Person]:
    chosen = {form.person_id.data, form.answered_by.data,
              *(entry.form.reports_to.data for entry in form.people)}
    return [p for p in people if str(p.id) in chosen]


def _company_people(form, company: Company | None, lazy: bool) -> list[Person]:
    """The company's people; with `lazy`, a big company's picked ones only (the script fetches
    the rest from calls.company_people once the form is on screen)."""
    if company is None:
        return []
    form.people_lazy = False
    query = select(Person).where(Person.company_id == company.id).order_by(Person.full_name)
    # "More than SERVER_OPTIONS people?" reads that many index entries, not a big company's all.
    if lazy and db.session.scalar(select(Person.id).where(Person.company_id == company.id)
                                  .offset(SERVER_OPTIONS).limit(1)) is not None:
        form.people_lazy = True
        picked = {form.person_id.data, form.answered_by.data,
                  *(entry.form.reports_to.data for entry in form.people)}
        query = query.where(Person.id.in_([int(i) for i in picked if (i or "").isdigit()]))
    return list(db.session.scalars(query))


def choices_for(form, company: Company | None, blank_row=None, lazy: bool = False
                ) -> list[Person]:
    """Fill every picker: companies, and the chosen company's people; returns those people."""
    total = db.session.scalar(select(func.count(Company.id))) or 0
    query = select(Company.id, Company.name).order_by(Company.name)
    if total > SERVER_COMPANIES:
        # Thousands of targets: offer the chosen one; the lookup field finds the others.
        query = query.where(Company.id == (company.id if company else None))
    companies = db.session.execute(query).all()
    form.company_id.choices = as_choices([("", "— pick a company —")] +
                                         [(str(i), n) for i, n in companies])
    form.company_lookup = total > SERVER_COMPANIES
    people = _company_people(form, company, lazy)
    # A big company's people would be thousands of <option>s in every picker: the script fills
    # the pickers from the page's people list instead, so only picks already made are rendered.
    shown = people if len(people) <= SERVER_OPTIONS and not getattr(
        form, "people_lazy", False) else _picked(form, people)
    options = [(str(p.id), picker_label(p)) for p in shown]
    form.person_id.choices = as_choices([("", "— nobody in particular —")] + options)
    form.answered_by.choices = as_choices([("", "Nobody / not known")] + options +
                                          [("new", "A new gatekeeper (type the name)")])
    rows = [(f"row:{entry.name.rsplit('-', 1)[1]}",
             f"Row {i + 1}" + (f": {entry.form.full_name.data}" if entry.form.full_name.data else
                               ""))
            for i, entry in enumerate(form.people)]
    if blank_row is not None:
        blank_row.reports_to.choices = as_choices([("", "— not known —")] + options + rows)
    for entry in form.people:
        own = f"row:{entry.name.rsplit('-', 1)[1]}"
        entry.form.reports_to.choices = as_choices([("", "— not known —")] + options +
                                                   [r for r in rows if r[0] != own])
    return people


def form_context(form, lazy_people: bool = False) -> dict:
    """What calls/_form.html needs besides the form: pickers, the row template, matches.

    `lazy_people`: a big company's people are not sent with the form but fetched by its script
    (the calling screen, where the next form should arrive in milliseconds).
    """
    company = get_by_id(Company, form.company_id.data)
    blank_row = PersonRowForm(prefix="people-__i__-")
    people = choices_for(form, company, blank_row, lazy=lazy_people)
    matches = {path: db.session.get(Person, ids[0])
               for path, ids in getattr(form, "row_matches", {}).items()}
    return {"form": form, "company": company, "blank_row": blank_row, "matches": matches,
            "people": people_payload(people)}
