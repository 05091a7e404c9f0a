"""The outbox: e-mail and in-app notifications written in the causing transaction, delivered after commit."""
