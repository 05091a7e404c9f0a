"""What readers do with articles: views, helpful / not helpful, flags, deflections, reuse."""

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from itsm.core.exceptions import DomainError
from itsm.notifications.services import notify_user
from knowledge.choices import ArticleState, ReviewTaskReason, ReviewTaskState
from knowledge.models import Article, ArticleUse, Deflection, Feedback, ReviewTask
from knowledge.querysets import is_curator
from knowledge.services.common import record, require_staff, require_visible

MAX_COMMENT = 2000


def record_view(article: Article) -> None:
    """Count a page view (one UPDATE, no lock: counts may not race into lost writes)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def give_feedback(article: Article, *, actor: User, helpful: bool, comment: str = "") -> Feedback:
    """Helpful or not, with an optional comment; one verdict per reader, the latest counts."""
    require_visible(article, actor)
    _require_published(article)
    comment = comment.strip()[:MAX_COMMENT]
    with transaction.atomic():
        previous = Feedback.objects.select_for_update().filter(article=article, user=actor).first()
        if previous is not None:
            _count(article, previous.helpful, -1)
            previous.helpful, previous.comment = helpful, comment or previous.comment
            previous.save(update_fields=["helpful", "comment", "updated_at"])
            feedback = previous
        else:
            feedback = Feedback.objects.create(article=article, user=actor, helpful=helpful, comment=comment)
        _count(article, helpful, +1)
        if not helpful and comment:
            record(article, "article.feedback", actor=actor, body=comment)
    return feedback


def flag_outdated(article: Article, *, actor: User, comment: str) -> ReviewTask:
    """Ask the owner to check the article: a review task, and a notification to the owner."""
    require_visible(article, actor)
    if not comment.strip():
        raise ValidationError({"comment": "Say what is out of date."})
    with transaction.atomic():
        task = _open_review_task(
            article, ReviewTaskReason.FLAGGED_OUTDATED, raised_by=actor, comment=comment.strip()[:MAX_COMMENT]
        )
        record(article, "article.flagged", actor=actor, body=task.comment)
    return task


def close_review_task(task: ReviewTask, *, actor: User, outcome: str) -> ReviewTask:
    """The owner (or a knowledge manager) says what was done about a review task."""
    if task.assignee_id != actor.pk and not is_curator(actor):
        raise DomainError("Only the article's owner or a knowledge manager can close this review task.")
    if not outcome.strip():
        raise ValidationError({"outcome": "Say what you did (updated, still correct, retired…)."})
    with transaction.atomic():
        task = ReviewTask.objects.select_for_update().get(pk=task.pk)
        if task.state != ReviewTaskState.OPEN:
            raise ValidationError({"__all__": "This review task is already closed."})
        task.state, task.outcome = ReviewTaskState.DONE, outcome.strip()[:MAX_COMMENT]
        task.closed_at, task.closed_by = timezone.now(), actor
        task.save(update_fields=["state", "outcome", "closed_at", "closed_by"])
        record(task.article, "article.review_done", actor=actor, body=task.outcome)
    return task


def remind_reviews(today: date | None = None, *, lead_days: int = 7, batch: int = 200) -> int:
    """Beat: a review task and a notification for each published article whose review date is
    near or past; once per review date (`review_reminded_for`), however often beat runs."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=lead_days)
    due = list(
        Article.objects.filter(state=ArticleState.PUBLISHED, review_by__lte=horizon)
        .exclude(review_reminded_for=F("review_by"))
        .order_by("review_by", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    reminded = 0
    for pk in due:
        with transaction.atomic():
            claimed = (
                Article.objects.filter(pk=pk)
                .exclude(review_reminded_for=F("review_by"))
                .update(review_reminded_for=F("review_by"))
            )
            if not claimed:
                continue
            article = Article.objects.select_related("owner").get(pk=pk)
            _open_review_task(
                article, ReviewTaskReason.REVIEW_DUE, raised_by=None, comment=f"Review by {article.review_by}"
            )
            reminded += 1
    return reminded


def record_deflection(article: Article, *, actor: User, query: str = "") -> Deflection:
    """ "This solved my problem": counted instead of a ticket."""
    require_visible(article, actor)
    _require_published(article)
    with transaction.atomic():
        return Deflection.objects.create(article=article, user=actor, query=query.strip()[:250])


def record_article_use(article: Article, *, actor: User, task_number: str) -> bool:
    """An agent used the article on a ticket (reply link, resolution); True the first time."""
    require_staff(actor, "record article use")
    require_visible(article, actor)
    with transaction.atomic():
        _, created = ArticleUse.objects.get_or_create(
            article=article, task_number=task_number.strip()[:20], defaults={"user": actor}
        )
    return created


def _open_review_task(article: Article, reason: str, *, raised_by: User | None, comment: str) -> ReviewTask:
    existing = ReviewTask.objects.filter(article=article, reason=reason, state=ReviewTaskState.OPEN).first()
    if existing is not None:
        return existing
    task = ReviewTask.objects.create(
        article=article, reason=reason, assignee=article.owner, raised_by=raised_by, comment=comment
    )
    notify_user(
        article.owner,
        title=f"{task.get_reason_display()}: {article.number} {article.title}",
        body=comment,
        url=article.get_absolute_url(),
        dedupe_key=f"kb-reviewtask:{task.pk}",
    )
    return task


def _require_published(article: Article) -> None:
    if article.state != ArticleState.PUBLISHED:
        raise ValidationError({"__all__": "Only published articles take feedback."})


def _count(article: Article, helpful: bool, delta: int) -> None:
    field = "helpful_count" if helpful else "not_helpful_count"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + delta})
