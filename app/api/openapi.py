"""The OpenAPI 3.1 document, as a Python dict; tests/test_openapi.py keeps it true to the code."""

from app.api.parsing import MAX_INT, MAX_JSON_DEPTH, MAX_PER_PAGE
from app.api.schemas import DATETIME_NOTE, NOT_BLANK, SCHEMAS, Schema, enum, ident, ref
from app.companies.gatekeepers import PUT_THROUGH_NOTE
from app.models import Outcome, PersonStatus
from app.search.query import MAX_QUERY

ERRORS = {
    "400": ("BadRequest", "Malformed JSON, or a body that is not an object."),
    "401": ("Unauthorized", "Missing, unknown or revoked token (WWW-Authenticate: Bearer)."),
    "403": ("Forbidden", "Only the call's author or an admin may change it; only the owner of a "
            "queue item may work it."),
    "404": ("NotFound", "No record with that id."),
    "409": ("Conflict", "Already on file; `matches` lists the existing ids."),
    "413": ("TooLarge", "The body is larger than the server accepts."),
    "415": ("UnsupportedMediaType", "The body must be sent as application/json."),
    "422": ("ValidationFailed", "Invalid fields or query parameters (unknown ones included), "
            "keyed by path."),
    "502": ("BadGateway", "Twilio refused the request (e.g. bad credentials); nothing rang."),
    "503": ("Unavailable", "Calling through Twilio is not configured, or Twilio is unavailable."),
}


def _errors(*codes: str) -> dict[str, Schema]:
    return {code: {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in codes}


def _ok(status: str, schema: str, description: str) -> dict[str, Schema]:
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": ref(schema)}},
        }
    }


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_INT, "default": 1},
           "Page number, from 1."),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_INT},
        f"Items per page (default: the server's PAGE_SIZE, 25); above {MAX_PER_PAGE} is capped.",
    ),
]
SINCE_UNTIL = "Calls started at or after `since` and before `until`. "


def _collection(resource: str, name: str, filters: list[Schema], post_note: str,
                created: str | None = None) -> Schema:
    return {
        "get": {
            "operationId": f"list_{resource}",
            "summary": f"List {resource}",
            "tags": [resource],
            "parameters": PAGING + filters,
            "responses": {**_ok("200", f"{name}List", "One page."), **_errors("401", "422")},
        },
        "post": {
            "operationId": f"create_{name.lower()}",
            "summary": post_note,
            "tags": [resource],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref(f"{name}Create")}},
            },
            "responses": {
                **_ok("201", created or name, "Created; Location points at it."),
                **_errors("400", "401", "409", "413", "415", "422"),
            },
        },
    }


def _item(resource: str, name: str, param: str, patch_errors: tuple[str, ...]) -> Schema:
    path_param = {"name": param, "in": "path", "required": True, "schema": ident()}
    return {
        "parameters": [path_param],
        "get": {
            "operationId": f"get_{name.lower()}",
            "summary": f"Get one {name.lower()}",
            "tags": [resource],
            "responses": {**_ok("200", name, "Found."), **_errors("401", "404", "422")},
        },
        "patch": {
            "operationId": f"update_{name.lower()}",
            "tags": [resource],
            "summary": f"Change the fields sent of one {name.lower()}",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref(f"{name}Update")}},
            },
            "responses": {**_ok("200", name, "Updated."), **_errors(*patch_errors)},
        },
    }


UPDATE_ERRORS = ("400", "401", "404", "409", "413", "415", "422")


def _touchpoints() -> Schema:
    """A person's emails, LinkedIn/social messages and meetings."""
    path_param = {"name": "person_id", "in": "path", "required": True, "schema": ident()}
    return {
        "parameters": [path_param],
        "get": {
            "operationId": "list_touchpoints",
            "summary": "A person's touchpoints, newest first",
            "tags": ["people"],
            "parameters": PAGING,
            "responses": {**_ok("200", "TouchpointList", "One page."),
                          **_errors("401", "404", "422")},
        },
        "post": {
            "operationId": "create_touchpoint",
            "summary": "Log an email, LinkedIn/social message or meeting with the person",
            "tags": ["people"],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref("TouchpointCreate")}}},
            "responses": {**_ok("201", "Touchpoint", "Logged."),
                          **_errors("400", "401", "404", "413", "415", "422")},
        },
    }


def _phone_paths() -> dict[str, Schema]:
    """A company's phone-tree path and the gatekeepers met on its line."""
    path_param = {"name": "company_id", "in": "path", "required": True, "schema": ident()}
    return {
        "/api/v1/companies/{company_id}/phone-tree": {
            "parameters": [path_param],
            "get": {
                "operationId": "get_phone_tree",
                "summary": "The saved path through the company's phone menu, in order",
                "tags": ["companies"],
                "responses": {**_ok("200", "PhoneTree", "The steps ([] when none is saved)."),
                              **_errors("401", "404", "422")},
            },
            "put": {
                "operationId": "put_phone_tree",
                "summary": "Replace the whole path (one transaction)",
                "tags": ["companies"],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("PhoneTreeUpdate")}}},
                "responses": {**_ok("200", "PhoneTree", "Saved; the steps as stored."),
                              **_errors("400", "401", "404", "413", "415", "422")},
            },
        },
        "/api/v1/companies/{company_id}/gatekeepers": {
            "parameters": [path_param],
            "get": {
                "operationId": "list_gatekeepers",
                "summary": "Who answers the company's calls, and how calls through them ended",
                "description": PUT_THROUGH_NOTE,
                "tags": ["companies"],
                "responses": {**_ok("200", "GatekeeperList", "Most calls first."),
                              **_errors("401", "404", "422")},
            },
        },
    }


