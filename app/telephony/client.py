"""The one place a Twilio REST client is built."""

import time

from flask import current_app
from requests import ConnectionError as RequestsConnectionError
from requests import ReadTimeout, Response
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import HTTPError, ReadTimeoutError

from app.telephony.settings import http_timeout

# twilio-python reads TWILIO_EDGE / TWILIO_REGION from os.environ to reroute REST calls, but our
# TWILIO_EDGE is the Voice SDK's setting ("roaming" is no REST host). An explicit environment
# keeps REST on api.twilio.com; TWILIO_API_BASE_URL is the one way to send it elsewhere.
REST_ENVIRONMENT = {"TWILIO_EDGE": "", "TWILIO_REGION": ""}


class DeadlineHttpClient(TwilioHttpClient):
    """The SDK's client, with its timeout bounding the whole answer, not each socket read.

    requests' read timeout restarts with every byte, so an answer that trickles in would hold
    the request (and the user) for as long as it trickles. The body is read here instead, in
    the response hook, against what is left of the timeout.
    """

    def __init__(self, timeout: float):
        super().__init__(timeout=timeout, request_hooks={"response": self._read_body})
        self.session.stream = True  # the hook reads the body, not requests

    def _read_body(self, response: Response, **_kwargs) -> Response:
        deadline = time.monotonic() + self.timeout - response.elapsed.total_seconds()
        chunks = []
        while (left := deadline - time.monotonic()) > 0:
            connection = getattr(response.raw, "connection", None)
            if connection is not None and connection.sock is not None:
                connection.sock.settimeout(left)  # no single read may outlast the deadline
            try:
                chunk = response.raw.read1(65536, decode_content=True)
            except ReadTimeoutError:
                break
            except HTTPError as exc:  # a cut connection: what requests would have raised
                response.close()
                raise RequestsConnectionError(exc, response=response) from exc
            if not chunk:
                response._content, response._content_consumed = b"".join(chunks), True
                return response
            chunks.append(chunk)
        response.close()
        raise ReadTimeout(f"Twilio's answer took more than {self.timeout:g} s", response=response)


def get_twilio_client() -> Client:
    """A client for the configured account, with a timeout; TWILIO_API_BASE_URL re-points it."""
    config = current_app.config
    client = Client(
        config["TWILIO_ACCOUNT_SID"],
        config["TWILIO_AUTH_TOKEN"],
        http_client=DeadlineHttpClient(timeout=http_timeout()),
        environment=dict(REST_ENVIRONMENT),
    )
    if base := config.get("TWILIO_API_BASE_URL"):
        # The SDK builds every URL from its domain's base_url; this is its supported override.
        client.api.base_url = base.rstrip("/")
    return client
