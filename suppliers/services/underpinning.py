"""The underpinning-contract SLA definitions: the contract's commitments as SLA engine definitions.

Each contract with support hours gets one response and one resolution definition (kind
"supplier engagement", category = the contract reference), kept in step by the contract
services. The SLA engine then measures every engagement under the contract like any other
task: clocks attach when the engagement opens, the response clock stops when the supplier
responds, the resolution clock when the supplier resolves, on the contract's calendar.
"""

from datetime import timedelta

from itsm.core.choices import TaskKind
from itsm.sla.choices import Target
from itsm.sla.models import SLADefinition
from itsm.sla.services.definitions import save_definition
from suppliers.models import Contract

#: Underpinning definitions win over any other definition naming supplier engagements.
UNDERPINNING_PRECEDENCE = 10

TARGETS = (
    (Target.RESPONSE, "response_definition", "response_time", "respond"),
    (Target.RESOLUTION, "resolution_definition", "resolution_time", "resolve"),
)


def sync_underpinning_definitions(contract: Contract) -> None:
    """Create, update or switch off the contract's definitions to match its commitments.

    A commitment without support hours cannot be measured (business time needs a calendar):
    its definition is switched off, and open clocks stop counting as the engagement next changes.
    """
    changed = []
    for target, attribute, duration_field, verb in TARGETS:
        duration: timedelta | None = getattr(contract, duration_field)
        definition: SLADefinition | None = getattr(contract, attribute)
        measurable = bool(duration and duration > timedelta(0) and contract.support_hours_id)
        if definition is None and not measurable:
            continue
        definition = definition or SLADefinition(target=target, kinds=[TaskKind.SUPPLIER_ENGAGEMENT])
        wanted = {
            "name": f"Underpinning contract {contract.reference}: {verb}",
            "description": f"{contract.supplier} commits to {verb} within this time ({contract.reference}).",
            "category": contract.reference,
            "active": measurable,
            "precedence": UNDERPINNING_PRECEDENCE,
        }
        if measurable:
            wanted |= {"duration": duration, "calendar_id": contract.support_hours_id}
        if definition.pk and all(getattr(definition, key) == value for key, value in wanted.items()):
            continue
        for key, value in wanted.items():
            setattr(definition, key, value)
        save_definition(definition)
        if getattr(contract, attribute + "_id") != definition.pk:
            setattr(contract, attribute, definition)
            changed.append(attribute)
    if changed:
        contract.save(update_fields=changed)
