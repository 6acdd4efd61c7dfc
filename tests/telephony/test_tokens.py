"""GET /twilio/token: a short-lived Voice access token for the signed-in user only."""

import jwt
import pytest

from app import create_app
from app.telephony.identity import identity_for
from app.telephony.settings import TelephonyConfigError
from tests.conftest import BASE_CONFIG
from tests.telephony.conftest import (
    ACCOUNT_SID,
    API_KEY_SECRET,
    API_KEY_SID,
    TWILIO_CONFIG,
    TWIML_APP_SID,
    browser_call_params,
    twiml,
)


def test_the_token_endpoint_answers_401_json_when_logged_out(client):
    response = client.get("/twilio/token")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert "token" not in response.json


@pytest.mark.twilio_config(TWILIO_TOKEN_TTL=300)
def test_the_token_is_a_jwt_naming_the_user_and_the_twiml_app(logged_in, user):
    response = logged_in.get("/twilio/token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json["identity"] == identity_for(user)
    claims = jwt.decode(response.json["token"], API_KEY_SECRET, algorithms=["HS256"])
    assert claims["grants"]["identity"] == identity_for(user)
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == TWIML_APP_SID
    # Twilio's AccessToken stamps nbf (not iat) with the issue time.
    assert claims["exp"] - claims["nbf"] == 300
    assert response.json["ttl"] == 300
    assert claims["sub"] == ACCOUNT_SID
    assert claims["iss"] == API_KEY_SID


def test_the_token_lets_the_browser_take_calls_routed_to_its_identity(logged_in, user):
    """Twilio rings a <Client> only if its token has incoming.allow; outgoing keeps the app."""
    token = logged_in.get("/twilio/token").json["token"]
    claims = jwt.decode(token, API_KEY_SECRET, algorithms=["HS256"])
    header = jwt.get_unverified_header(token)
    assert header["cty"] == "twilio-fpa;v=1"  # the content type Twilio's API expects
    voice = claims["grants"]["voice"]
    assert voice["incoming"] == {"allow": True}
    assert voice["outgoing"] == {"application_sid": TWIML_APP_SID}
    assert claims["grants"]["identity"] == identity_for(user)


def test_the_token_cannot_be_verified_with_another_secret(logged_in):
    token = logged_in.get("/twilio/token").json["token"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "not-the-secret-but-long-enough-for-hs256", algorithms=["HS256"])


@pytest.mark.twilio_config(TWILIO_API_KEY_SID=None, TWILIO_API_KEY_SECRET=None,
                           TWILIO_TWIML_APP_SID=None)
def test_without_browser_settings_the_token_endpoint_answers_503_listing_them(logged_in):
    response = logged_in.get("/twilio/token")
    assert response.status_code == 503
    assert response.json["error"] == "calling_disabled"
    assert response.json["missing"] == ["TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET",
                                        "TWILIO_TWIML_APP_SID"]


@pytest.mark.parametrize("ttl", [86401, 7 * 86400, 59, 0])
def test_a_token_lifetime_beyond_twilios_day_or_under_a_minute_stops_the_app(ttl):
    with pytest.raises(TelephonyConfigError, match="TWILIO_TOKEN_TTL must be between 60 and "
                                                   "86400 seconds"):
        create_app({**BASE_CONFIG, **TWILIO_CONFIG, "TWILIO_TOKEN_TTL": ttl})


@pytest.mark.twilio_config(TWILIO_TOKEN_TTL=86400)
def test_a_token_can_live_twilios_full_day(logged_in):
    claims = jwt.decode(logged_in.get("/twilio/token").json["token"], API_KEY_SECRET,
                        algorithms=["HS256"])
    assert claims["exp"] - claims["nbf"] == 86400


@pytest.mark.parametrize("timeout", [0, -1, 15.5, 60])
def test_a_twilio_timeout_of_none_or_beyond_15_seconds_stops_the_app(timeout):
    with pytest.raises(TelephonyConfigError, match="TWILIO_HTTP_TIMEOUT"):
        create_app({**BASE_CONFIG, **TWILIO_CONFIG, "TWILIO_HTTP_TIMEOUT": timeout})


def test_a_voice_token_stops_placing_calls_once_its_session_is_signed_out(
    logged_in, user, person, twilio_post
):
    # The access token outlives the session that minted it (up to TWILIO_TOKEN_TTL): a copied
    # token must die with the sessions, as copied cookies do.
    identity = logged_in.get("/twilio/token").json["identity"]
    caller = {"From": f"client:{identity}", "Caller": f"client:{identity}"}
    placed = twilio_post("/twilio/voice", browser_call_params(user, person=person, **caller))
    assert twiml(placed).find("Dial") is not None
    logged_in.post("/logout")  # signs out everywhere
    again = browser_call_params(user, person=person, **caller)
    refused = twiml(twilio_post("/twilio/voice", again))
    assert refused.find("Dial") is None and "not a Switchboard user" in refused.find("Say").text
