"""JSON Schemas (OpenAPI 3.1 dialect) of what the API returns and accepts."""

from typing import Any

from app.api import shapes
from app.api.parsing import MAX_INT, MAX_PER_PAGE
from app.calls.rows import MAX_ROWS
from app.calls.service import MAX_DURATION
from app.companies.gatekeepers import NOTES_SHOWN, PUT_THROUGH_NOTE
from app.companies.phone_tree import DIGITS_HELP, DIGITS_PATTERN, MAX_DIGITS, MAX_STEPS, MAX_WAIT
from app.models import (
    Call,
    Company,
    Outcome,
    Person,
    PersonRole,
    PersonStatus,
    PhoneTreeStep,
    TouchpointKind,
    User,
)
from app.search.service import COUNT_CAP
from app.touchpoints.service import NOTE_MAX
from app.validation import max_length

Schema = dict[str, Any]

E164 = r"^\+[1-9][0-9]{1,14}$"
DATETIME_NOTE = "ISO 8601 with a UTC offset, e.g. 2024-05-01T14:30:00Z (no offset: 422)."
# Something other than what Python's str.strip() removes, spelled out so that ECMA regexes (the
# document's dialect) and Python's agree: their \\s differ (\\x1c-\\x1f, \\x85, \\ufeff).
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{WHITESPACE}]"
# The people service keeps a LinkedIn address only if it starts so (after strip; blank is none).
WEB_ADDRESS = "^https?://"
WEB_ADDRESS_IN = f"^[{WHITESPACE}]*(https?://|$)"
PHONE_NOTE = (
    "Any common format; a number without +country code is read in the company's country. "
    "Returned in E.164."
)


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


def text(model: type, name: str, nullable: bool = True, **extra: Any) -> Schema:
    schema: Schema = {"type": "string", **extra}
    if limit := max_length(model, name):
        schema["maxLength"] = limit
    return _nullable(schema) if nullable else schema


def ident(description: str = "", nullable: bool = False) -> Schema:
    schema: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
    if description:
        schema["description"] = description
    return _nullable(schema) if nullable else schema


def enum(cls: type, nullable: bool = False) -> Schema:
    values: list[str | None] = [m.value for m in cls]
    if nullable:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return {"type": "string", "enum": values}


def stamp(nullable: bool = False, read_only: bool = True) -> Schema:
    schema: Schema = {"type": "string", "format": "date-time"}
    if read_only:
        schema["readOnly"] = True
    return _nullable(schema) if nullable else schema


def obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def phone_out(model: type, name: str) -> Schema:
    return text(model, name, pattern=E164, description="E.164")


def phone_in() -> Schema:
    return {"type": ["string", "null"], "maxLength": 40, "description": PHONE_NOTE}


READ_ONLY_ID = {**ident(), "readOnly": True}

COMPANY_INPUT: dict[str, Schema] = {
    "name": text(Company, "name", nullable=False),
    "domain": text(Company, "domain", description="Stored without scheme or www."),
    "main_phone": phone_in(),
    "country": {
        "type": ["string", "null"],
        "pattern": "^[A-Za-z]{2}$",
        "description": "ISO 3166 alpha-2; defaults to the server's DEFAULT_COUNTRY.",
    },
    "location": text(Company, "location"),
    "timezone": text(Company, "timezone", description="IANA name, e.g. America/Chicago."),
    "industry": text(Company, "industry"),
    "email_pattern": text(Company, "email_pattern"),
    "off_limits": {"type": "boolean"},
    "off_limits_reason": text(Company, "off_limits_reason"),
    "notes": text(Company, "notes"),
}
COMPANY: Schema = obj(
    {
        "id": READ_ONLY_ID,
        **COMPANY_INPUT,
        "main_phone": phone_out(Company, "main_phone"),
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "created_at": stamp(),
        "updated_at": stamp(),
    },
    required=["id", "name", "country", "off_limits", "created_at", "updated_at"],
)

