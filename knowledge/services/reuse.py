"""Knowledge from resolved work: a draft pre-filled from an incident's resolution, and the
known-error article the problem practice publishes through its hook."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.core.models import Task
from knowledge.choices import Audience
from knowledge.models import Article, KnowledgeBase
from knowledge.services.articles import create_article, move_article
from knowledge.services.common import require_staff


def default_base(*, internal: bool) -> KnowledgeBase:
    base = KnowledgeBase.objects.filter(is_active=True, is_internal=internal).first()
    base = base or KnowledgeBase.objects.filter(is_active=True).first()
    if base is None:
        raise ValidationError({"base": "Create a knowledge base first (admin → Knowledge bases)."})
    return base


def draft_from_task(task: Task, *, actor: User) -> Article:
    """A draft article from a resolved incident: symptom from its description, fix from its
    resolution notes. The agent edits it and sends it for review like any other draft."""
    require_staff(actor, "write articles")
    if task.state_category not in ("resolved", "closed"):
        raise ValidationError({"__all__": f"{task.number} is not resolved yet: resolve it first."})
    resolution = _resolution_notes(task)
    body = "\n\n".join(
        part
        for part in (
            "## Symptoms",
            task.description.strip() or task.title,
            "## Resolution",
            resolution or "_Describe the fix._",
        )
    )
    article = create_article(
        actor=actor,
        base=default_base(internal=False),
        title=task.title,
        summary=(resolution or task.title).splitlines()[0][:500],
        body=body,
        source_number=task.number,
        services=[task.service_id] if task.service_id else [],
        configuration_items=[task.configuration_item_id] if task.configuration_item_id else [],
    )
    return article


def publish_known_error_article(
    *, actor: User, title: str, cause: str, workaround: str, source: Task
) -> Article:
    """Called by `problems.services.publish_known_error_article`: an agent-facing article with
    the root cause and the workaround, sent straight into review (a knowledge manager approves)."""
    require_staff(actor, "publish known errors")
    body = f"## Cause\n\n{cause.strip() or '_Not documented._'}\n\n## Workaround\n\n{workaround.strip()}"
    with transaction.atomic():
        article = create_article(
            actor=actor,
            base=default_base(internal=True),
            title=f"Known error: {title}"[:200],
            summary=workaround.strip().splitlines()[0][:500] if workaround.strip() else "",
            body=body,
            audience=Audience.AGENTS,
            source_number=source.number,
            services=[source.service_id] if source.service_id else [],
        )
        article = move_article(article, "submit", actor=actor)
    return article


def _resolution_notes(task: Task) -> str:
    """The resolution notes of the task's practice record, when it keeps them (incidents do).

    Read through the multi-table child row, so knowledge imports no incident internals.
    """
    child = getattr(task, task.kind, None) if task.kind else None
    return (getattr(child, "resolution_notes", "") or getattr(child, "workaround", "") or "").strip()
