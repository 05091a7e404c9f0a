"""Which definitions apply to a task: conditions compared with the task's facts, in Python.

Active definitions are few (tens), and their conditions are lists and optional foreign keys,
so matching in Python is cheaper and clearer than one query per target. The facts that need
a query (the requester's profile, the CI's class) are fetched only if a definition asks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from itsm.cmdb.models import ConfigurationItem
from itsm.core.choices import TaskKind
from itsm.core.models import Profile, Task
from itsm.sla.choices import Target
from itsm.sla.models import SLADefinition

#: Kinds measured only by definitions that name them: a supplier engagement is measured against
#: its contract's commitments (the underpinning definitions), never the desk's own targets.
NAMED_ONLY_KINDS = frozenset({TaskKind.SUPPLIER_ENGAGEMENT})


@dataclass(frozen=True)
class TaskFacts:
    """What definitions' conditions look at, for one task."""

    kind: str
    priority: int
    service_id: int | None
    ci_class: str
    category: str
    organisation_id: int | None
    vip: bool
    assignment_group_id: int | None


def facts_of(task: Task, definitions: Iterable[SLADefinition]) -> TaskFacts:
    definitions = list(definitions)
    needs_profile = any(d.organisation_id or d.vip_only for d in definitions)
    needs_ci = any(d.ci_class for d in definitions)
    needs_category = any(d.category for d in definitions)
    organisation_id, vip = _profile_facts(task) if needs_profile else (None, False)
    return TaskFacts(
        kind=task.kind,
        priority=task.priority,
        service_id=task.service_id,
        ci_class=_ci_class(task) if needs_ci else "",
        category=category_name(task) if needs_category else "",
        organisation_id=organisation_id,
        vip=vip,
        assignment_group_id=task.assignment_group_id,
    )


def matches(definition: SLADefinition, facts: TaskFacts) -> bool:
    """True when every condition the definition sets holds for the task."""
    if definition.target == Target.OLA and facts.assignment_group_id is None:
        return False
    checks = (
        facts.kind in definition.kinds if definition.kinds else facts.kind not in NAMED_ONLY_KINDS,
        not definition.priorities or facts.priority in definition.priorities,
        not definition.service_id or definition.service_id == facts.service_id,
        not definition.ci_class or definition.ci_class == facts.ci_class,
        not definition.category or definition.category.casefold() == facts.category.casefold(),
        not definition.organisation_id or definition.organisation_id == facts.organisation_id,
        not definition.vip_only or facts.vip,
        not definition.assignment_group_id or definition.assignment_group_id == facts.assignment_group_id,
    )
    return all(checks)


def best_per_target(definitions: Iterable[SLADefinition], facts: TaskFacts) -> dict[str, SLADefinition]:
    """The winning definition per target. `definitions` must come in precedence order."""
    best: dict[str, SLADefinition] = {}
    for definition in definitions:
        if definition.target not in best and matches(definition, facts):
            best[definition.target] = definition
    return best


def category_name(task: Task) -> str:
    """The category of practice records that have one (a model with a `name`, or text); else ""."""
    value: Any = getattr(task, "category", None)
    if value is None:
        return ""
    return str(getattr(value, "name", value))


def _profile_facts(task: Task) -> tuple[int | None, bool]:
    if task.requester_id is None:
        return None, False
    row = Profile.objects.filter(user_id=task.requester_id).values_list("organisation_id", "vip").first()
    return row if row is not None else (None, False)


def _ci_class(task: Task) -> str:
    if task.configuration_item_id is None:
        return ""
    field = Task._meta.get_field("configuration_item")
    if field.is_cached(task):
        return task.configuration_item.ci_class
    return (
        ConfigurationItem.objects.filter(pk=task.configuration_item_id)
        .values_list("ci_class", flat=True)
        .first()
        or ""
    )
