"""The CMDB's write path: every edge of the CI and service graphs is drawn and erased here.

Impact analysis is only as good as the graph, and a cycle makes "what does this CI take
down?" meaningless (everything on the loop needs everything else). These functions refuse
self-links, duplicates and cycles with a `ValidationError` naming the field at fault. The
API and the demo data call them; the Django admin runs the same `check_*` functions on its
forms, and the CSV import (bulk inserts) runs the equivalent check in memory over every edge
at once. All of them hold the graph's lock while they check and write.

A cycle can be closed by two edges added at the same moment in two transactions, each
checking a graph that does not yet hold the other's edge; the two edges need not share a
CI, so locking the rows involved would not stop it. Writers of a graph therefore take one
lock for that graph (`lock_graph`) before checking, and hold it until they commit.
"""

import logging
from collections.abc import Iterable
from enum import IntEnum

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from itsm.cmdb import impact
from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent, ServiceDependency
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied

logger = logging.getLogger(__name__)

#: Roles that may change the CMDB (the API's default write roles say the same).
EDITOR_ROLES = frozenset({roles.Role.ADMIN})


class Graph(IntEnum):
    """The two graphs, with the PostgreSQL advisory-lock key that serialises their writers."""

    CI = 72_6301
    SERVICE = 72_6302


