"""The one place a Twilio REST client is built."""

from flask import current_app
from twilio.rest import Client


def get_twilio_client() -> Client:
    """A client for the configured account; TWILIO_API_BASE_URL points it at an emulator."""
    config = current_app.config
    client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
    if base := config.get("TWILIO_API_BASE_URL"):
        # The SDK builds every URL from its domain's base_url; this is its supported override.
        client.api.base_url = base.rstrip("/")
    return client
