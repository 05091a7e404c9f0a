"""Who is told when a plan is decided: one handler per subject kind.

Practices register in their `AppConfig.ready()`, so the platform never imports them:

    from itsm.approvals import registry
    registry.register("request_item", on_item_approval, summary=item_summary)

`handler(plan, outcome, actor)` runs inside the transaction that decided the plan, so what
it does (release fulfilment, close the item) commits or rolls back with the decision.
`outcome` is "approved", "rejected" or "cancelled". An exception in the handler rolls the
decision back and reaches the caller. `summary(subject) -> list[tuple[str, str]]` is
optional: label/value pairs the approval page shows about the subject (what was ordered).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

Handler = Callable[..., None]
Summary = Callable[..., list[tuple[str, str]]]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    summary: Summary | None = None


_registry: dict[str, Registration] = {}


def register(kind: str, handler: Handler, *, summary: Summary | None = None) -> None:
    """Register the handler for subjects of `kind`; a second, different handler is a configuration error."""
    existing = _registry.get(kind)
    if existing is not None and existing.handler is not handler:
        raise ImproperlyConfigured(f"An approval handler for {kind!r} is already registered.")
    _registry[kind] = Registration(handler, summary)


def registration_for(kind: str) -> Registration | None:
    return _registry.get(kind)


def subject_summary(subject) -> list[tuple[str, str]]:
    """What the subject's practice wants approvers to see, or nothing."""
    registration = _registry.get(subject.kind)
    if registration is None or registration.summary is None:
        return []
    return list(registration.summary(subject))


@contextmanager
def override(kind: str, handler: Handler, *, summary: Summary | None = None) -> Iterator[None]:
    """Swap the registration of `kind` for the block (tests), then put the previous one back."""
    previous = _registry.get(kind)
    _registry[kind] = Registration(handler, summary)
    try:
        yield
    finally:
        if previous is None:
            _registry.pop(kind, None)
        else:
            _registry[kind] = previous
