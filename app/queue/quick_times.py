"""One-key follow-up times ("tomorrow 9:00", "next Monday") in the company's local time.

PLACEHOLDER (to be replaced).
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass
class QuickTime:
    key: str  # the key that picks it, e.g. "1"
    label: str  # "Tomorrow 9:00"
    at: datetime  # UTC
    company_local: str  # "Wed 2 Dec 09:00 (Europe/Berlin)"
    user_local: str  # the value for the recruiter's datetime-local input, e.g. "2026-12-02T03:00"


def quick_follow_ups(company, user, now: datetime) -> list[QuickTime]:
    """The quick follow-up choices for a call to this company, now."""
    return []
