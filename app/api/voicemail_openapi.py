"""Voicemail messages and drops in the OpenAPI document (app.api.openapi adds them)."""

from app.api.openapi import _errors, _ok
from app.api.schemas import NOT_BLANK, Schema, ident, obj, ref
from app.voicemails.service import MAX_BYTES, MAX_SECONDS, NAME_MAX

VOICEMAIL: Schema = obj({
    "id": ident(),
    "name": {"type": "string", "maxLength": NAME_MAX},
    "duration_seconds": {"type": "integer", "minimum": 1, "maximum": MAX_SECONDS},
}, required=["id", "name", "duration_seconds"])

VOICEMAIL_SCHEMAS: dict[str, Schema] = {
    "Voicemail": VOICEMAIL,
    "VoicemailList": obj({"voicemails": {"type": "array", "items": ref("Voicemail")}},
                         required=["voicemails"]),
    "VoicemailUpload": obj({
        "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": NOT_BLANK,
                 "description": f"1 to {NAME_MAX} characters (trimmed); unique among your "
                                "messages."},
        "file": {"type": "string", "format": "binary", "contentMediaType": "audio/wav",
                 "description": f"PCM WAV or MP3 (recognised by its bytes), at most {MAX_BYTES} "
                                f"bytes and {MAX_SECONDS} seconds."},
    }, required=["name", "file"], additionalProperties=False),
    "VoicemailDrop": obj({"voicemail_id": ident("One of your messages.")},
                         required=["voicemail_id"], additionalProperties=False),
}

TIMEOUT: Schema = {"504": {"description": "Twilio did not answer in time; the drop is marked "
                                          "failed (Twilio may still have acted).",
                           "content": {"application/json": {"schema": ref("Error")}}}}


def voicemail_paths() -> dict[str, Schema]:
    """/api/v1/voicemails and /api/v1/calls/{call_id}/voicemail-drop."""
    return {
        "/api/v1/voicemails": {
            "get": {
                "operationId": "list_voicemails",
                "summary": "Your recorded voicemail messages",
                "tags": ["voicemails"],
                "responses": {**_ok("200", "VoicemailList", "Yours, by name."),
                              **_errors("401", "422")},
            },
            "post": {
                "operationId": "upload_voicemail",
                "summary": "Upload a voicemail message (multipart: name, file)",
                "description": "422 with `fields.file` for a file that is not WAV or MP3, too "
                               "big or too long, or `fields.name` for a blank or long name; "
                               "409 when you already have a message of that name.",
                "tags": ["voicemails"],
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": ref("VoicemailUpload"),
                    "encoding": {"file": {"contentType": "audio/wav, audio/mpeg, "
                                                         "application/octet-stream"}}}}},
                "responses": {**_ok("201", "Voicemail", "Saved; Location points at your list."),
                              **_errors("400", "401", "409", "413", "415", "422")},
            },
        },
        "/api/v1/calls/{call_id}/voicemail-drop": {
            "parameters": [{"name": "call_id", "in": "path", "required": True,
                            "schema": ident()}],
            "post": {
                "operationId": "drop_voicemail",
                "summary": "Leave one of your messages in the voicemail box of a live call",
                "description": "The target's leg is redirected through Twilio's REST API to "
                               "play the message and hang up; the call is then logged as "
                               "`voicemail` with `voicemail_left`. With machine detection on, "
                               "a drop asked for before the beep waits for it. 409: the call "
                               "is not live through Twilio (logged by hand, ended, or its "
                               "number not answered yet); 403: not your call; 422: not one of "
                               "your messages.",
                "tags": ["calls"],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("VoicemailDrop")}}},
                "responses": {**_ok("202", "Call", "Redirected (or waiting for the beep)."),
                              **_errors("400", "401", "403", "404", "409", "413", "415", "422",
                                        "502", "503"),
                              **TIMEOUT},
            },
        },
    }
