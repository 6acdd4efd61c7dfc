"""The export paths and their schemas in the OpenAPI document (app.api.openapi adds them)."""

from app.api.openapi import _errors, _query
from app.api.schemas import Schema, ident, obj, ref
from app.exports.team import TABLES

ROWS = {"type": "array", "items": {"type": "object"}}
EXPORT_SCHEMAS: dict[str, Schema] = {
    "TeamExport": obj(
        {"exported_at": {"type": "string", "format": "date-time"},
         **{t.name: {**ROWS, "description": f"Every row of {t.name}, as in {t.name}.csv."}
            for t in TABLES}},
        required=["exported_at", *(t.name for t in TABLES)],
        description="Calls carry their follow-up (follow_up_at, follow_up_note, "
        "follow_up_done_at) and `people_ids`, the people they touched.",
    ),
    "SubjectExport": obj(
        {"exported_at": {"type": "string", "format": "date-time"},
         "person": ref("Person"),
         "company": {"type": "object"},
         "provenance": {"type": "object", "description": "The call that uncovered them, who "
                        "added them and when, and where their email came from."},
         "reporting_lines": {"type": "object"},
         "calls": ROWS,
         "touchpoints": ROWS,
         "queue_items": ROWS,
         "change_history": {"type": "string"}},
        required=["exported_at", "person", "company", "provenance", "reporting_lines", "calls",
                  "touchpoints", "queue_items", "change_history"],
    ),
}
ADMIN_ONLY = {"description": "Only an admin may export the whole team's data.",
              "content": {"application/json": {"schema": ref("Error")}}}


def export_paths() -> dict[str, Schema]:
    """/api/v1/export (admins) and /api/v1/people/{person_id}/export."""
    return {
        "/api/v1/export": {
            "get": {
                "operationId": "export_all",
                "summary": "Everything the team holds, streamed (admins)",
                "description": "`zip`: companies.csv, people.csv, reporting_links.csv, "
                "calls.csv, touchpoints.csv (UTF-8 with BOM; cells beginning with = + - @ get "
                "a leading apostrophe). `json`: the same rows, exact values.",
                "tags": ["export"],
                "parameters": [_query("format", {"type": "string", "enum": ["zip", "json"],
                                                 "default": "zip"}, "The file's format.")],
                "responses": {
                    "200": {"description": "The export, as an attachment.", "content": {
                        "application/zip": {"schema": {"type": "string",
                                                       "contentMediaType": "application/zip"}},
                        "application/json": {"schema": ref("TeamExport")}}},
                    "403": ADMIN_ONLY,
                    **_errors("401", "422"),
                },
            }
        },
        "/api/v1/people/{person_id}/export": {
            "parameters": [{"name": "person_id", "in": "path", "required": True,
                            "schema": ident()}],
            "get": {
                "operationId": "export_person",
                "summary": "Everything held about one person and where it came from",
                "tags": ["people"],
                "responses": {
                    "200": {"description": "The subject access export, as an attachment.",
                            "content": {"application/json": {"schema": ref("SubjectExport")}}},
                    **_errors("401", "404", "422"),
                },
            },
        },
    }
