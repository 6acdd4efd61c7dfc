"""A tiny local emulator of the part of Twilio's REST API that Switchboard uses.

Point `TWILIO_API_BASE_URL` at `emulator.base_url` and the official SDK talks to it instead of
api.twilio.com: placing a call (POST /2010-04-01/Accounts/<sid>/Calls.json) answers 201 with a
generated CA sid, as Twilio does, and fetching the account answers its details. For
`flask twilio-check`, it also serves the TwiML app (`app_sid`, with `voice_url`), lists the
account's `phone_numbers` (IncomingPhoneNumbers: a "+E.164" string, or a dict overriding the
fields of Twilio's record, such as `voice_url`, `voice_method` or `capabilities`) and its
`verified_caller_ids` (OutgoingCallerIds). Requests with the wrong Basic credentials get
Twilio's 401 error.
Every request is recorded in `emulator.requests`.

    with TwilioEmulator(account_sid, auth_token) as emulator:
        ...  # app configured with TWILIO_API_BASE_URL=emulator.base_url
        emulator.requests[0].form["To"]
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qs

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})(?P<rest>\.json|/.*)$")


@dataclass
class RecordedRequest:
    """One request the emulator received, decoded for assertions."""

    method: str
    path: str
    form: dict[str, list[str]]
    authorization: str | None


@dataclass
class TwilioEmulator:
    """A threaded werkzeug server on 127.0.0.1 (a free port), started by `with` or start()."""

    account_sid: str
    auth_token: str
    app_sid: str | None = None
    voice_url: str | None = None
    phone_numbers: list[str | dict] = field(default_factory=list)
    verified_caller_ids: list[str] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    calls: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> TwilioEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TwilioEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # The WSGI application -------------------------------------------------------------------

    @Request.application
    def _wsgi(self, request: Request) -> Response:
        form = parse_qs(request.get_data(as_text=True)) if request.method == "POST" else {}
        self.requests.append(RecordedRequest(request.method, request.full_path.rstrip("?"), form,
                                             request.headers.get("Authorization")))
        match = ACCOUNT_PATH.match(request.path)
        if match is None or match["sid"] != self.account_sid:
            return self._error(404, 20404, "The requested resource was not found")
        if not self._authorized(request):
            return self._error(401, 20003, "Authenticate")
        if match["rest"] == ".json" and request.method == "GET":
            return self._json(200, self._account())
        if match["rest"] == "/Calls.json" and request.method == "POST":
            return self._create_call(form)
        if match["rest"] == f"/Applications/{self.app_sid}.json" and request.method == "GET":
            return self._json(200, {"sid": self.app_sid, "account_sid": self.account_sid,
                                    "friendly_name": "Emulated app", "voice_url": self.voice_url,
                                    "voice_method": "POST"})
        if match["rest"] in ("/IncomingPhoneNumbers.json", "/OutgoingCallerIds.json"):
            return self._list_numbers(match["rest"], request.args.get("PhoneNumber"))
        return self._error(404, 20404, "The requested resource was not found")

    def _authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _create_call(self, form: dict[str, list[str]]) -> Response:
        missing = [name for name in ("To", "From") if not form.get(name)]
        if missing or not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
            return self._error(400, 21205, f"Missing required parameter {missing or ['Url']}")
        sid = "CA" + uuid.uuid4().hex
        now = format_datetime(datetime.now(UTC), usegmt=True)
        call = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form["To"][0],
            "from": form["From"][0],
            "status": "queued",
            "direction": "outbound-api",
            "date_created": now,
            "date_updated": now,
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }
        self.calls[sid] = call
        return self._json(201, call)

    def _list_numbers(self, rest: str, wanted: str | None) -> Response:
        owned = rest.startswith("/Incoming")
        key = "incoming_phone_numbers" if owned else "outgoing_caller_ids"
        records = ([self._incoming_number(n) for n in self.phone_numbers] if owned else
                   [self._caller_id(n) for n in self.verified_caller_ids])
        items = [r for r in records if wanted in (None, r["phone_number"])]
        uri = f"/2010-04-01/Accounts/{self.account_sid}{rest}"
        return self._json(200, {key: items, "page": 0, "page_size": 50, "start": 0,
                                "end": len(items), "uri": uri, "first_page_uri": uri,
                                "next_page_uri": None, "previous_page_uri": None})

    def _incoming_number(self, entry: str | dict) -> dict:
        """An IncomingPhoneNumber as Twilio lists it; a new number answers with Twilio's demo."""
        fields = {"phone_number": entry} if isinstance(entry, str) else dict(entry)
        number = fields["phone_number"]
        sid = "PN" + uuid.uuid5(uuid.NAMESPACE_URL, number).hex
        return {
            "sid": sid, "account_sid": self.account_sid, "phone_number": number,
            "friendly_name": number, "status": "in-use", "origin": "twilio",
            "api_version": "2010-04-01", "beta": False,
            "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
            "voice_url": "https://demo.twilio.com/welcome/voice/", "voice_method": "POST",
            "voice_application_sid": None, "voice_fallback_url": None,
            "voice_fallback_method": "POST", "voice_caller_id_lookup": False,
            "status_callback": "", "status_callback_method": "POST", "trunk_sid": None,
            "sms_url": "https://demo.twilio.com/welcome/sms/reply/", "sms_method": "POST",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/{sid}.json",
        } | fields

    def _caller_id(self, number: str) -> dict:
        sid = "PN" + uuid.uuid5(uuid.NAMESPACE_DNS, number).hex
        return {"sid": sid, "account_sid": self.account_sid, "phone_number": number,
                "friendly_name": number,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/OutgoingCallerIds/{sid}.json"}

    def _account(self) -> dict:
        return {"sid": self.account_sid, "friendly_name": "Emulated account", "status": "active",
                "type": "Trial", "uri": f"/2010-04-01/Accounts/{self.account_sid}.json"}

    @staticmethod
    def _json(status: int, body: dict) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _error(self, status: int, code: int, message: str) -> Response:
        return self._json(status, {"code": code, "message": message, "status": status,
                                   "more_info": f"https://www.twilio.com/docs/errors/{code}"})
