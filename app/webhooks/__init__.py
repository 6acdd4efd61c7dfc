"""Outbound webhooks (Standard Webhooks): events written with the change that caused them,
delivered by background jobs, signed, retried with backoff. See app.webhooks.events (outbox),
app.webhooks.delivery (sending) and app.webhooks.addresses (which URLs may be called)."""
