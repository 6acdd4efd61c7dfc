"""All models, importable from one place."""

from app.models.call import OUTCOME_LABELS, Call, Direction, Outcome, call_person
from app.models.company import Company
from app.models.job import Job, JobStatus, StoredFile, StoredFileChunk
from app.models.metric_rollup import MetricCompanySlot, MetricSlot
from app.models.person import Person, PersonRole, PersonStatus, ReportingLink
from app.models.queue import (
    OPEN_STATUSES,
    CallingSession,
    PhoneTreeStep,
    QueueItem,
    QueueReason,
    QueueStatus,
)
from app.models.search import SavedSearch, SearchEntry
from app.models.telephony import TwilioEvent
from app.models.touchpoint import Touchpoint, TouchpointKind
from app.models.types import UTCDateTime, now_utc
from app.models.user import ApiToken, LoginAttempt, Role, User, hash_token
from app.models.voicemail import Voicemail
from app.models.webhook import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
)

__all__ = [
    "OPEN_STATUSES",
    "CallingSession",
    "PhoneTreeStep",
    "QueueItem",
    "QueueReason",
    "QueueStatus",
    "OUTCOME_LABELS",
    "ApiToken",
    "Call",
    "Company",
    "DeliveryStatus",
    "Direction",
    "Job",
    "JobStatus",
    "LoginAttempt",
    "MetricCompanySlot",
    "MetricSlot",
    "Outcome",
    "Person",
    "PersonRole",
    "PersonStatus",
    "ReportingLink",
    "Role",
    "SavedSearch",
    "SearchEntry",
    "StoredFile",
    "StoredFileChunk",
    "Touchpoint",
    "TouchpointKind",
    "TwilioEvent",
    "User",
    "WebhookAttempt",
    "WebhookCursor",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Voicemail",
    "UTCDateTime",
    "call_person",
    "hash_token",
    "now_utc",
]
