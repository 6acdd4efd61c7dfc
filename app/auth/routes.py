"""Sign-in, sign-out, the recruiter's own profile and API tokens."""

import unicodedata
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import service
from app.auth.forms import ChangePasswordForm, LoginForm, ProfileForm, TokenForm
from app.auth.throttle import TooManyAttempts
from app.errors import DomainError
from app.form_errors import attach_errors

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """A same-site path to go to (after sign-in, or back from a form), or the home page."""
    # Browsers read "/\\host" as "//host" (another site), and CR/LF or other control or invisible
    # characters would split or disguise the Location header: only a plain path is followed.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and all(unicodedata.category(char)[0] != "C" for char in target)
        and not urlsplit(target).scheme
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.index")


def _stay_signed_in(user) -> None:
    """Sign this browser in again with the user's new session token (the old one just ended)."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=remembered in request.cookies)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data,
                                        request.remote_addr or "?")
        except TooManyAttempts:
            flash("Too many failed sign-ins. Wait a few minutes and try again.", "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash("Wrong email or password.", "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        return redirect(safe_next(request.args.get("next")))
    # A POST that got here did not validate: 422, as every other form answers.
    return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200


@bp.post("/logout")
def logout():
    """Sign out everywhere (POST, so a link on another site cannot sign you out)."""
    if current_user.is_authenticated:
        # A copied session or remember-me cookie must die too, not only this browser's.
        service.sign_out_everywhere(current_user)
    logout_user()
    flash("Signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Your name, phone number and time zone, and your API tokens."""
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.phone.data = current_user.phone_e164
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, form.name.data, form.phone.data,
                                   form.timezone.data)
            flash("Profile saved.", "success")
            return redirect(url_for("auth.profile"))
        except DomainError as exc:
            attach_errors(form, exc.fields)
    return render_template("auth/profile.html", form=form, token_form=TokenForm(),
                           password_form=ChangePasswordForm(formdata=None), new_token=None), (
        422 if request.method == "POST" else 200)


@bp.post("/profile/password")
@login_required
def change_password():
    """Change your own password; your other sessions end, this one stays signed in."""
    password_form = ChangePasswordForm()
    if password_form.validate_on_submit():
        try:
            service.change_password(current_user, password_form.current_password.data,
                                    password_form.new_password.data)
            _stay_signed_in(current_user._get_current_object())
            flash("Password changed. Every other session of yours was signed out.", "success")
            return redirect(url_for("auth.profile"))
        except DomainError as exc:
            attach_errors(password_form, exc.fields)
    form = ProfileForm(obj=current_user)
    form.phone.data = current_user.phone_e164
    return render_template("auth/profile.html", form=form, token_form=TokenForm(formdata=None),
                           password_form=password_form, new_token=None), 400


@bp.post("/profile/tokens")
@login_required
def create_token():
    """Issue an API token; its value is shown on this page once."""
    token_form = TokenForm()
    if not token_form.validate_on_submit():
        flash("Could not create the token.", "error")
        return redirect(url_for("auth.profile"))
    plain = service.issue_token(current_user, token_form.label.data or "")
    form = ProfileForm(obj=current_user)
    form.phone.data = current_user.phone_e164
    return render_template("auth/profile.html", form=form, token_form=TokenForm(formdata=None),
                           password_form=ChangePasswordForm(formdata=None), new_token=plain)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of your API tokens."""
    service.revoke_token(current_user, token_id)
    flash("Token revoked.", "info")
    return redirect(url_for("auth.profile"))
