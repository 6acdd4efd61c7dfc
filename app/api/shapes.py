"""What each endpoint accepts in its JSON body (see `Shape`); the OpenAPI test holds these true."""

from app.api.parsing import Shape
from app.api.serializers import (
    CALL_FIELDS,
    COMPANY_FIELDS,
    PERSON_COMPUTED,
    PERSON_FIELDS,
    TOUCHPOINT_FIELDS,
)

# Everything a company returns, less what the server sets itself.
COMPANY_WRITABLE = frozenset(COMPANY_FIELDS) - {"id", "created_at", "updated_at"}
PERSON_DETAILS = frozenset(
    {
        "full_name",
        "title",
        "department",
        "direct_phone",
        "extension",
        "mobile_phone",
        "email",
        "linkedin_url",
        "notes",
    }
)
PERSON_WRITABLE = PERSON_DETAILS | {
    "company_id",
    "reports_to_id",
    "role",
    "status",
    "placeholder",
    "allow_duplicate",
}
# A row of a call's `people`: an existing person's `id` or a new person, with `reports_to`.
CALL_ROW_WRITABLE = PERSON_DETAILS | {"id", "role", "status", "reports_to", "allow_duplicate"}
CALL_WRITABLE = frozenset(
    {
        "company_id",
        "person_id",
        "answered_by_id",
        "to_number",
        "outcome",
        "notes",
        "started_at",
        "duration_seconds",
        "follow_up_at",
        "follow_up_note",
        "previous_call_id",
        "people",
        "new_company",
        "new_gatekeeper",
        "queue_item_id",
    }
)
CALL_DATETIMES = ("started_at", "follow_up_at")


def _read_only(returned: tuple[str, ...], writable: frozenset[str]) -> frozenset[str]:
    return frozenset(returned) - writable


COMPANY = Shape(
    COMPANY_WRITABLE,
    _read_only(COMPANY_FIELDS, COMPANY_WRITABLE),
    booleans=frozenset({"off_limits"}),
    schema="CompanyUpdate",
)
PERSON = Shape(
    PERSON_WRITABLE,
    _read_only((*PERSON_FIELDS, *PERSON_COMPUTED), PERSON_WRITABLE),
    booleans=frozenset({"allow_duplicate", "placeholder"}),
    schema="PersonUpdate",
)
CALL_ROW = Shape(
    CALL_ROW_WRITABLE,
    _read_only((*PERSON_FIELDS, *PERSON_COMPUTED), CALL_ROW_WRITABLE) - {"reports_to_id"},
    booleans=frozenset({"allow_duplicate"}),
    hints={"reports_to_id": 'In a call\'s rows use reports_to: a person id or {"row": i}.'},
)
# Returned with every call but computed by the server from Twilio's callbacks.
CALL_TELEPHONY = frozenset({"answered_by", "recording", "events", "routed_to", "voicemail_left"})
CALL = Shape(
    CALL_WRITABLE,
    _read_only(CALL_FIELDS, CALL_WRITABLE) | CALL_TELEPHONY,
    objects={
        "new_company": Shape(COMPANY_WRITABLE, booleans=frozenset({"off_limits"})),
        "new_gatekeeper": Shape(PERSON_DETAILS),
    },
    lists={"people": CALL_ROW},
    schema="CallUpdate",
)

DIAL = Shape(frozenset({"to_number", "company_id", "person_id", "extension"}), schema="DialRequest")
ME = Shape(frozenset({"name", "phone", "timezone"}), schema="MeUpdate")

TOUCHPOINT_WRITABLE = frozenset({"kind", "happened_at", "note"})
TOUCHPOINT = Shape(
    TOUCHPOINT_WRITABLE,
    _read_only(TOUCHPOINT_FIELDS, TOUCHPOINT_WRITABLE),
    schema="TouchpointCreate",
)

PHONE_TREE_STEP = Shape(frozenset({"digits", "wait_seconds", "label"}), schema="PhoneTreeStepInput")
PHONE_TREE = Shape(frozenset({"steps"}), lists={"steps": PHONE_TREE_STEP}, schema="PhoneTreeUpdate")
QUEUE_ADD = Shape(frozenset({"person_id", "company_id", "ask_for", "next_step"}),
                  schema="QueueAdd")
QUEUE_BUILD = Shape(frozenset({"source", "company_id", "saved_search_id"}), schema="QueueBuild")
QUEUE_SKIP = Shape(frozenset({"reason"}), schema="QueueSkip")
QUEUE_SNOOZE = Shape(frozenset({"until"}), schema="QueueSnooze")
