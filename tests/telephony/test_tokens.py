"""GET /twilio/token: a short-lived Voice access token for the signed-in user only."""

import jwt
import pytest

from tests.telephony.conftest import ACCOUNT_SID, API_KEY_SECRET, API_KEY_SID, TWIML_APP_SID


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
    assert response.json["identity"] == f"user-{user.id}"
    claims = jwt.decode(response.json["token"], API_KEY_SECRET, algorithms=["HS256"])
    assert claims["grants"]["identity"] == f"user-{user.id}"
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == TWIML_APP_SID
    # Twilio's AccessToken stamps nbf (not iat) with the issue time.
    assert claims["exp"] - claims["nbf"] == 300
    assert response.json["ttl"] == 300
    assert claims["sub"] == ACCOUNT_SID
    assert claims["iss"] == API_KEY_SID


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
