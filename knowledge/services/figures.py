"""Figures for knowledge managers and dashboards: article quality, reuse and deflection."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F
from django.utils import timezone

from itsm.core.models import Task
from knowledge.choices import ArticleState, ReviewTaskState
from knowledge.models import Article, ArticleUse, Deflection, ReviewTask

#: An article needs attention below this share of helpful votes (with enough votes to judge).
LOW_HELPFUL = 0.5
MIN_VOTES = 3


@dataclass(frozen=True)
class DeflectionFigures:
    days: int
    deflections: int
    tickets: int

    @property
    def rate(self) -> float | None:
        """Share of self-service attempts that ended without a ticket."""
        total = self.deflections + self.tickets
        return self.deflections / total if total else None


def deflection_figures(days: int = 30) -> DeflectionFigures:
    """Deflections against incidents and requests raised in the same window."""
    since = timezone.now() - timedelta(days=days)
    return DeflectionFigures(
        days=days,
        deflections=Deflection.objects.filter(created_at__gte=since).count(),
        tickets=Task.objects.filter(kind__in=("incident", "request"), opened_at__gte=since).count(),
    )


def state_counts() -> dict[str, int]:
    counts = dict(Article.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return {state: counts.get(state, 0) for state in ArticleState.values}


def attention_list(limit: int = 20) -> dict[str, list[Article]]:
    """Published articles that need a knowledge manager's eye, each list capped."""
    published = Article.objects.published().select_related("owner")
    today = timezone.localdate()
    return {
        "overdue": list(published.filter(review_by__lt=today).order_by("review_by")[:limit]),
        "unhelpful": list(
            published.annotate(votes=F("helpful_count") + F("not_helpful_count"))
            .filter(votes__gte=MIN_VOTES, helpful_count__lt=F("votes") * LOW_HELPFUL)
            .order_by("helpful_count", "pk")[:limit]
        ),
        "most_viewed": list(published.order_by("-view_count", "pk")[:limit]),
        "flagged": list(
            published.filter(review_tasks__state=ReviewTaskState.OPEN).distinct().order_by("pk")[:limit]
        ),
    }


def reuse_count(days: int = 30) -> int:
    return ArticleUse.objects.filter(created_at__gte=timezone.now() - timedelta(days=days)).count()


def open_review_tasks() -> int:
    return ReviewTask.objects.filter(state=ReviewTaskState.OPEN).count()
