"""Sign-in, sign-out, the recruiter's own profile and API tokens."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import service
from app.auth.forms import LoginForm, ProfileForm, TokenForm
from app.errors import DomainError
from app.form_errors import attach_errors

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an absolute or protocol-relative URL would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(
        target
    ).netloc:
        return target
    return url_for("main.index")


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
        except service.TooManyAttempts:
            flash("Too many failed sign-ins. Wait a few minutes and try again.", "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash("Wrong email or password.", "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out (POST, so a link on another site cannot sign you out)."""
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
                           new_token=None)


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
                           new_token=plain)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of your API tokens."""
    service.revoke_token(current_user, token_id)
    flash("Token revoked.", "info")
    return redirect(url_for("auth.profile"))