def openapi_document() -> Schema:
    """The whole document; built on request so it always reflects the current code."""
    from app.api.import_openapi import IMPORT_SCHEMAS, import_paths
    from app.api.queue_openapi import queue_paths  # it builds on this module's helpers
    from app.api.voicemail_openapi import VOICEMAIL_SCHEMAS, voicemail_paths
    from app.api.webhook_openapi import WEBHOOK_SCHEMAS, webhook_paths
    from app.exports.openapi import EXPORT_SCHEMAS, export_paths

    id_filter = ident()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Switchboard",
            "version": "1",
            "description": "Companies, people and calls of a phone-sourcing team. Send "
            "`Authorization: Bearer <token>`. Unknown body fields and query parameters are "
            "refused (422); read-only fields are ignored. Bodies nested deeper than "
            f"{MAX_JSON_DEPTH} levels, and text with NUL characters or lone UTF-16 surrogates, "
            "are refused (400).",
        },
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_errors("422"),
                    },
                }
            },
            "/api/v1/companies": _collection(
                "companies",
                "Company",
                [
                    _query("q", {"type": "string"}, "Search name, domain, industry, location."),
                ],
                "Add a company",
            ),
            "/api/v1/companies/{company_id}": _item(
                "companies", "Company", "company_id", UPDATE_ERRORS
            ),
            "/api/v1/companies/{company_id}/org-chart": {
                "parameters": [
                    {"name": "company_id", "in": "path", "required": True, "schema": ident()}
                ],
                "get": {
                    "summary": "The company's org chart as a nested tree",
                    "responses": {
                        "200": {"description": "The tree",
                                "content": {"application/json": {"schema": ref("OrgChart")}}},
                        **_errors("401", "404", "422"),
                    },
                }
            },
            **_phone_paths(),
            "/api/v1/calls/dial": {
                "post": {
                    "operationId": "dial",
                    "summary": "Bridge call: ring your phone; a key pressed there dials the number",
                    "tags": ["calls"],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": ref("DialRequest")}}},
                    "responses": {
                        **_ok("201", "Call", "Placed and logged."),
                        **_errors("400", "401", "404", "413", "415", "422", "502", "503"),
                    },
                }
            },
            "/api/v1/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Boolean search over people, companies and call notes",
                    "tags": ["search"],
                    "parameters": [
                        {**_query("q", {"type": "string", "maxLength": MAX_QUERY,
                                        "pattern": NOT_BLANK},
                                  'e.g. title:(director OR "vice president") NOT intern. '
                                  "`name:kathryn~` also finds names that sound alike or are "
                                  "nicknames (spelled-as-typed first); accents and case never "
                                  "matter. When every match needs a people-only field (name:, "
                                  "title:, department:, status:, role:, or ~), only people are "
                                  "returned."),
                         "required": True},
                        *PAGING[:1],
                    ],
                    "responses": {
                        **_ok("200", "SearchResults", "Grouped, ranked matches."),
                        "400": {"description": "A malformed query, with where it goes wrong.",
                                "content": {"application/json": {"schema": ref("QueryError")}}},
                        **_errors("401", "422"),
                    },
                }
            },
            "/api/v1/me": {
                "get": {"operationId": "get_me", "summary": "You", "tags": ["me"],
                        "responses": {**_ok("200", "Me", "You."), **_errors("401", "422")}},
                "patch": {"operationId": "update_me", "summary": "Set your phone and time zone",
                          "tags": ["me"],
                          "requestBody": {"required": True, "content": {
                              "application/json": {"schema": ref("MeUpdate")}}},
                          "responses": {**_ok("200", "Me", "Updated."),
                                        **_errors("400", "401", "413", "415", "422")}},
            },
            "/api/v1/people": _collection(
                "people",
                "Person",
                [
                    _query("company_id", id_filter, "Only this company's people."),
                    _query("q", {"type": "string"}, "Search name, title, department."),
                    _query("status", enum(PersonStatus), "Only this status."),
                ],
                "Add a person (201 lists colleagues whose name sounds alike as `similar`)",
                created="PersonCreated",
            ),
            "/api/v1/people/{person_id}": _item("people", "Person", "person_id", UPDATE_ERRORS),
            "/api/v1/people/{person_id}/touchpoints": _touchpoints(),
            "/api/v1/calls": _collection(
                "calls",
                "Call",
                [
                    _query("company_id", id_filter, "Only calls to this company."),
                    _query("user_id", id_filter, "Only calls logged by this recruiter."),
                    _query("outcome", enum(Outcome), "Only this outcome."),
                    _query(
                        "since",
                        {"type": "string", "format": "date-time"},
                        SINCE_UNTIL + DATETIME_NOTE,
                    ),
                    _query(
                        "until",
                        {"type": "string", "format": "date-time"},
                        SINCE_UNTIL + DATETIME_NOTE,
                    ),
                ],
                "Log a call with the people it uncovered (one transaction)",
            ),
            "/api/v1/calls/{call_id}": _item("calls", "Call", "call_id", ("403", *UPDATE_ERRORS)),
            **queue_paths(),
            **voicemail_paths(),
            **export_paths(),
            **import_paths(),
            **webhook_paths(),
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from your profile.",
                }
            },
            "schemas": {**SCHEMAS, **VOICEMAIL_SCHEMAS, **EXPORT_SCHEMAS, **IMPORT_SCHEMAS,
                        **WEBHOOK_SCHEMAS},
            "responses": {
                name: {
                    "description": description,
                    "content": {"application/json": {"schema": ref("Error")}},
                }
                for name, description in ERRORS.values()
            },
        },
    }
