"""Post-implementation reviews: findings, lessons and follow-up actions.

Required for failed or backed-out, emergency and high-risk changes before they close
(`Change.pir_required`); any other change may have one too.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changes.models import Change, FollowUpAction, PostImplementationReview
from changes.services.common import clean_text, locked, notify, require_staff
from changes.workflow import REVIEW
from itsm.core.services.timeline import record_event


@dataclass
class ActionSpec:
    description: str
    owner: User | None = None
    due_on: date | None = None


def record_review(
    change: Change,
    *,
    actor: User,
    findings: str,
    lessons_learned: str = "",
    objectives_met: bool = True,
    actions: list[ActionSpec] | None = None,
) -> PostImplementationReview:
    """Write (or rewrite) the change's review while it is in Review; new actions are added."""
    require_staff(actor, "review changes")
    findings = clean_text(findings)
    if not findings:
        raise ValidationError({"findings": "Write what the review found."})
    specs = [spec for spec in (actions or []) if spec.description.strip()]
    with transaction.atomic():
        record = locked(change)
        if record.state != REVIEW:
            raise ValidationError(
                {"findings": "A change is reviewed after its implementation, before it closes."}
            )
        review, created = PostImplementationReview.objects.update_or_create(
            change=record,
            defaults={
                "findings": findings,
                "lessons_learned": clean_text(lessons_learned),
                "objectives_met": objectives_met,
                "reviewed_by": actor,
                "reviewed_at": timezone.now(),
            },
        )
        for spec in specs:
            _add_action(review, spec, actor=actor)
        verb = "written" if created else "updated"
        record_event(
            record, "change.reviewed", actor=actor, body=f"Post-implementation review {verb}: {findings}"
        )
    return review


def add_follow_up(review: PostImplementationReview, *, actor: User, spec: ActionSpec) -> FollowUpAction:
    require_staff(actor, "add follow-up actions")
    if not spec.description.strip():
        raise ValidationError({"description": "Describe the action."})
    with transaction.atomic():
        return _add_action(review, spec, actor=actor)


def complete_follow_up(action: FollowUpAction, *, actor: User) -> FollowUpAction:
    """Mark an action done (once)."""
    require_staff(actor, "complete follow-up actions")
    with transaction.atomic():
        action = FollowUpAction.objects.select_for_update().select_related("review").get(pk=action.pk)
        if action.done_at is not None:
            raise ValidationError({"action": "This action is already done."})
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
        record_event(
            Change(pk=action.review.change_id), "change.follow_up_done", actor=actor, body=action.description
        )
    return action


def _add_action(review: PostImplementationReview, spec: ActionSpec, *, actor: User) -> FollowUpAction:
    action = FollowUpAction.objects.create(
        review=review, description=clean_text(spec.description, 500), owner=spec.owner, due_on=spec.due_on
    )
    record_event(Change(pk=review.change_id), "change.follow_up_added", actor=actor, body=action.description)
    if spec.owner and spec.owner.pk != actor.pk:
        notify(
            spec.owner,
            Change.objects.get(pk=review.change_id),
            "A follow-up action is yours",
            action.description,
            key=f"follow_up:{action.pk}",
        )
    return action
