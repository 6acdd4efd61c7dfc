"""Admin pages for outbound webhooks: register (secret shown once), deliveries, retry, delete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.admin import admin_required
from app.extensions import db
from app.form_errors import submit_checked
from app.models import WebhookDelivery, WebhookEndpoint
from app.paging import page_of
from app.webhooks import service
from app.webhooks.delivery import MAX_ATTEMPTS
from app.webhooks.forms import EVENT_HINTS, WebhookForm

bp = Blueprint("webhook_admin", __name__, url_prefix="/admin/webhooks")


@bp.route("", methods=["GET", "POST"])
@admin_required
def index():
    """Every endpoint with its state, and the form to add one."""
    form = WebhookForm()
    endpoint = submit_checked(form, lambda found: service.register_endpoint(
        form.url.data, form.events.data, current_user, found=found))
    if endpoint is not None:  # shown once, never stored in a cookie or the URL
        flash("Endpoint added. Copy its signing secret now: it is not shown again.", "success")
        return _detail(endpoint, secret=endpoint.secret), 201
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return render_template("webhooks/index.html", endpoints=endpoints, form=form,
                           hints=EVENT_HINTS), (422 if request.method == "POST" else 200)


def _detail(endpoint: WebhookEndpoint, secret: str | None = None):
    deliveries = page_of(select(WebhookDelivery)
                         .where(WebhookDelivery.endpoint_id == endpoint.id)
                         .order_by(WebhookDelivery.id.desc()))
    return render_template("webhooks/detail.html", endpoint=endpoint, deliveries=deliveries,
                           secret=secret, max_attempts=MAX_ATTEMPTS)


@bp.get("/<int:endpoint_id>")
@admin_required
def detail(endpoint_id: int):
    """One endpoint's deliveries, newest first, each with its attempts and answers."""
    return _detail(db.get_or_404(WebhookEndpoint, endpoint_id))


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/retry")
@admin_required
def retry(endpoint_id: int, delivery_id: int):
    """Send a delivery again now instead of at its next scheduled attempt."""
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        return redirect(url_for(".detail", endpoint_id=endpoint_id))
    if service.retry_delivery(delivery):
        flash(f"Delivery {delivery.message_id} will be sent again in a moment.", "success")
    else:
        flash("That delivery was delivered already, or an attempt is under way.", "error")
    return redirect(url_for(".detail", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/delete")
@admin_required
def delete(endpoint_id: int):
    """Stop sending to this endpoint and forget its deliveries."""
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    url = endpoint.url
    service.delete_endpoint(endpoint)
    flash(f"Deleted the endpoint {url}.", "success")
    return redirect(url_for(".index"))
