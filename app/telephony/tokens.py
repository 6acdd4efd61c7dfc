"""Short-lived Voice access tokens for the signed-in user."""

from flask import current_app
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from app.models import User
from app.telephony.identity import identity_for


def voice_token(user: User) -> tuple[str, int]:
    """A JWT letting this user's browser place calls through the configured TwiML app and take
    the inbound calls routed to its identity (`<Client>` in /twilio/inbound's TwiML)."""
    config = current_app.config
    ttl = config["TWILIO_TOKEN_TTL"]
    token = AccessToken(config["TWILIO_ACCOUNT_SID"], config["TWILIO_API_KEY_SID"],
                        config["TWILIO_API_KEY_SECRET"], identity=identity_for(user), ttl=ttl)
    token.add_grant(VoiceGrant(outgoing_application_sid=config["TWILIO_TWIML_APP_SID"],
                               incoming_allow=True))
    return token.to_jwt(), ttl
