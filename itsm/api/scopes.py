"""What an API token may do: `read` / `write`, for the whole API or for one area of it.

A scope is `read` or `write` (every area) or `<area>:read` / `<area>:write` (one area, e.g.
`incidents:read`, `changes:write`). `write` includes `read` of the same area. Scopes only
narrow a token: the token's user still needs the role for every call (the viewsets'
`RolePermission` and `visible_to` run as for a browser session), so a token never grants
more than its user has.

The check runs for every request under `/api/v1/` authenticated by a token (see
`ApiTokenAuthentication`), because the viewsets set their own `permission_classes`, which
would silently replace a permission class listed only in the DRF defaults. Requests signed
in with a session are not affected.
"""

from collections.abc import Iterable

from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS

READ = "read"
WRITE = "write"
LEVELS = (READ, WRITE)

#: The areas of the API, each with what it covers (shown on the token page and in the docs).
AREAS: dict[str, str] = {
    "incidents": "Incidents, categories, priority and routing rules, ratings",
    "problems": "Problems, problem tasks and candidates",
    "changes": "Changes, change tasks, templates, risk, CAB, reviews, maintenance windows",
    "catalog": "Service catalogue, requests, request items, fulfilment tasks",
    "knowledge": "Knowledge bases, articles and their feedback and reviews",
    "approvals": "Approvals and approval plans",
    "cmdb": "Services, configuration items and relationships",
    "sla": "SLA calendars, definitions, clocks and events",
    "suppliers": "Suppliers, contracts and engagements",
    "improvements": "Improvements",
    "webhooks": "Webhook subscriptions and deliveries",
    "notifications": "In-app notifications",
    "mail": "Mailboxes, inbound messages, e-mail preferences",
    "tasks": "The unified task list across record kinds",
    "users": "Users, teams, organisations, saved views",
}

#: A view's area from the top package of its module (practice apps, platform apps).
_AREA_BY_PACKAGE = {
    "incidents": "incidents",
    "problems": "problems",
    "changes": "changes",
    "catalog": "catalog",
    "knowledge": "knowledge",
    "suppliers": "suppliers",
    "improvements": "improvements",
    "itsm.approvals": "approvals",
    "itsm.cmdb": "cmdb",
    "itsm.sla": "sla",
    "itsm.notifications": "webhooks",
    "itsm.mail": "mail",
    "itsm.maintenance": "changes",
    "itsm.webhooks": "webhooks",
}
#: Platform viewsets that live in one module but belong to different areas, by router basename.
_AREA_BY_BASENAME = {
    "task": "tasks",
    "team": "users",
    "user": "users",
    "organisation": "users",
    "saved-view": "users",
    "notification": "notifications",
}
#: Marks a view that any valid token may call (the API root lists the endpoints, nothing more).
OPEN = ""


class InsufficientScope(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "insufficient_scope"
    default_detail = "This token's scopes do not allow this request."


def all_scopes() -> list[str]:
    """Every valid scope, global ones first."""
    return [*LEVELS, *(f"{area}:{level}" for area in AREAS for level in LEVELS)]


def normalise(scopes: Iterable[str]) -> list[str]:
    """Validated, de-duplicated, sorted scopes; raises ValueError naming an unknown one."""
    valid = set(all_scopes())
    cleaned = {str(scope).strip().lower() for scope in scopes}
    unknown = sorted(cleaned - valid)
    if unknown:
        raise ValueError(f"Unknown scope {unknown[0]!r}; use read, write or <area>:read / <area>:write.")
    if not cleaned:
        raise ValueError("Choose at least one scope.")
    return sorted(cleaned, key=all_scopes().index)


def allows(scopes: Iterable[str], area: str | None, level: str) -> bool:
    """True when `scopes` cover `level` access to `area` (None: an area not in the table,
    which only the global scopes reach, so a new endpoint is closed to narrow tokens)."""
    granted = set(scopes)
    levels = (READ, WRITE) if level == READ else (WRITE,)
    if area == OPEN:
        return bool(granted)
    return any(lvl in granted or (area is not None and f"{area}:{lvl}" in granted) for lvl in levels)


def area_of(view) -> str | None:
    """The API area a view belongs to: its `scope_area` attribute, else its router basename
    (platform views), else the package its class (or its queryset's model) lives in."""
    explicit = getattr(view, "scope_area", None)
    if explicit is not None:
        return explicit
    from rest_framework.routers import APIRootView  # not at import: routers import the auth settings

    if isinstance(view, APIRootView):
        return OPEN
    basename = getattr(view, "basename", None)
    if basename in _AREA_BY_BASENAME:
        return _AREA_BY_BASENAME[basename]
    queryset = getattr(view, "queryset", None)
    modules = [type(view).__module__]
    if queryset is not None:
        modules.append(queryset.model.__module__)
    for module in modules:
        for package, area in _AREA_BY_PACKAGE.items():
            if module == package or module.startswith(package + "."):
                return area
    return None


def level_of(request) -> str:
    return READ if request.method in SAFE_METHODS else WRITE


def check(request, view, scopes: Iterable[str]) -> None:
    """Raise `InsufficientScope` (403) naming the scope the request needs."""
    area, level = area_of(view), level_of(request)
    if allows(scopes, area, level):
        return
    needed = f"{area}:{level}" if area else level
    raise InsufficientScope(
        f"This token lacks the scope for this request: it needs '{needed}' (or '{level}'). "
        f"It has: {', '.join(scopes) or 'none'}."
    )


def applies_to(request) -> bool:
    """Scopes govern the versioned API only (the schema and docs pages are public)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and "api" in match.namespaces