def lock_graph(graph: Graph) -> None:
    """Hold `graph`'s writer lock until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock (readers are never blocked). SQLite:
    nothing to do, the project opens every transaction with BEGIN IMMEDIATE, which already
    lets one writer at a time in.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_graph() must be called inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(graph)])


def relate_cis(
    source: ConfigurationItem, target: ConfigurationItem, kind: str, *, actor: User | None
) -> CIRelationship:
    """Record that `source` needs `target` (`source <kind> target`).

    `actor` None means the system (an import, demo data). Refused: unknown kinds, a CI
    related to itself, the same relationship twice, and any edge that closes a cycle.
    """
    _require_editor(actor)
    with transaction.atomic():
        lock_graph(Graph.CI)
        check_ci_relationship(source.pk, target.pk, kind)
        try:
            with transaction.atomic():
                relationship = CIRelationship.objects.create(
                    source=source, target=target, kind=kind, created_by=actor
                )
        except IntegrityError:
            raise ValidationError({"target": _duplicate_message(source, target, kind)}) from None
    _log(actor, "cmdb.ci_related %s %s %s", source.pk, kind, target.pk)
    return relationship


def unrelate_cis(relationship: CIRelationship, *, actor: User | None) -> None:
    """Erase one relationship. Removing an edge can never create a cycle, so no check."""
    _require_editor(actor)
    with transaction.atomic():
        CIRelationship.objects.filter(pk=relationship.pk).delete()
    _log(
        actor, "cmdb.ci_unrelated %s %s %s", relationship.source_id, relationship.kind, relationship.target_id
    )


def add_service_component(service: Service, ci: ConfigurationItem, *, actor: User | None) -> ServiceComponent:
    """Record that `ci` delivers `service`, so the CI's failures show on the service.

    Components are leaves of the service graph (a CI never depends on a service), so a
    component can never close a cycle; only duplicates are refused.
    """
    _require_editor(actor)
    try:
        with transaction.atomic():
            component = ServiceComponent.objects.create(
                service=service, configuration_item=ci, created_by=actor
            )
    except IntegrityError:
        raise ValidationError({"configuration_item": f"{ci} is already a component of {service}."}) from None
    _log(actor, "cmdb.component_added %s to %s", ci.pk, service.pk)
    return component


def remove_service_component(component: ServiceComponent, *, actor: User | None) -> None:
    """Take a CI out of a service."""
    _require_editor(actor)
    with transaction.atomic():
        ServiceComponent.objects.filter(pk=component.pk).delete()
    _log(actor, "cmdb.component_removed %s from %s", component.configuration_item_id, component.service_id)


def add_service_dependency(service: Service, depends_on: Service, *, actor: User | None) -> ServiceDependency:
    """Record that `service` needs `depends_on`; refused if `depends_on` already needs `service`."""
    _require_editor(actor)
    with transaction.atomic():
        lock_graph(Graph.SERVICE)
        check_service_dependency(service.pk, depends_on.pk)
        try:
            with transaction.atomic():
                dependency = ServiceDependency.objects.create(
                    service=service, depends_on=depends_on, created_by=actor
                )
        except IntegrityError:
            raise ValidationError({"depends_on": f"{service} already depends on {depends_on}."}) from None
    _log(actor, "cmdb.service_dependency_added %s on %s", service.pk, depends_on.pk)
    return dependency


def remove_service_dependency(dependency: ServiceDependency, *, actor: User | None) -> None:
    """Erase one service dependency."""
    _require_editor(actor)
    with transaction.atomic():
        ServiceDependency.objects.filter(pk=dependency.pk).delete()
    _log(actor, "cmdb.service_dependency_removed %s on %s", dependency.service_id, dependency.depends_on_id)


def check_ci_relationship(
    source_id: int,
    target_id: int,
    kind: str,
    *,
    replacing: int | None = None,
    pending: Iterable[tuple[int, int]] = (),
) -> None:
    """Raise `ValidationError` unless `source <kind> target` may be added.

    `replacing` is the relationship an edit overwrites (left out of the checks); `pending`
    are (source, target) pairs about to be saved with it, such as the other rows of an admin
    inline, so that two rows that are fine alone but close a loop together are refused too.
    Call it holding `lock_graph(Graph.CI)` if the answer must still hold at commit.
    """
    if kind not in RelationshipKind.values:
        choices = ", ".join(RelationshipKind.values)
        raise ValidationError({"kind": f"Unknown relationship kind {kind!r}; choose from {choices}."})
    if source_id == target_id:
        raise ValidationError({"target": "A configuration item cannot be related to itself."})
    duplicate = CIRelationship.objects.filter(source_id=source_id, target_id=target_id, kind=kind)
    if replacing is not None:
        duplicate = duplicate.exclude(pk=replacing)
    if duplicate.exists():
        raise ValidationError({"target": _duplicate_message(source_id, target_id, kind)})
    if impact.path_exists(impact.CI_DOWN, target_id, source_id, extra_edges=pending, skip_edge=replacing):
        raise ValidationError({"target": _cycle_message(ConfigurationItem, source_id, target_id)})


def check_service_dependency(
    service_id: int,
    depends_on_id: int,
    *,
    replacing: int | None = None,
    pending: Iterable[tuple[int, int]] = (),
) -> None:
    """Raise `ValidationError` unless `service` may depend on `depends_on` (see
    `check_ci_relationship` for `replacing` and `pending`)."""
    if service_id == depends_on_id:
        raise ValidationError({"depends_on": "A service cannot depend on itself."})
    duplicate = ServiceDependency.objects.filter(service_id=service_id, depends_on_id=depends_on_id)
    if replacing is not None:
        duplicate = duplicate.exclude(pk=replacing)
    if duplicate.exists():
        raise ValidationError({"depends_on": "This service already depends on that one."})
    if impact.path_exists(
        impact.SERVICE_DOWN, depends_on_id, service_id, extra_edges=pending, skip_edge=replacing
    ):
        raise ValidationError({"depends_on": _cycle_message(Service, service_id, depends_on_id)})


def _cycle_message(model, needing_id: int, needed_id: int) -> str:
    names = dict(model.objects.filter(pk__in=[needing_id, needed_id]).values_list("pk", "name"))
    needing, needed = names.get(needing_id, needing_id), names.get(needed_id, needed_id)
    return (
        f"{needed} already depends on {needing} (directly or through others); "
        f"making {needing} depend on {needed} would create a cycle."
    )


def _duplicate_message(source, target, kind: str) -> str:
    source_name = source if isinstance(source, ConfigurationItem) else _ci_name(source)
    target_name = target if isinstance(target, ConfigurationItem) else _ci_name(target)
    return f"{source_name} already {RelationshipKind(kind).label.lower()} {target_name}."


def _ci_name(pk: int) -> str:
    return ConfigurationItem.objects.filter(pk=pk).values_list("name", flat=True).first() or str(pk)


def _require_editor(actor: User | None) -> None:
    if actor is not None and not roles.has_role(actor, *EDITOR_ROLES):
        raise PermissionDenied("Only administrators can change the CMDB.")


def _log(actor: User | None, message: str, *args) -> None:
    """People's changes at INFO; the system's (imports, demo data) at DEBUG, as they come in bulk."""
    who = actor.get_username() if actor is not None else "system"
    logger.log(logging.INFO if actor is not None else logging.DEBUG, f"{message} by %s", *args, who)
