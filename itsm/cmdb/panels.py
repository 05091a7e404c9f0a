"""Practices add panels to the CI page; the CMDB stays practice-free.

`itsm/*` may not import a practice app, so the CI page cannot ask the supplier practice which
contracts cover a CI. A practice registers a panel in its `AppConfig.ready()`:

    register_ci_panel(CIPanel(key="suppliers", title="Suppliers and contracts", url_name="suppliers:for-ci"))

The CI page then shows a card per panel that loads the practice's htmx fragment from
`reverse(url_name, args=[ci.pk])`; the fragment's view checks who may see it.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from itsm.core import roles


@dataclass(frozen=True)
class CIPanel:
    key: str
    title: str
    url_name: str
    staff_only: bool = True


_PANELS: dict[str, CIPanel] = {}


def register_ci_panel(panel: CIPanel) -> None:
    """Add (or replace, by key) a panel; called once per process from an app's ready()."""
    _PANELS[panel.key] = panel


def ci_panels(ci_pk: int, user: User | AnonymousUser) -> list[tuple[CIPanel, str]]:
    """The panels this user may see on the CI's page, with the URL of each fragment."""
    staff = roles.is_staff_member(user)
    return [
        (panel, reverse(panel.url_name, args=[ci_pk]))
        for panel in sorted(_PANELS.values(), key=lambda p: p.key)
        if staff or not panel.staff_only
    ]
