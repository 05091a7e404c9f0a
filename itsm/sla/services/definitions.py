"""Writing SLA definitions with their escalation steps; open clocks follow in the background."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.sla.models import EscalationStep, SLADefinition
from itsm.sla.services.calendars import request_recompute

#: Changing any of these re-computes the definition's running clocks.
TIMING_FIELDS = ("duration", "calendar_id", "warning_thresholds")


def save_definition(
    definition: SLADefinition, *, steps: Iterable[Mapping[str, Any]] | None = None
) -> SLADefinition:
    """Validate and save a definition (new or changed) and, when given, replace its escalation steps.

    Changes to the duration, calendar or thresholds re-compute the running clocks of the
    definition in the background; other conditions apply to tasks as they next change.
    """
    old = (
        SLADefinition.objects.filter(pk=definition.pk).values(*TIMING_FIELDS).first()
        if definition.pk
        else None
    )
    definition.warning_thresholds = sorted(definition.warning_thresholds or [])
    definition.full_clean()
    new_steps = (
        [EscalationStep(definition=definition, **step) for step in steps] if steps is not None else None
    )
    _check_steps(new_steps)
    with transaction.atomic():
        definition.save()
        if new_steps is not None:
            definition.escalation_steps.all().delete()
            for step in new_steps:
                step.definition = definition
            EscalationStep.objects.bulk_create(new_steps)
        if old is not None and any(old[name] != getattr(definition, name) for name in TIMING_FIELDS):
            request_recompute(definition=definition)
    return definition


def _check_steps(steps: list[EscalationStep] | None) -> None:
    errors: dict[str, list[str]] = {}
    for index, step in enumerate(steps or []):
        try:
            step.full_clean(exclude=["definition"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"escalation_steps.{index}.{field}"] = messages
    if errors:
        raise ValidationError(errors)
