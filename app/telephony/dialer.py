"""What the dialer panel beside the call form needs to know."""

import os
from dataclasses import dataclass, field

from flask import current_app

from app.companies.phone_tree import steps_of
from app.models import Company, Person, PhoneTreeStep, Voicemail, now_utc
from app.telephony import settings
from app.telephony.rules import check_dial


@dataclass
class Dialer:
    number: str | None
    extension: str | None
    company: Company | None
    person: Person | None
    browser: bool
    bridge: bool
    sdk_missing: bool
    missing: list[str]
    refusal: str | None
    warnings: list[str]
    # The company's phone-tree path, when the number dialled is its main line.
    phone_tree: list[PhoneTreeStep] = field(default_factory=list)
    # The recruiter's recorded messages, for "Drop voicemail" during a call.
    voicemails: list[Voicemail] = field(default_factory=list)

    @property
    def on_main_line(self) -> bool:
        """Dialling the company's main line, where its phone tree applies."""
        return bool(self.company and self.number and self.number == self.company.main_phone)


def sdk_installed() -> bool:
    return os.path.exists(os.path.join(current_app.static_folder, settings.VOICE_SDK_STATIC_PATH))


def extension_to_key(person: Person | None, number: str | None) -> str | None:
    """The person's extension, when the number dialled is not their own line (their direct
    dial or mobile needs none): the dialer's button and the queue card say the same."""
    if person is None or not person.extension:
        return None
    own_lines = {n for n in (person.direct_phone, person.mobile_phone) if n}
    return None if number in own_lines else person.extension


def build_dialer(company: Company | None, person: Person | None, number: str | None) -> Dialer:
    """The dialer for this call: which ways of calling work, and anything blocking the number."""
    check = check_dial(number, company, person, now_utc()) if number else None
    browser = settings.browser_calling_enabled()
    dialled = check.number if check else None
    extension = extension_to_key(person, dialled)
    dialer = Dialer(
        number=dialled,
        extension=extension,
        company=company,
        person=person,
        browser=browser,
        bridge=settings.bridge_calling_enabled(),
        sdk_missing=browser and not sdk_installed(),
        missing=settings.missing(settings.BROWSER_SETTINGS),
        refusal=check.refusal if check else "No number to dial.",
        warnings=check.warnings if check else [],
    )
    dialer.phone_tree = steps_of(company) if company is not None and dialer.on_main_line else []
    if dialer.browser or dialer.bridge:
        from flask_login import current_user  # the signed-in recruiter's own messages

        from app.voicemails.service import live_voicemails

        dialer.voicemails = live_voicemails(current_user)
    return dialer
