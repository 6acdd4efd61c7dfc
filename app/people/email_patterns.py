"""A company's email pattern, learned from the addresses on file, and the guess it makes.

Patterns are templates in the notation the company form already uses ("{first}.{last}",
"{f}{last}"); a pattern's name is its template without braces ("first.last", "flast"). A pattern
typed on the company (`Company.email_pattern`) overrides the learned one.

Why cached, not stored: nothing has to keep a stored pattern in step on every code path that
writes an email (forms, API, calls, merges, imports, erasure). Instead a request asks one cheap
aggregate per company (how many people, their newest change: see _fingerprint), answered from
an index, and learns again only when that changed; the result serves every person on the page
and later requests in the same process. A 12,000-person company thus costs one index-only
aggregate per request, and one pass over its emails after each change.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import func, select

from app.extensions import db
from app.models import Company, Person

# Most common first: on a tie in support, the earlier pattern wins.
PATTERNS = (
    "{first}.{last}", "{f}{last}", "{first}", "{first}{last}", "{first}_{last}", "{f}.{last}",
    "{last}.{first}", "{last}", "{first}{l}", "{first}.{l}", "{last}{f}", "{first}-{last}",
    "{last}_{first}", "{last}{first}", "{f}_{last}", "{f}{l}",
)
# Shared mailboxes say nothing about how people's addresses are formed.
GENERIC_MAILBOXES = frozenset("""
    info jobs careers hr sales support contact hello admin office reception noreply no-reply
    team press media marketing billing accounts accounting recruiting recruitment talent help
    webmaster postmaster enquiries inquiries mail finance legal privacy security service
