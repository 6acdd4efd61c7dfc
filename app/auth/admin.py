"""User administration for admins: add, deactivate, reactivate and reset passwords."""

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import select

from app.auth import service
from app.auth.forms import PasswordForm, UserForm
from app.errors import DomainError
from app.extensions import db
from app.form_errors import attach_errors
from app.models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """List every account and add a new one."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.password.data, form.admin.data,
                                       form.name.data or "")
            flash(f"Added {user.email}. Give them the temporary password.", "success")
            return redirect(url_for("admin.users"))
        except DomainError as exc:
            attach_errors(form, exc.fields)
    everyone = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=everyone, form=form,
                           password_form=PasswordForm(formdata=None)), (
        422 if request.method == "POST" else 200)


@bp.post("/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    """Deactivate or reactivate an account; its calls stay in the log."""
    user = db.get_or_404(User, user_id)
    # The state asked for, not a toggle: a repeated "Deactivate" must never reactivate.
    wanted = request.form.get("active")
    if wanted not in {"0", "1"}:
        abort(400)
    try:
        service.set_active(user, wanted == "1", current_user)
        flash(f"{user.email} is now {'active' if user.active else 'deactivated'}.", "success")
    except DomainError as exc:
        flash(" ".join(exc.fields.values()), "error")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    """Set a new temporary password for an account."""
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        service.set_password(user, form.password.data)
        if user.id == current_user.id:  # the reset ended this session too: keep the admin in
            login_user(user)
        flash(f"Password reset for {user.email}. Their sessions were signed out.", "success")
    else:
        flash("Passwords need at least 8 characters.", "error")
    return redirect(url_for("admin.users"))
