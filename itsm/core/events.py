"""Record events, for listeners on the platform (webhooks) that must hear of every change.

`itsm.core.services.timeline.record_event` publishes each entry it writes, so every service of
every practice is covered by the one call it already makes, inside its transaction. Records
that are not tasks (knowledge articles) publish through `publish` from their own history
writer. Listeners run in the caller's transaction: they must only write rows (outbox), never
talk to the network, and should cost nothing when nobody listens for the event.
"""

from collections.abc import Callable, Mapping
from typing import Any

Listener = Callable[[Any, str, Mapping[str, Any]], None]

_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call `listener(record, action, changes)` for every published event (idempotent)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(record: Any, action: str, changes: Mapping[str, Any] | None = None) -> None:
    """Tell the listeners that `action` (a dotted timeline code) happened to `record`."""
    for listener in _listeners:
        listener(record, action, changes or {})
