"""CSV imports in the OpenAPI document (app.api.openapi adds them)."""

from app.api.openapi import _errors, _ok
from app.api.schemas import Schema, ident, obj
from app.imports.columns import FIELDS, KINDS
from app.models import JobStatus

STATUS: Schema = {"type": "string", "enum": [status.value for status in JobStatus]}
COUNT: Schema = {"type": "integer", "minimum": 0}


def _headers(kind: str) -> str:
    return "; ".join(f"{field.label} ({', '.join(field.headers)})" for field in FIELDS[kind])


IMPORT_SCHEMAS: dict[str, Schema] = {
    "ImportUpload": obj({
        "kind": {"type": "string", "enum": list(KINDS)},
        "file": {"type": "string", "format": "binary", "contentMediaType": "text/csv",
                 "description": "CSV with a header row (UTF-8 with or without BOM, or "
                                "Windows-1252; separated by , ; tab or |). Columns are "
                                "recognised by header. People: " + _headers("people")
                                + ". Companies: " + _headers("companies") + "."},
        "dry_run": {"type": "string", "enum": ["true", "false"], "default": "false",
                    "description": "true: report what would happen and write nothing."},
    }, required=["kind", "file"], additionalProperties=False),
    "ImportQueued": obj({"id": ident(), "status": STATUS}, required=["id", "status"]),
    "ImportRowError": obj({
        "row": {"type": "integer", "minimum": 0,
                "description": "1-based data row (the header is row 0)."},
        "column": {"type": ["string", "null"], "description": "The column's header."},
        "message": {"type": "string"},
    }, required=["row", "column", "message"]),
    "Import": obj({
        "id": ident(),
        "status": STATUS,
        "dry_run": {"type": "boolean"},
        "processed": COUNT,
        "total": {"type": ["integer", "null"], "minimum": 0,
                  "description": "Data rows in the file; null until counted."},
        "created": COUNT, "updated": COUNT, "skipped": COUNT,
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ImportRowError"}},
    }, required=["id", "status", "processed", "total", "created", "updated", "skipped",
                 "errors"]),
}


def import_paths() -> dict[str, Schema]:
    """/api/v1/imports and /api/v1/imports/{import_id}."""
    return {
        "/api/v1/imports": {
            "post": {
                "operationId": "create_import",
                "summary": "Import companies or people from a CSV file, in the background",
                "description": "Multipart: `kind`, `file`, optional `dry_run=true`. The header "
                               "is read at once (422 with `fields.file` when the file is "
                               "empty, has no usable header, or lacks a required column); the "
                               "rows are judged and written by a background job: poll "
                               "`GET /api/v1/imports/{id}`. Rows matching a record on file "
                               "update it (name within the company, email, phone); a row "
                               "repeated in the file is skipped.",
                "tags": ["imports"],
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {"$ref": "#/components/schemas/ImportUpload"},
                    "encoding": {"file": {"contentType": "text/csv, text/plain, "
                                                         "application/octet-stream"}}}}},
                "responses": {**_ok("202", "ImportQueued", "Queued; poll it."),
                              **_errors("400", "401", "413", "415", "422")},
            },
        },
        "/api/v1/imports/{import_id}": {
            "parameters": [{"name": "import_id", "in": "path", "required": True,
                            "schema": ident()}],
            "get": {
                "operationId": "get_import",
                "summary": "An import's progress and, once done, its counts and errors",
                "description": "Status queued, running, done or failed (a failed import's "
                               "reason is its one error, on row 0).",
                "tags": ["imports"],
                "responses": {**_ok("200", "Import", "Found."),
                              **_errors("401", "404", "422")},
            },
        },
    }
