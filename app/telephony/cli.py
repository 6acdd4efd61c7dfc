"""`flask twilio-check`: verify the Twilio configuration against Twilio itself.

Exit status: 0 ready, 1 something in the configuration to fix, 3 Twilio could not be asked
(unreachable, timing out, rate limited or failing): nothing known to fix, try again later.
"""

from collections.abc import Callable
from typing import Any

import click
from flask import current_app
from requests import RequestException
from twilio.base.exceptions import TwilioException

from app.telephony import settings
from app.telephony.caller_ids import SETTING as POOL_SETTING
from app.telephony.caller_ids import parse_pool
from app.telephony.client import get_twilio_client
from app.telephony.errors import (
    TwilioCredentialsRejected,
    TwilioRefused,
    http_error,
    twilio_failure,
)

OK, FIX, RETRY, INFO = "ok", "fix", "retry", "info"
# INFO lines are printed as they are, without a label, so they can be copied whole.
LABELS = {OK: "  ok    ", FIX: "  FIX   ", RETRY: "  RETRY ", INFO: ""}
EXIT_CODES = {OK: 0, INFO: 0, FIX: 1, RETRY: 3}


class CheckFailed(Exception):
    """A check that could not get its answer from Twilio; `state` says whether to fix or retry."""

    def __init__(self, state: str, message: str):
        super().__init__(message)
        self.state, self.message = state, message


def _ask(what: str, request: Callable[[], Any], not_found: str | None = None) -> Any:
    """Twilio's answer to `request`, or CheckFailed saying what went wrong while asking `what`."""
    try:
        return request()
    except (TwilioException, RequestException) as exc:
        error = http_error(exc)
        if not_found and error is not None and error[0] == 404:
            raise CheckFailed(FIX, not_found) from None
        failure = twilio_failure(exc, f"check {what}")
    state = FIX if isinstance(failure, TwilioCredentialsRejected | TwilioRefused) else RETRY
    raise CheckFailed(state, failure.message) from None


def _voice_url_check(application: Any) -> tuple[str, str]:
    expected = settings.public_url("/twilio/voice")
    url, method = application.voice_url, (application.voice_method or "POST").upper()
    if url != expected:
        return FIX, (f"TwiML app voice URL is {url!r}; set it to {expected!r} (method POST) in "
                     "the Twilio console.")
    if method != "POST":
        return FIX, (f"TwiML app voice URL is {url!r} but its method is {method}; the webhook "
                     "only answers POST: set the method to POST in the Twilio console.")
    return OK, f"TwiML app voice URL is {url!r} (POST)."


def _checks(config: Any) -> list[tuple[str, str]]:
    client = get_twilio_client()
    results: list[tuple[str, str]] = []
    account = _ask("the account", client.api.v2010.accounts(config["TWILIO_ACCOUNT_SID"]).fetch)
    results.append((OK if account.status == "active" else FIX,
                    f"Account {account.friendly_name!r} is {account.status}."))
    app_sid = config["TWILIO_TWIML_APP_SID"]
    try:
        results.append(_voice_url_check(_ask(
            "the TwiML app", client.applications(app_sid).fetch,
            not_found=f"TwiML app {app_sid} not found in this account: check "
                      "TWILIO_TWIML_APP_SID.")))
    except CheckFailed as failed:
        results.append((failed.state, failed.message))
    try:
        results += _number_checks(client, config)
    except CheckFailed as failed:
        results.append((failed.state, failed.message))
    return results


def _number_checks(client: Any, config: Any) -> list[tuple[str, str]]:
    """The account's voice numbers (as a pool line to paste), where each one's calls go, and
    whether every configured caller ID is owned or verified."""
    numbers = _ask("the account's phone numbers", lambda: client.incoming_phone_numbers.list())
    voice = [n for n in numbers if (n.capabilities or {}).get("voice")]
    results: list[tuple[str, str]] = [
        (OK, f"Voice numbers on this account: {', '.join(n.phone_number for n in voice)}."
         if voice else "This account has no voice numbers: calls show verified caller IDs.")]
    if voice:
        results.append((INFO, f"{POOL_SETTING}=" + ",".join(n.phone_number for n in voice)))
    results += [_inbound_check(number) for number in voice]
    configured = [config["TWILIO_CALLER_ID"]]
    configured += [n for n in parse_pool(config.get(POOL_SETTING)) if n not in configured]
    owned = {n.phone_number for n in numbers}
    verified = {c.phone_number for c in _ask(
        "the verified caller IDs", lambda: client.outgoing_caller_ids.list())} if set(
        configured) - owned else set()
    for number in configured:
        name = "Caller ID" if number == config["TWILIO_CALLER_ID"] else f"{POOL_SETTING} number"
        results.append(
            (OK, f"{name} {number} is a number of this account.") if number in owned else
            (OK, f"{name} {number} is a verified caller ID (calls back to it do not reach "
                 "Switchboard).") if number in verified else
            (FIX, f"{name} {number} is neither owned nor verified: buy it or verify it in the "
                  "console" + ("." if name == "Caller ID" else f", or remove it from "
                                                               f"{POOL_SETTING}.")))
    return results


def _inbound_check(number: Any) -> tuple[str, str]:
    """Calls to our numbers (callbacks) must reach the inbound webhook, or nobody hears them."""
    expected = settings.public_url("/twilio/inbound")
    where = ("Phone Numbers > Manage > Active numbers > " + number.phone_number
             + " > Voice configuration")
    if number.voice_application_sid:
        return FIX, (f"Number {number.phone_number} answers calls with TwiML app "
                     f"{number.voice_application_sid}; set it to the URL {expected!r} (HTTP POST) "
                     f"in the console ({where}).")
    url, method = number.voice_url, (number.voice_method or "POST").upper()
    if url != expected:
        return FIX, (f"Number {number.phone_number} sends its calls to {url!r}, so callbacks "
                     f"reach nobody: set its voice URL to {expected!r} (HTTP POST) in the "
                     f"console ({where}).")
    if method != "POST":
        return FIX, (f"Number {number.phone_number} sends its calls to {url!r} with {method}; "
                     f"the webhook only answers POST: set the method to HTTP POST ({where}).")
    return OK, f"Number {number.phone_number} sends its calls to {url!r} (POST)."


def run_checks() -> list[tuple[str, str]]:
    """Each check as (ok / fix / retry, what it found and how to fix it)."""
    missing = settings.missing(settings.BROWSER_SETTINGS)
    if missing:
        return [(FIX, f"Missing settings: {', '.join(missing)}. Set them in the environment "
                      "or instance/config.py (README: Calling through Twilio).")]
    try:
        return _checks(current_app.config)
    except CheckFailed as failed:
        return [(failed.state, failed.message)]


@click.command("twilio-check")
def twilio_check_command() -> None:
    """Check the Twilio credentials, TwiML app, caller IDs and numbers, and say what to fix.

    Lists the account's voice numbers as a TWILIO_CALLER_IDS line ready to paste.

    Exits 0 when ready, 1 when a setting needs fixing, 3 when Twilio could not be asked.
    """
    results = run_checks()
    for state, message in results:
        click.echo(LABELS[state] + message)
    worst = max((state for state, _ in results), key=lambda s: EXIT_CODES[s], default=OK)
    if worst == RETRY:
        click.echo("Twilio could not be asked everything: try again later.")
    if worst != OK:
        raise SystemExit(EXIT_CODES[worst])
    click.echo("Twilio is ready: calls can be placed from Switchboard.")
