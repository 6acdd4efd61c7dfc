"""`flask twilio-check`: verify the Twilio configuration against Twilio itself."""

import click
from flask import current_app
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.telephony import settings
from app.telephony.client import get_twilio_client


def run_checks() -> list[tuple[bool, str]]:
    """Each check as (passed, what it found / how to fix it)."""
    config = current_app.config
    missing = settings.missing(settings.BROWSER_SETTINGS)
    if missing:
        return [(False, f"Missing settings: {', '.join(missing)}. Set them in the environment "
                        "or instance/config.py (README: Calling through Twilio).")]
    results: list[tuple[bool, str]] = []
    client = get_twilio_client()
    try:
        account = client.api.v2010.accounts(config["TWILIO_ACCOUNT_SID"]).fetch()
    except TwilioRestException as exc:
        return [(False, f"Credentials refused by Twilio ({exc.status}): check TWILIO_ACCOUNT_SID "
                        "and TWILIO_AUTH_TOKEN.")]
    except TwilioException as exc:
        return [(False, f"Could not reach Twilio: {exc}")]
    results.append((account.status == "active",
                    f"Account {account.friendly_name!r} is {account.status}."))
    expected = settings.public_url("/twilio/voice")
    try:
        application = client.applications(config["TWILIO_TWIML_APP_SID"]).fetch()
        results.append((application.voice_url == expected,
                        f"TwiML app voice URL is {application.voice_url!r}"
                        + ("." if application.voice_url == expected else
                           f"; set it to {expected!r} (method POST) in the Twilio console.")))
    except TwilioRestException:
        results.append((False, f"TwiML app {config['TWILIO_TWIML_APP_SID']} not found in this "
                               "account: check TWILIO_TWIML_APP_SID."))
    caller_id = config["TWILIO_CALLER_ID"]
    try:
        owned = client.incoming_phone_numbers.list(phone_number=caller_id, limit=1)
        verified = [] if owned else client.outgoing_caller_ids.list(phone_number=caller_id,
                                                                     limit=1)
    except TwilioException as exc:
        reason = exc.msg if isinstance(exc, TwilioRestException) else str(exc)
        results.append((False, f"Caller ID {caller_id} could not be checked: listing this "
                               f"account's numbers failed ({reason}). Check the credentials' "
                               "permissions."))
        return results
    results.append((bool(owned or verified),
                    f"Caller ID {caller_id} is "
                    + ("a number of this account." if owned else
                       "a verified caller ID." if verified else
                       "neither owned nor verified: buy it or verify it in the console.")))
    return results


@click.command("twilio-check")
def twilio_check_command() -> None:
    """Check the Twilio credentials, TwiML app voice URL and caller ID, and say what to fix."""
    results = run_checks()
    for passed, message in results:
        click.echo(("  ok   " if passed else "  FIX  ") + message)
    if not all(passed for passed, _ in results):
        raise SystemExit(1)
    click.echo("Twilio is ready: calls can be placed from Switchboard.")
