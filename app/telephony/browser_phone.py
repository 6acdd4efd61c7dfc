"""The browser as a phone: presence for inbound routing, and the screen pop of a ringing call.

Its views join the telephony blueprint (signed in, CSRF-protected, 401 JSON when signed out).
"""

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Call
from app.telephony import presence, settings
from app.telephony.dialer import sdk_installed
from app.telephony.routes import bp
from app.telephony.screen_pop import may_see, screen_pop_for


@bp.post("/twilio/presence")
def presence_update():
    """The page's Twilio Device is registered (online=1) or going away (online=0)."""
    online = request.form.get("online")
    if online not in {"0", "1"}:
        return jsonify(error="invalid", fields={"online": "Send 1 or 0."},
                       message="online must be 1 or 0."), 400
    presence.mark_online(current_user, online == "1")
    return "", 204


@bp.get("/calls/<int:call_id>/screen-pop")
def screen_pop(call_id: int):
    """The HTML fragment shown while an inbound call rings: caller, cards, last calls."""
    call = db.get_or_404(Call, call_id)
    # 404, not 403: a call id guessed by someone it does not ring says nothing about the call.
    if not call.inbound or not may_see(call, current_user):
        abort(404)
    response = render_template("telephony/_screen_pop.html", pop=screen_pop_for(call))
    return response, 200, {"Cache-Control": "no-store"}


@bp.app_context_processor
def browser_phone_context():
    """base.html's `browser_phone()`: the SDK to load when this user's browser can take calls."""

    def browser_phone() -> dict | None:
        if not (current_user.is_authenticated and settings.browser_calling_enabled()
                and sdk_installed()):
            return None  # without the SDK file the dialer says what is missing
        return {"sdk_url": url_for("static", filename=settings.VOICE_SDK_STATIC_PATH)}

    return {"browser_phone": browser_phone}
