"""The one place a Twilio REST client is built."""

from flask import current_app
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app.telephony.settings import http_timeout

# twilio-python reads TWILIO_EDGE / TWILIO_REGION from os.environ to reroute REST calls, but our
# TWILIO_EDGE is the Voice SDK's setting ("roaming" is no REST host). An explicit environment
# keeps REST on api.twilio.com; TWILIO_API_BASE_URL is the one way to send it elsewhere.
REST_ENVIRONMENT = {"TWILIO_EDGE": "", "TWILIO_REGION": ""}


def get_twilio_client() -> Client:
    """A client for the configured account, with a timeout; TWILIO_API_BASE_URL re-points it."""
    config = current_app.config
    client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"],
                    http_client=TwilioHttpClient(timeout=http_timeout()),
                    environment=dict(REST_ENVIRONMENT))
    if base := config.get("TWILIO_API_BASE_URL"):
        # The SDK builds every URL from its domain's base_url; this is its supported override.
        client.api.base_url = base.rstrip("/")
    return client
