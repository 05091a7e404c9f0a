"""Practices register what inbound mail does to their records; the platform stays practice-free.

`itsm/*` may not import a practice app, so the channel cannot call `incidents.services`
itself. A practice registers a handler in its `AppConfig.ready()`:

    register(IncidentMailHandler())

The handler's `name` is what a mailbox's `handler` field selects for new mail; its `kind`
(a `TaskKind`), and the optional `reply_kinds`, say whose replies it takes, whatever mailbox
they arrive in (the catalog's handler takes replies about a request and about its items).

A handler that needs a choice per mailbox (which catalog item a request is for) offers it
with `options()`: (value, label) pairs; the mailbox stores the chosen value in
`handler_option`, and the admin shows one "New mail becomes" list of `name:value` choices.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import User

from itsm.core.models import Task
from itsm.mail.parsing import ParsedMail


@dataclass
class InboundMail:
    """What a handler gets: the parsed message, the new text of a reply, the mailbox."""

    parsed: ParsedMail
    reply_text: str
    mailbox: object

    @property
    def subject(self) -> str:
        return self.parsed.subject

    @property
    def text(self) -> str:
        return self.parsed.text


@dataclass
class Handled:
    """What a handler did: the record the message now belongs to, and how (an `Outcome`)."""

    task: Task
    outcome: str


class MailHandler(Protocol):
    name: str
    kind: str
    label: str

    def create(self, mail: InboundMail, *, sender: User) -> Handled: ...

    def reply(self, task: Task, mail: InboundMail, *, sender: User) -> Handled: ...


_HANDLERS: dict[str, MailHandler] = {}


def register(handler: MailHandler) -> None:
    _HANDLERS[handler.name] = handler


def by_name(name: str) -> MailHandler | None:
    return _HANDLERS.get(name)


def for_kind(kind: str) -> MailHandler | None:
    return next((handler for handler in _HANDLERS.values() if kind in _kinds_of(handler)), None)


def _kinds_of(handler: MailHandler) -> tuple[str, ...]:
    return (handler.kind, *getattr(handler, "reply_kinds", ()))


def choices() -> list[tuple[str, str]]:
    return [(handler.name, handler.label) for handler in _HANDLERS.values()]


def record_types() -> list[tuple[str, str]]:
    """What a mailbox may turn new mail into: `name` or `name:option` values, with labels."""
    found: list[tuple[str, str]] = []
    for handler in _HANDLERS.values():
        options: Iterable[tuple[str, str]] | None = handler.options() if hasattr(handler, "options") else None
        if options is None:
            found.append((handler.name, handler.label))
        else:
            found += [
                (join_record_type(handler.name, value), f"{handler.label}: {label}")
                for value, label in options
            ]
    return found


def join_record_type(name: str, option: str) -> str:
    return f"{name}:{option}" if option else name


def split_record_type(value: str) -> tuple[str, str]:
    """`request:general-request` → ("request", "general-request"); `incident` → ("incident", "")."""
    name, _, option = value.partition(":")
    return name, option
