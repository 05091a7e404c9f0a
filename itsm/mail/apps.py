from django.apps import AppConfig


class MailConfig(AppConfig):
    """The e-mail channel: mailboxes, inbound messages, threading, safety, preferences."""

    name = "itsm.mail"
    label = "mail"
    verbose_name = "E-mail channel"
