"""What the knowledge services share: role checks, the article history, numbers."""

from django.contrib.auth.models import User
from django.db.models import Model

from itsm.core import roles
from itsm.core.events import publish as publish_event
from itsm.core.exceptions import PermissionDenied
from knowledge.models import Article, ArticleEvent
from knowledge.querysets import is_curator

NUMBER_PREFIX = "KB"


def require_staff(actor: User, what: str) -> None:
    if not roles.is_staff_member(actor):
        raise PermissionDenied(f"Only agents can {what}.")


def require_curator(actor: User, what: str) -> None:
    if not is_curator(actor):
        raise PermissionDenied(f"Only knowledge managers can {what}.")


def require_visible(article: Article, actor: User) -> None:
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise PermissionDenied("You cannot see this article.")


def may_edit(article: Article, actor: User) -> bool:
    """Drafts: any agent who can see them. Published, scheduled, in review: curators only."""
    if is_curator(actor):
        return True
    return roles.is_staff_member(actor) and article.state == "draft"


def record(article: Article, action: str, *, actor: User | None, body: str = "") -> ArticleEvent:
    """One entry in the article's history, in the caller's transaction; published (webhooks)."""
    event = ArticleEvent.objects.create(article=article, action=action, actor=actor, body=body)
    publish_event(article, action)
    return event


def number_for(pk: int) -> str:
    """KB0001001, KB0001002, ...: the primary key is unique already, so no counter is needed."""
    return f"{NUMBER_PREFIX}{pk + 1000:07d}"


def ids(values) -> list[int]:
    return [value.pk if isinstance(value, Model) else int(value) for value in values]
