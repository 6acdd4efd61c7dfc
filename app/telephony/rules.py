"""May this number be dialled now? Do-not-call, off-limits, allowed countries and number types,
calling hours.

The guards judge the number itself, whatever company or person the client names: a number is
refused when it belongs to someone marked do-not-call or to an off-limits company (its main line
or the direct or mobile number of someone working there).
"""

from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers
from sqlalchemy import or_, select

from app.extensions import db
from app.models import Company, Person, PersonStatus
from app.phones import PhoneError, normalize_phone, number_type_name
from app.telephony.settings import allowed_countries, allowed_number_types, calling_hours
from app.timezones import to_local


@dataclass
class DialCheck:
    number: str | None = None
    refusal: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def dtmf_extension(value: object) -> str | None:
    """An extension Twilio may key in: 0-9 only, at most 10 (isdigit() alone would pass "²" or
    Arabic-Indic digits); anything else is dropped, not sent."""
    ext = str(value or "").strip()
    return ext if ext.isascii() and ext.isdigit() and len(ext) <= 10 else None


def off_limits_refusal(company: Company) -> str:
    """The sentence that refuses a call into an off-limits company (dialer and queue alike)."""
    return f"{company.name} is off limits" + (
        f": {company.off_limits_reason}" if company.off_limits_reason else "."
    )


def do_not_call_refusal(person: Person) -> str:
    """The sentence that refuses a call to someone marked do-not-call (dialer and queue alike)."""
    return f"{person.display_name} asked not to be called (do not call)."


def inside_calling_hours(timezone: str | None, now: datetime) -> bool:
    """Is it CALLING_HOURS in this zone now? Unknown zone: yes (nothing to warn about)."""
    if not timezone:
        return True
    start, end = calling_hours()
    return start <= to_local(now, timezone).hour < end


def owner_refusal(number: str) -> str | None:
    """Why the owner of this number must not be called: do-not-call, or an off-limits company."""
    person = db.session.scalars(
        select(Person).join(Person.company)
        .where(or_(Person.direct_phone == number, Person.mobile_phone == number))
        .where(or_(Person.status == PersonStatus.DO_NOT_CALL, Company.off_limits.is_(True)))
        .order_by(Person.status != PersonStatus.DO_NOT_CALL, Person.id).limit(1)
    ).first()
    if person is not None and person.status == PersonStatus.DO_NOT_CALL:
        return do_not_call_refusal(person)
    if person is not None:
        return off_limits_refusal(person.company)
    company = db.session.scalars(select(Company).where(
        Company.main_phone == number, Company.off_limits.is_(True)).order_by(Company.id).limit(1)
    ).first()
    return off_limits_refusal(company) if company is not None else None


def number_refusal(number: str) -> str | None:
    """Why Twilio must not dial this E.164 number: a country or a kind of line not allowed."""
    country = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    if country not in allowed_countries():
        return f"Calls to {country} numbers are not enabled (setting TWILIO_ALLOWED_COUNTRIES)."
    kind = number_type_name(number)
    if kind not in allowed_number_types():
        # Premium-rate, shared-cost and personal numbers are how toll fraud earns its money.
        label = kind.replace("_", " ").lower().removesuffix(" number")  # PERSONAL_NUMBER
        return (f"{number} is a {label} number, which Switchboard does not dial "
                "(setting TWILIO_ALLOWED_NUMBER_TYPES).")
    return None


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
    if person is not None and person.status == PersonStatus.DO_NOT_CALL:
        check.refusal = do_not_call_refusal(person)
    elif company is not None and company.off_limits:
        check.refusal = off_limits_refusal(company)
    else:
        check.refusal = owner_refusal(check.number) or number_refusal(check.number)
    if check.refusal is None and company is not None and not inside_calling_hours(
            company.timezone, now):
        local = to_local(now, company.timezone)
        start, end = calling_hours()
        check.warnings.append(f"It is {local:%H:%M} at {company.name} ({company.timezone}), "
                              f"outside {start}:00–{end}:00 calling hours.")
    return check
