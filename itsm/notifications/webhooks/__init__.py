"""Webhooks: subscriptions, events emitted in the causing transaction, signed delivery by Celery."""
