"""What a phone number on a page should do: open the dialer, say why not, or fall back to tel:.

A bare `tel:` link hands the number to the operating system and skips every guard the dialer
applies, so pages show numbers through the `phone_link` macro, which asks here first. The
dialer itself runs the full check (calling hours, allowed countries, who else owns the number)
when it opens; this is the part a page can tell from the records it already has.
"""

from dataclasses import dataclass

from flask import url_for

from app.models import Company, Person, PersonStatus
from app.phones import PhoneError, normalize_phone
from app.telephony import settings


@dataclass(frozen=True)
class PhoneLink:
    number: str | None  # E.164, None when the text is not a usable number
    reason: str | None  # why this target must not be called from here, or None
    dial_url: str | None  # the call form with the dialer, when calling through Twilio is set up

    @property
    def tel_url(self) -> str | None:
        """The plain tel: fallback: only for a callable target when Twilio is not set up."""
        if self.reason or self.dial_url or not self.number:
            return None
        return f"tel:{self.number}"


def guard_reason(person: Person | None, company: Company | None) -> str | None:
    """Why this person or company must not be called, in a recruiter's words."""
    company = company if company is not None else (person.company if person else None)
    if person is not None and person.status == PersonStatus.DO_NOT_CALL:
        return "do not call"
    if person is not None and person.placeholder:
        return "empty box: nobody to call yet"
    if person is not None and person.left_at is not None:
        return "left the company"
    if company is not None and company.off_limits:
        return "company off limits" + (f": {company.off_limits_reason}"
                                       if company.off_limits_reason else "")
    return None


def phone_link_state(number: str | None, person: Person | None = None,
                     company: Company | None = None) -> PhoneLink:
    """How the macro shows `number`, the number of `person` or of `company`'s main line."""
    home = company if company is not None else (person.company if person else None)
    try:
        e164 = normalize_phone(number, home.country if home else "US")
    except PhoneError:
        return PhoneLink(None, "not a usable number", None)
    reason = guard_reason(person, company)
    dial_url = None
    if not reason and e164 and settings.calling_enabled():
        dial_url = (url_for("calls.create", person_id=person.id, dial=1) if person is not None
                    else url_for("calls.create", company_id=home.id, dial=1) if home else None)
    return PhoneLink(e164, reason, dial_url)
