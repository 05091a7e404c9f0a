"""Root-cause analysis and the workaround: what makes a problem a known error."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_event, record_field_changes
from problems.models import Problem
from problems.services.common import locked, require_staff
from problems.services.propagation import note_workaround_on_incidents
from problems.workflow import PROBLEM_WORKFLOW, WORKING

RCA_FIELDS = ("symptoms", "root_cause", "contributing_factors", "five_whys")
MAX_WHYS = 5
MAX_TEXT = 20_000


def update_rca(
    problem: Problem,
    *,
    actor: User,
    changes: dict,
    expected_version: int | None = None,
) -> Problem:
    """Record symptoms, root cause, contributing factors and the "5 whys"; keeps the known-error flag."""
    require_staff(actor, "edit root-cause analyses")
    unknown = set(changes) - set(RCA_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field is not part of the analysis."))
    cleaned = {name: _clean(name, value) for name, value in changes.items()}
    with transaction.atomic():
        record = locked(problem, expected_version)
        _require_editable(record)
        before = {name: getattr(record, name) for name in [*cleaned, "known_error"]}
        for name, value in cleaned.items():
            setattr(record, name, value)
        _refresh_known_error(record)
        after = {name: getattr(record, name) for name in before}
        if (
            record_field_changes(record, "problem.rca_updated", actor=actor, before=before, after=after)
            is None
        ):
            return record
        save_locked(record, update_fields=[*cleaned, "known_error", "known_error_at"])
    return record


def publish_workaround(
    problem: Problem, *, actor: User, workaround: str, expected_version: int | None = None
) -> Problem:
    """Publish (or revise) the workaround: agents see it in the known-error suggestions, and every
    open linked incident gets a work note with it."""
    require_staff(actor, "publish workarounds")
    text = workaround.strip()
    if not text:
        raise ValidationError({"workaround": "Describe the workaround: what gets users going again."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"workaround": f"Keep the workaround under {MAX_TEXT:,} characters."})
    with transaction.atomic():
        record = locked(problem, expected_version)
        _require_editable(record)
        if record.workaround == text and record.workaround_published_at:
            return record
        record.workaround = text
        record.workaround_published_at = timezone.now()
        _refresh_known_error(record)
        save_locked(
            record, update_fields=["workaround", "workaround_published_at", "known_error", "known_error_at"]
        )
        record_event(record, "problem.workaround_published", actor=actor, body=text)
        note_workaround_on_incidents(record, actor=actor)
    return record


def _refresh_known_error(record: Problem) -> None:
    """Known error = root cause and workaround both documented; the time it first became one is kept."""
    known = bool(record.root_cause.strip() and record.workaround.strip())
    if known and not record.known_error:
        record.known_error_at = timezone.now()
    if not known:
        record.known_error_at = None
    record.known_error = known


def _require_editable(record: Problem) -> None:
    if record.state not in (*WORKING, "resolved"):
        raise ValidationError(
            {
                "__all__": f"{record.number} is {PROBLEM_WORKFLOW.label_of(record.state).lower()}: "
                "it can no longer be edited."
            }
        )


def _clean(name: str, value) -> object:
    if name == "five_whys":
        return _clean_whys(value)
    if not isinstance(value, str):
        raise ValidationError({name: "Expected text."})
    if len(value) > MAX_TEXT:
        raise ValidationError({name: f"Keep this under {MAX_TEXT:,} characters."})
    return value.strip()


def _clean_whys(value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({"five_whys": "Give the answers to “why?” as a list of texts."})
    answers = [item.strip() for item in value if item.strip()]
    if len(answers) > MAX_WHYS:
        raise ValidationError({"five_whys": f"At most {MAX_WHYS} whys."})
    if any(len(item) > 2000 for item in answers):
        raise ValidationError({"five_whys": "Keep each answer under 2,000 characters."})
    return answers