PERSON_DETAILS: dict[str, Schema] = {
    "full_name": text(Person, "full_name",
                      description="Required, except for a placeholder (an empty box): null."),
    "title": text(Person, "title"),
    "department": text(Person, "department"),
    "direct_phone": phone_in(),
    "extension": text(Person, "extension", pattern="^[0-9*#]{1,10}$"),
    "mobile_phone": phone_in(),
    "email": text(Person, "email", format="idn-email"),  # accented domains are addresses too
    "linkedin_url": text(Person, "linkedin_url", pattern=WEB_ADDRESS_IN,
                         description="A web address starting with https:// (or http://)."),
    "notes": text(Person, "notes"),
}
ALLOW_DUPLICATE: Schema = {
    "type": "boolean",
    "default": False,
    "writeOnly": True,
    "description": "Save even though someone of that name is on file.",
}
PERSON_INPUT: dict[str, Schema] = {
    "company_id": ident("Required on creation; a person never moves between companies."),
    **PERSON_DETAILS,
    "reports_to_id": ident("A colleague at the same company; cycles are refused.", nullable=True),
    "role": enum(PersonRole, nullable=True),
    "status": enum(PersonStatus, nullable=True),
    "placeholder": {
        "type": "boolean",
        "default": False,
        "description": "On creation: an empty box with a title and no name. Sending a "
        "full_name later fills it (same id, manager and reports).",
    },
    "allow_duplicate": ALLOW_DUPLICATE,
}
EMAIL_GUESS_FIELDS: dict[str, Schema] = {
    "email_source": {**text(Person, "email_source"), "readOnly": True,
                     "description": "Where the email came from when it was not typed, e.g. "
                     "\"from the company's email pattern (first.last)\"; null once retyped."},
    "email_guess": {
        "oneOf": [
            obj({"email": {"type": "string"},
                 "pattern": {"type": "string", "description": "e.g. first.last, flast"},
                 "support": {"type": "integer", "minimum": 0,
                             "description": "Addresses on file at the company's domain that "
                             "fit the pattern (0 for a pattern typed on the company)."}},
                required=["email", "pattern", "support"], additionalProperties=False),
            {"type": "null"},
        ],
        "readOnly": True,
        "description": "A suggested address for someone without one, from the company's email "
        "pattern: a guess until applied. Null when they have an email or no pattern fits.",
    },
}
PERSON: Schema = obj(
    {
        "id": READ_ONLY_ID,
        **{k: v for k, v in PERSON_INPUT.items() if k != "allow_duplicate"},
        "company_id": ident(),
        "linkedin_url": text(Person, "linkedin_url", pattern=WEB_ADDRESS),
        "direct_phone": phone_out(Person, "direct_phone"),
        "mobile_phone": phone_out(Person, "mobile_phone"),
        "role": enum(PersonRole),
        "status": enum(PersonStatus),
        "placeholder": {"type": "boolean", "readOnly": True,
                        "description": "An empty box: the position is known, the name is not."},
        "left_at": {**stamp(nullable=True),
                    "description": "When they left the company (off the live org chart)."},
        "source_call_id": {
            **ident("The call that uncovered this name.", nullable=True),
            "readOnly": True,
        },
        **EMAIL_GUESS_FIELDS,
        "created_at": stamp(),
        "updated_at": stamp(),
    },
    required=["id", "company_id", "full_name", "role", "status", "placeholder", "email_guess",
              "created_at",
              "updated_at"],
)
# The answer to a write that created a person (POST /people; POST or PATCH /calls, for the
# people the call uncovered) also offers whom they may be.
PERSON_CREATED: Schema = {
    **PERSON,
    "properties": {**PERSON["properties"], "similar": {
        "type": "array", "items": ref("SimilarPerson"), "readOnly": True,
        "description": "Colleagues at the same company whose name sounds alike, is one letter "
        "apart or is a nickname of this one. Offered, never blocking: an exact name is a 409.",
    }},
    "required": [*PERSON["required"], "similar"],
}
SIMILAR_PERSON: Schema = obj(
    {
        "id": ident(),
        "full_name": {"type": "string"},
        "reason": {"type": "string", "enum": ["sounds_like", "nickname"],
                   "description": "sounds_like: sounds alike or one letter apart (Catherine "
                   "Mueller / Katrin Müller); nickname: a known nickname (Bob / Robert)."},
    },
    required=["id", "full_name", "reason"],
    additionalProperties=False,
    description="Someone on file the new name may be.",
)

