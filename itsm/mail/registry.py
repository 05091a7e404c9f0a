"""Practices register what inbound mail does to their records; the platform stays practice-free.

`itsm/*` may not import a practice app, so the channel cannot call `incidents.services`
itself. A practice registers a handler in its `AppConfig.ready()`:

    register(IncidentMailHandler())

The handler's `name` is what a mailbox's `handler` field selects for new mail; its `kind`
(a `TaskKind`) says whose replies it takes, whatever mailbox they arrive in.
"""

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
    return next((handler for handler in _HANDLERS.values() if handler.kind == kind), None)


def choices() -> list[tuple[str, str]]:
    return [(handler.name, handler.label) for handler in _HANDLERS.values()]
