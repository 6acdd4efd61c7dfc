"""The webhook job kinds, registered by importing their modules (app.jobs.runner loads this)."""

from app.webhooks import delivery, follow_ups  # noqa: F401