ROW_REFERENCE: Schema = obj(
    {"row": {"type": "integer", "minimum": 0}},
    required=["row"],
    additionalProperties=False,
    description="Another row of the same request, counted from 0.",
)
CALL_PERSON_ROW: Schema = obj(
    {
        "id": ident("An existing person at the call's company; other fields then update them."),
        **PERSON_DETAILS,
        "role": enum(PersonRole, nullable=True),
        "status": enum(PersonStatus, nullable=True),
        "reports_to": {
            "oneOf": [
                ident("An existing person at the same company."),
                ref("RowReference"),
                {"type": "null"},
            ]
        },
        "allow_duplicate": ALLOW_DUPLICATE,
    },
    description="A new person (full_name required) or an existing one (id).",
)

CALL_INPUT: dict[str, Schema] = {
    "company_id": ident("Required unless new_company is given."),
    "person_id": ident("The person the call was aimed at.", nullable=True),
    "answered_by_id": ident("Who picked up.", nullable=True),
    "to_number": phone_in(),
    "outcome": enum(Outcome),
    "notes": {"type": ["string", "null"], "maxLength": 100_000},
    "started_at": {
        **stamp(nullable=True, read_only=False),
        "description": DATETIME_NOTE + " Defaults to now.",
    },
    "duration_seconds": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_DURATION},
    "follow_up_at": {**stamp(nullable=True, read_only=False), "description": DATETIME_NOTE},
    "follow_up_note": text(Call, "follow_up_note", description="Needs follow_up_at."),
    "previous_call_id": ident("The call whose follow-up this call carries out.", nullable=True),
    "people": {
        "type": "array",
        "maxItems": MAX_ROWS,
        "items": ref("CallPersonRow"),
        "description": "Names uncovered; on PATCH rows are added or updated, never unlinked.",
    },
    "new_company": {
        **obj(COMPANY_INPUT, required=["name"], additionalProperties=False),
        "description": "Create the company with the call.",
    },
    "new_gatekeeper": {
        **obj(PERSON_DETAILS, required=["full_name"], additionalProperties=False),
        "description": "Create the person who answered (role gatekeeper).",
    },
    "queue_item_id": {
        **ident("An open item of your calling queue (at this company) that this call worked: "
                "it is marked done, and a follow-up item's follow-up is carried out.",
                nullable=True),
        "writeOnly": True,
    },
}
CALL: Schema = obj(
    {
        "id": READ_ONLY_ID,
        "user_id": {**ident("The recruiter who logged it."), "readOnly": True},
        **{
            k: v
            for k, v in CALL_INPUT.items()
            if k not in {"people", "new_company", "new_gatekeeper", "queue_item_id"}
        },
        "company_id": ident("null only for an inbound call from a number nobody has on file, "
                            "until someone says whose it is.", nullable=True),
        "to_number": phone_out(Call, "to_number"),
        "direction": {"type": "string", "enum": ["outbound", "inbound"], "readOnly": True,
                      "description": "inbound: they called one of the team's Twilio numbers."},
        "caller_id": {**phone_out(Call, "caller_id"), "readOnly": True,
                      "description": "The number the other side saw: our pool number (outbound "
                      "through Twilio) or the caller's (inbound); null for calls logged by hand."},
        "routed_to": {**ident("Inbound: the recruiter it rang (null: the team's ring group).",
                              nullable=True), "readOnly": True},
        "voicemail_left": {
            "oneOf": [obj({"id": ident(), "name": {"type": "string"}}, required=["id", "name"]),
                      {"type": "null"}],
            "readOnly": True,
            "description": "The recorded message dropped into the target's voicemail box.",
        },
        "outcome": {**enum(Outcome, nullable=True),
                    "description": "null until logged, e.g. for a call placed through Twilio."},
        "started_at": stamp(read_only=False),
        "follow_up_at": stamp(nullable=True, read_only=False),
        "follow_up_done_at": stamp(nullable=True),
        "created_at": stamp(),
        "updated_at": stamp(),
        "people": {"type": "array", "items": {"anyOf": [ref("PersonCreated"), ref("Person")]},
                   "description": "Who it touched. In the answer to POST or PATCH, the people "
                   "this call uncovered are PersonCreated (with `similar`)."},
        "dialed_via": {"type": ["string", "null"], "enum": ["browser", "bridge", None],
                       "readOnly": True, "description": "Placed through Twilio: how."},
        "twilio_call_sid": {"type": ["string", "null"], "readOnly": True},
        "twilio_status": {"type": ["string", "null"], "readOnly": True,
                          "description": "Twilio's latest call status (never moves backwards)."
                          " agent-…: a bridge call ended on your own phone and the number was "
                          "never dialled (agent-no-key: no key was pressed)."},
        "answered_by": {"type": ["string", "null"], "readOnly": True,
                        "description": "Twilio's answering-machine detection: human, machine_…"},
        "recording": {
            "oneOf": [ref("Recording"), {"type": "null"}],
            "readOnly": True,
            "description": "Played through /calls/<id>/recording when signed in; media stays "
            "at Twilio.",
        },
        "events": {"type": "array", "items": ref("TwilioEvent"), "readOnly": True,
                   "description": "The raw Twilio callbacks, oldest first."},
    },
    required=[
        "id",
        "user_id",
        "company_id",
        "started_at",
        "direction",
        "caller_id",
        "routed_to",
        "voicemail_left",
        "people",
        "created_at",
        "updated_at",
    ],
)

