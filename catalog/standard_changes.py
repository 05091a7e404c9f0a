"""The hook through which the change practice fulfils items flagged "standard change".

An item flagged `standard_change` is fulfilled by a pre-approved standard change instead of
fulfilment tasks. The change practice registers, in its `AppConfig.ready()`:

    from catalog.services import register_standard_change_handler
    register_standard_change_handler(create_standard_change_for_item)

`handler(request_item, *, actor) -> Task` runs in the transaction that releases the item to
fulfilment and returns the change it raised; the handler links it to the item (the item's
timeline names it). When the change is
complete, the change practice calls `catalog.services.complete_request_item(item, actor=...)`.

Decision (until a handler is registered): ordering a flagged item is refused at submission
with a clear message, rather than silently doing nothing or quietly falling back to tasks.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

Handler = Callable[..., object]

_handler: list[Handler] = []

UNAVAILABLE = (
    "This item is delivered through a pre-approved standard change, and change management is "
    "not available yet. Please contact the service desk to arrange it."
)


def register_standard_change_handler(handler: Handler) -> None:
    """Install the change practice's handler (once; a different second one is a configuration error)."""
    if _handler and _handler[0] is not handler:
        raise ImproperlyConfigured("A standard change handler is already registered.")
    _handler[:] = [handler]


def unregister_standard_change_handler() -> None:
    """For tests: forget the handler."""
    _handler.clear()


def standard_change_handler() -> Handler | None:
    return _handler[0] if _handler else None