""".split())
# Titles and suffixes that are part of a written name but never of an address.
NAME_NOISE = frozenset("dr mr mrs ms miss prof jr sr ii iii iv phd md".split())
PLACEHOLDER = re.compile(r"\{(first|last|f|l)\}")
PATTERN_PROVENANCE = "from the company's email pattern"


@dataclass(frozen=True)
class EmailPattern:
    template: str  # the local part, e.g. "{first}.{last}"
    domain: str
    support: int  # addresses on file at the domain that fit it
    user_set: bool = False

    @property
    def name(self) -> str:
        return self.template.replace("{", "").replace("}", "")


@dataclass(frozen=True)
class EmailGuess:
    email: str
    pattern: str
    support: int

    def as_json(self) -> dict:
        return {"email": self.email, "pattern": self.pattern, "support": self.support}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case ASCII letters only: accents folded (José -> jose), the rest dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=65536)
def name_parts(full_name: str | None) -> tuple[str, str] | None:
    """(first, last) as they appear in addresses, or None when the name has no two parts."""
    words = [fold(w) for w in re.split(r"[\s,]+", full_name or "")]
    words = [w for w in words if w and w not in NAME_NOISE]
    return (words[0], words[-1]) if len(words) >= 2 else None


def render(template: str, first: str, last: str) -> str:
    # Safe as str.format: templates hold only these placeholders and [a-z0-9._-] between them.
    return template.format(first=first, last=last, f=first[:1], l=last[:1])


def clean_domain(domain: str | None) -> str | None:
    """acme.com from "https://www.acme.com/about" (what people type in a domain field)."""
    text = (domain or "").strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].split("@")[-1]
    text = text.removeprefix("www.")
    return text if "." in text else None


def parse_user_pattern(value: str | None, company_domain: str | None) -> tuple[str, str] | None:
    """(template, domain) from a typed pattern ("{first}.{last}@acme.com", "first.last"), or
    None when it is not one we can apply."""
    text = (value or "").strip().lower()
    local, _, domain = text.partition("@")
    if "{" not in local:  # a bare name: "first.last", "flast"
        local = next((t for t in PATTERNS if t.replace("{", "").replace("}", "") == local), "")
    leftover = PLACEHOLDER.sub("", local)
    if not PLACEHOLDER.search(local) or not re.fullmatch(r"[a-z0-9._-]*", leftover):
        return None
    domain = clean_domain(domain) or clean_domain(company_domain)
    return (local, domain) if domain else None


NameAndEmail = tuple[str | None, str | None]


def learn_pattern(company: Company, rows: list[NameAndEmail]) -> EmailPattern | None:
    """The company's pattern from (full_name, email) rows: the typed one if it applies, else the
    learned one with the most supporting addresses (None when nothing supports any)."""
    typed = parse_user_pattern(company.email_pattern, company.domain)
    domain = typed[1] if typed else clean_domain(company.domain)
    if domain is None:
        return None
    candidates = (typed[0],) if typed else PATTERNS
    support: Counter[str] = Counter()
    for full_name, email in rows:
        local, _, at = (email or "").strip().lower().partition("@")
        parts = name_parts(full_name)
        if at != domain or parts is None or local in GENERIC_MAILBOXES:
            continue
        support.update(t for t in candidates if render(t, *parts) == local)
    if typed:
        return EmailPattern(typed[0], domain, support[typed[0]], user_set=True)
    if not support:
        return None
    best = max(PATTERNS, key=lambda t: (support[t], -PATTERNS.index(t)))
    return EmailPattern(best, domain, support[best])


def _emails_on_file(company_id: int) -> list[NameAndEmail]:
    query = select(Person.full_name, Person.email).where(
        Person.company_id == company_id, Person.email.is_not(None))
    return [(name, email) for name, email in db.session.execute(query)]


def _cache() -> dict[int, EmailPattern | None]:
    """Per request (its environ, not flask.g: an app context can outlive many requests, as in
    tests and CLI commands); outside a request, per app context."""
    if has_request_context():
        return request.environ.setdefault("switchboard.email_patterns", {})
    return g.setdefault("_email_patterns", {}) if has_app_context() else {}


# Learned patterns across requests, keyed by what they were learned from (see _fingerprint).
_LEARNED: dict[tuple, EmailPattern | None] = {}
_LEARNED_MAX = 2048


def _fingerprint(company: Company) -> tuple:
    """What changes whenever the company's addresses or names can have (a person added, removed
    or edited: updated_at moves), read from ix_person_company_id_updated_at alone, far cheaper
    than learning again."""
    row = db.session.execute(
        select(func.count(), func.max(Person.updated_at)).where(Person.company_id == company.id)
    ).one()
    return (str(db.engine.url), company.id, company.domain, company.email_pattern, *row)


def company_pattern(company: Company) -> EmailPattern | None:
    """The company's pattern: once per request at most one aggregate query, and learning again
    only when the company's people changed since it was last learned (see the module's note)."""
    cache = _cache()
    if company.id not in cache:
        key = _fingerprint(company)
        if key not in _LEARNED:
            if len(_LEARNED) >= _LEARNED_MAX:
                _LEARNED.clear()
            _LEARNED[key] = learn_pattern(company, _emails_on_file(company.id))
        cache[company.id] = _LEARNED[key]
    return cache[company.id]


def forget_company_pattern(company_id: int) -> None:
    """Drop the cached pattern once an email at the company changed in this request."""
    _cache().pop(company_id, None)


def email_guess(person: Person) -> EmailGuess | None:
    """A suggested address for someone without one, or None (no name, no pattern, no support)."""
    if person.email or person.placeholder:
        return None
    parts = name_parts(person.full_name)
    pattern = company_pattern(person.company) if parts else None
    if parts is None or pattern is None or not (pattern.support or pattern.user_set):
        return None
    local = render(pattern.template, *parts)
    return EmailGuess(f"{local}@{pattern.domain}", pattern.name, pattern.support)


def apply_email_guess(person: Person, expected: str | None) -> str:
    """Set the guessed address as the person's email (it must still be the guess shown)."""
    from app.errors import DomainError

    guess = email_guess(person)
    if guess is None or (expected is not None and expected.strip().lower() != guess.email):
        raise DomainError({"email": "That suggestion is no longer current: reload the page."})
    person.email = guess.email
    person.email_source = f"{PATTERN_PROVENANCE} ({guess.pattern})"
    db.session.commit()
    forget_company_pattern(person.company_id)
    return guess.email