ERROR: Schema = obj(
    {
        "error": {"type": "string", "description": "Short code, e.g. validation_failed."},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Message per field path, e.g. people.3.direct_phone.",
        },
        "matches": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "integer"}},
            "description": "On duplicates: field path -> ids of the records on file.",
        },
    },
    required=["error", "message", "fields"],
)


def page_of(item: str) -> Schema:
    return obj(
        {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
        },
        required=["items", "page", "per_page", "total"],
    )


RECORDING: Schema = obj(
    {"sid": {"type": "string"}, "status": {"type": ["string", "null"]},
     "duration_seconds": {"type": ["integer", "null"], "minimum": 0}},
    required=["sid", "status", "duration_seconds"],
)
TWILIO_EVENT: Schema = obj(
    {"kind": {"type": "string", "enum": ["voice", "status", "recording", "inbound", "dial",
                                         "gather", "amd", "message"]},
     "received_at": stamp(), "applied": {"type": "boolean"},
     "payload": {"type": "object", "additionalProperties": {"type": "string"}}},
    required=["kind", "received_at", "applied", "payload"],
)
ME_INPUT: dict[str, Schema] = {
    "name": text(User, "name", nullable=False),
    "phone": {**phone_in(), "description": "Your own phone, rung first on bridge calls. "
              + PHONE_NOTE},
    "timezone": {"type": "string", "description": "An IANA zone, e.g. America/Chicago."},
}
ME: Schema = obj(
    {"id": READ_ONLY_ID, "email": {"type": "string", "format": "email", "readOnly": True},
     **ME_INPUT,
     "role": {"type": "string", "enum": ["admin", "recruiter"], "readOnly": True},
     "phone": {"type": ["string", "null"], "pattern": E164,
               "description": "Your own phone, rung first on bridge calls (E.164)."}},
    required=["id", "email", "name", "role", "phone", "timezone"],
)
DIAL: Schema = obj(
    {"to_number": phone_in(), "company_id": ident(),
     "person_id": ident("Optional: the person called (do-not-call is refused).",
                        nullable=True),
     "extension": {"type": ["string", "null"], "pattern": "^[0-9]{1,10}$",
                   "description": "Dialled after the main line answers."}},
    required=["to_number", "company_id"],
    additionalProperties=False,
)

ORG_CHART_NODE: Schema = obj(
    {
        "id": ident(),
        "full_name": text(Person, "full_name"),
        "title": text(Person, "title"),
        "department": text(Person, "department"),
        "status": enum(PersonStatus),
        "placeholder": {"type": "boolean"},
        "reports": {"type": "array", "items": ref("OrgChartNode")},
        "unplaced_reason": {
            "type": "string", "enum": ["reporting_cycle", "manager_elsewhere"],
            "description": "Only on a root the chart could not place: its managers loop back to "
                           "it, or its manager is at another company or gone. Its reports stay "
                           "below it.",
        },
    },
    required=["id", "full_name", "title", "department", "status", "placeholder", "reports"],
)
ORG_CHART: Schema = obj(
    {"company": ref("Company"), "roots": {"type": "array", "items": ref("OrgChartNode")}},
    required=["company", "roots"],
    description="The live chart (people who left are off it); people with no manager are roots.",
)

