"""Helpers for the schedule tests: changes placed on the calendar directly, CIs in a graph.

The rows are written with the ORM (as a seed would) so these tests exercise the schedule
code alone, whatever the state of the workflow services.
"""

from datetime import UTC, datetime, timedelta

from changes.models import Change
from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.services.numbering import next_number
from tests.factories import ConfigurationItemFactory

MONDAY = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)

CATEGORY = {
    "new": StateCategory.NEW,
    "assess": StateCategory.OPEN,
    "authorize": StateCategory.PENDING,
    "scheduled": StateCategory.OPEN,
    "implement": StateCategory.OPEN,
    "review": StateCategory.RESOLVED,
    "closed": StateCategory.CLOSED,
    "cancelled": StateCategory.CANCELLED,
}


def planned_change(
    title="A change",
    *,
    start=MONDAY,
    hours=2,
    state="scheduled",
    cis=(),
    services=(),
    assignee=None,
    requester=None,
    **fields,
) -> Change:
    change = Change.objects.create(
        kind=TaskKind.CHANGE,
        number=next_number(TaskKind.CHANGE),
        title=title,
        state=state,
        state_category=CATEGORY[state],
        planned_start=start,
        planned_end=start + timedelta(hours=hours),
        assignee=assignee,
        requester=requester,
        **fields,
    )
    change.affected_cis.set(cis)
    change.affected_services.set(services)
    return change


def chain(*names: str, kind: str = RelationshipKind.DEPENDS_ON) -> list:
    """CIs named `names`, each needing the next: a -> b -> c."""
    cis = [ConfigurationItemFactory(name=name) for name in names]
    for source, target in zip(cis, cis[1:], strict=False):
        CIRelationship.objects.create(source=source, target=target, kind=kind)
    return cis
