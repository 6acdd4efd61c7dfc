"""May this number be dialled now? Do-not-call, off-limits, allowed countries, calling hours."""

from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
from sqlalchemy import or_, select

from app.extensions import db
from app.models import Company, Person, PersonStatus
from app.phones import PhoneError, normalize_phone
from app.telephony.settings import allowed_countries, calling_hours
from app.timezones import to_local


@dataclass
class DialCheck:
    number: str | None = None
    refusal: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _do_not_call_owner(number: str) -> Person | None:
    """Someone marked do-not-call whose own direct line or mobile this number is."""
    return db.session.scalars(select(Person).where(
        Person.status == PersonStatus.DO_NOT_CALL,
        or_(Person.direct_phone == number, Person.mobile_phone == number),
    ).limit(1)).first()


def check_dial(raw: str | None, company: Company | None, person: Person | None,
               now: datetime) -> DialCheck:
    """Normalise the number and say why it must not be dialled, or what to be careful about."""
    check = DialCheck()
    region = company.country if company else "US"
    try:
        check.number = normalize_phone(raw, region)
    except PhoneError as exc:
        check.refusal = str(exc)
        return check
    if check.number is None:
        check.refusal = "No number to dial."
        return check
    blocked = person if person is not None and person.status == PersonStatus.DO_NOT_CALL else (
        _do_not_call_owner(check.number))
    if blocked is not None:
        check.refusal = f"{blocked.display_name} asked not to be called (do not call)."
    elif company is not None and company.off_limits:
        check.refusal = f"{company.name} is off limits" + (
            f": {company.off_limits_reason}" if company.off_limits_reason else "."
        )
    else:
        country = phonenumbers.region_code_for_number(phonenumbers.parse(check.number))
        if country not in allowed_countries():
            check.refusal = (f"Calls to {country} numbers are not enabled "
                             "(setting TWILIO_ALLOWED_COUNTRIES).")
    if check.refusal is None and company is not None and company.timezone:
        local = to_local(now, company.timezone)
        start, end = calling_hours()
        if not start <= local.hour < end:
            check.warnings.append(
                f"It is {local:%H:%M} at {company.name} ({company.timezone}), outside "
                f"{start}:00–{end}:00 calling hours."
            )
    return check