TOUCHPOINT_INPUT: dict[str, Schema] = {
    "kind": {**enum(TouchpointKind),
             "description": "email, linkedin (LinkedIn or another social message) or meeting."},
    "happened_at": {**stamp(nullable=True, read_only=False),
                    "description": DATETIME_NOTE + " Defaults to now; at most a day ahead."},
    "note": {"type": ["string", "null"], "maxLength": NOTE_MAX},
}
TOUCHPOINT: Schema = obj(
    {
        "id": READ_ONLY_ID,
        "person_id": {**ident(), "readOnly": True},
        "user_id": {**ident("The recruiter who logged it."), "readOnly": True},
        **TOUCHPOINT_INPUT,
        "happened_at": stamp(read_only=False),
        "created_at": stamp(),
    },
    required=["id", "person_id", "user_id", "kind", "happened_at", "note", "created_at"],
    description="An email, LinkedIn/social message or meeting with a person.",
)

SEARCH_RESULTS: Schema = obj(
    {
        "people": {"type": "array", "items": ref("Person")},
        "companies": {"type": "array", "items": ref("Company")},
        "calls": {"type": "array", "items": ref("CallSummary"),
                  "description": "Calls without their people and events."},
        "total": {"type": "integer", "minimum": 0,
                  "description": "Matches in all groups (each group counted up to 1,000)."},
        "totals": obj({k: {"type": "integer", "minimum": 0, "maximum": COUNT_CAP}
                       for k in ("people", "companies", "calls")},
                      description=f"Matches per group, counted up to {COUNT_CAP}."),
        "capped": obj({k: {"type": "boolean"} for k in ("people", "companies", "calls")},
                      description=f"True where a group has more than {COUNT_CAP} matches "
                                  f"(shown as “{COUNT_CAP:,}+”); only the newest "
                                  f"{COUNT_CAP} are ranked and paged."),
        "page": {"type": "integer", "minimum": 1},
    },
    required=["people", "companies", "calls", "total", "totals", "capped", "page"],
)
QUERY_ERROR: Schema = obj(
    {"error": {"type": "string", "description": "What is wrong with the query."},
     "position": {"type": "integer", "minimum": 0,
                  "description": "Where in the query (0-based character index)."}},
    required=["error", "position"],
)

PHONE_TREE_INPUT: dict[str, Schema] = {
    "digits": {"type": "string", "maxLength": MAX_DIGITS, "pattern": DIGITS_PATTERN,
               "description": "Keys for the Voice SDK's sendDigits. " + DIGITS_HELP
               + " Empty: nothing is sent (a wait, or what the label says, done by hand).",
               "x-pattern-message": DIGITS_HELP},
    "wait_seconds": {"type": "integer", "minimum": 0, "maximum": MAX_WAIT,
                     "default": 0, "description": "How long the menu talks before the next step."},
    "label": text(PhoneTreeStep, "label",
                  description='What the step is, e.g. "Main menu: press 2 for sales".'),
}
PHONE_TREE_STEP: Schema = obj(PHONE_TREE_INPUT, required=["digits", "wait_seconds", "label"])
PHONE_TREE_UPDATE: Schema = obj(
    {"steps": {"type": "array", "maxItems": MAX_STEPS, "items": ref("PhoneTreeStepInput")}},
    required=["steps"], additionalProperties=False,
    description="The whole path, replacing the saved one ([] clears it).",
)
GATEKEEPER: Schema = obj(
    {
        "person_id": ident(),
        "full_name": text(Person, "full_name"),
        "title": text(Person, "title"),
        "calls": {"type": "integer", "minimum": 0, "description": "Calls they answered."},
        "put_through": {"type": "integer", "minimum": 0, "description": PUT_THROUGH_NOTE},
        "put_through_rate": {"type": "number", "minimum": 0, "maximum": 1,
                             "description": "put_through / calls (0 without calls)."},
        "outcomes": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1},
                     "description": "Outcome -> calls through them (not_logged: no outcome yet)."},
        "last_call_at": stamp(nullable=True),
        "last_notes": {"type": ["string", "null"], "maxLength": NOTES_SHOWN + 1,
                       "description": "The latest notes of a call through them, trimmed."},
        "answers_when": {"type": ["string", "null"], "description":
                         'When they answer, in the company\'s local time: "usually mornings '
                         '(8–11)" (hours 8:00 to 11:59).'},
    },
    required=["person_id", "full_name", "title", "calls", "put_through", "put_through_rate",
              "outcomes", "last_call_at", "last_notes", "answers_when"],
    description="Someone who answered calls to the company (a call aimed at themselves aside), "
                "or a person there marked gatekeeper.",
)


def request(properties: dict[str, Schema], shape: shapes.Shape, **extra: Any) -> Schema:
    """A request body: its writable properties, the read-only ones it ignores, nothing else."""
    if shape.read_only:
        # Ignored (not refused), so a client may send back what it read; any other key is a 422.
        names = "|".join(sorted(shape.read_only))
        extra["patternProperties"] = {f"^({names})$": {"description": "Ignored when sent."}}
    return obj(properties, additionalProperties=False, **extra)

SCHEMAS: dict[str, Schema] = {
    "Company": COMPANY,
    "CompanyCreate": request(COMPANY_INPUT, shapes.COMPANY, required=["name"]),
    "CompanyUpdate": request(COMPANY_INPUT, shapes.COMPANY),
    "CompanyList": page_of("Company"),
    "Person": PERSON,
    "PersonCreated": PERSON_CREATED,
    "SimilarPerson": SIMILAR_PERSON,
    "PersonCreate": request(PERSON_INPUT, shapes.PERSON, required=["company_id"]),
    "PersonUpdate": request(PERSON_INPUT, shapes.PERSON),
    "PersonList": page_of("Person"),
    "Call": CALL,
    "CallCreate": request(CALL_INPUT, shapes.CALL, required=["outcome"]),
    "CallUpdate": request(CALL_INPUT, shapes.CALL),
    "CallPersonRow": request(CALL_PERSON_ROW["properties"], shapes.CALL_ROW,
                             description=CALL_PERSON_ROW["description"]),
    "RowReference": ROW_REFERENCE,
    "CallList": page_of("Call"),
    "OrgChart": ORG_CHART,
    "SearchResults": SEARCH_RESULTS,
    "QueryError": QUERY_ERROR,
    "CallSummary": obj({k: v for k, v in CALL["properties"].items()
                        if k not in {"people", "answered_by", "recording", "events"}}),
    "Recording": RECORDING,
    "TwilioEvent": TWILIO_EVENT,
    "Me": ME,
    "MeUpdate": request(ME_INPUT, shapes.ME),
    "DialRequest": DIAL,
    "OrgChartNode": ORG_CHART_NODE,
    "Touchpoint": TOUCHPOINT,
    "TouchpointCreate": request(TOUCHPOINT_INPUT, shapes.TOUCHPOINT, required=["kind"]),
    "TouchpointList": page_of("Touchpoint"),
    "PhoneTree": obj({"steps": {"type": "array", "items": ref("PhoneTreeStep")}},
                     required=["steps"]),
    "PhoneTreeStep": PHONE_TREE_STEP,
    "PhoneTreeUpdate": PHONE_TREE_UPDATE,
    "PhoneTreeStepInput": request(PHONE_TREE_INPUT, shapes.PHONE_TREE_STEP,
                                  description="A step needs keys, a wait or a label."),
    "Gatekeeper": GATEKEEPER,
    "GatekeeperList": obj({"gatekeepers": {"type": "array", "items": ref("Gatekeeper")}},
                          required=["gatekeepers"],
                          description="Most calls first, then the latest call."),
    "Error": ERROR,
}

# The calling queue's schemas build on the helpers above (hence the import down here).
from app.api.queue_schemas import QUEUE_SCHEMAS  # noqa: E402

SCHEMAS.update(QUEUE_SCHEMAS)
