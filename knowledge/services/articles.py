"""Writing articles: create, edit, the review lifecycle, versions and restore.

Every move is checked against `knowledge.workflow`; every published change writes an
`ArticleVersion` (author, date) and refreshes the stored search vector in the same
transaction, so search, versions and the live page never disagree.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from itsm.core.exceptions import PermissionDenied
from itsm.core.locking import lock_for_update
from itsm.notifications.services import notify_user
from knowledge import markdown
from knowledge.choices import ArticleState, Audience
from knowledge.models import Article, ArticleVersion, Category, KnowledgeBase, Tag
from knowledge.services.common import (
    ids,
    may_edit,
    number_for,
    record,
    require_curator,
    require_staff,
    require_visible,
)
from knowledge.services.indexing import refresh_search_vector
from knowledge.workflow import ARTICLE_WORKFLOW, REVIEWER_MOVES

#: Fields a person edits; relations (tags, services, CIs, teams) are passed separately.
TEXT_FIELDS = (
    "title",
    "summary",
    "body",
    "base",
    "category",
    "audience",
    "language",
    "publish_at",
    "review_by",
)
RELATIONS = ("tags", "services", "configuration_items", "teams")


def create_article(
    *,
    actor: User,
    base: KnowledgeBase,
    title: str,
    body: str = "",
    summary: str = "",
    category: Category | None = None,
    audience: str = Audience.EVERYONE,
    language: str = "en",
    publish_at: datetime | None = None,
    review_by: date | None = None,
    owner: User | None = None,
    source_number: str = "",
    **relations: Iterable[Any],
) -> Article:
    """A new draft owned by `owner` (default: the author)."""
    require_staff(actor, "write articles")
    article = Article(
        base=base,
        category=category,
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        audience=audience,
        language=language,
        publish_at=publish_at,
        review_by=review_by,
        owner=owner or actor,
        created_by=actor,
        source_number=source_number,
    )
    _validate(article)
    with transaction.atomic():
        article.number = f"new-{timezone.now().timestamp()}-{actor.pk}"[:20]
        article.body_html = markdown.render(article.body)
        article.save()
        article.number = number_for(article.pk)
        Article.objects.filter(pk=article.pk).update(number=article.number)
        _set_relations(article, relations)
        record(article, "article.created", actor=actor, body=source_number and f"From {source_number}")
    return article


def update_article(
    article: Article,
    *,
    actor: User,
    changes: dict[str, Any],
    expected_version: int | None = None,
    note: str = "",
) -> Article:
    """Edit the text and settings. A change to a published article is a new version at once."""
    with transaction.atomic():
        article = lock_for_update(Article.objects.all(), article.pk, expected_version=expected_version)
        require_visible(article, actor)
        if not may_edit(article, actor):
            raise PermissionDenied(
                "Only knowledge managers can change an article that is in review or published; "
                "flag it as outdated to ask for a change."
            )
        relations = {name: changes.pop(name) for name in RELATIONS if name in changes}
        unknown = set(changes) - set(TEXT_FIELDS)
        if unknown:
            raise ValidationError(
                {"__all__": f"These fields cannot be changed: {', '.join(sorted(unknown))}."}
            )
        before = _content(article)
        for name, value in changes.items():
            setattr(article, name, value.strip() if name in ("title", "summary") else value)
        _validate(article)
        article.body_html = markdown.render(article.body)
        _save(article)
        _set_relations(article, relations)
        changed = sorted(name for name in before if before[name] != getattr(article, name))
        record(article, "article.updated", actor=actor, body=", ".join(changed + sorted(relations)))
        if article.state == ArticleState.PUBLISHED and (changed or relations):
            _new_version(article, actor=actor, note=note or "Edited while published")
            refresh_search_vector(article)
    return article


def move_article(
    article: Article, name: str, *, actor: User, comment: str = "", expected_version: int | None = None
) -> Article:
    """Apply a lifecycle move (`submit`, `approve`, `send_back`, `retire`, ...)."""
    with transaction.atomic():
        article = lock_for_update(Article.objects.all(), article.pk, expected_version=expected_version)
        require_visible(article, actor)
        _check_mover(article, name, actor)
        if name == "approve" and article.publish_at and article.publish_at > timezone.now():
            name = "schedule"
        article._review_comment = comment
        old, new = ARTICLE_WORKFLOW.apply(article, name)
        _stamp(article, new, comment)
        _save(article)
        record(article, f"article.{name}", actor=actor, body=comment.strip())
        if new == ArticleState.PUBLISHED:
            _new_version(article, actor=actor, note=comment.strip() or "Published")
        refresh_search_vector(article)
        _notify_move(article, name, actor=actor, comment=comment)
    return article


def restore_version(
    article: Article, version_number: int, *, actor: User, expected_version: int | None = None
) -> Article:
    """Bring back the text of an old version; this is itself a new version (history is kept)."""
    require_curator(actor, "restore versions")
    with transaction.atomic():
        article = lock_for_update(Article.objects.all(), article.pk, expected_version=expected_version)
        old = article.versions.filter(number=version_number).first()
        if old is None:
            raise ValidationError({"version": f"{article.number} has no version {version_number}."})
        article.title, article.summary, article.body = old.title, old.summary, old.body
        article.body_html = markdown.render(article.body)
        _save(article)
        _new_version(article, actor=actor, note=f"Restored from version {version_number}")
        record(article, "article.restored", actor=actor, body=f"Version {version_number}")
        refresh_search_vector(article)
    return article


def publish_due(now: datetime | None = None, *, batch: int = 100) -> int:
    """Publish scheduled articles whose time has come (beat); returns how many."""
    now = now or timezone.now()
    due = list(
        Article.objects.filter(state=ArticleState.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    published = 0
    for pk in due:
        with transaction.atomic():
            article = lock_for_update(Article.objects.all(), pk)
            if article.state != ArticleState.SCHEDULED:
                continue
            ARTICLE_WORKFLOW.apply(article, "publish")
            _stamp(article, ArticleState.PUBLISHED, "")
            _save(article)
            record(article, "article.publish", actor=None, body="Scheduled publication")
            _new_version(article, actor=None, note="Scheduled publication")
            refresh_search_vector(article)
            published += 1
    return published


def _check_mover(article: Article, name: str, actor: User) -> None:
    if name in REVIEWER_MOVES:
        require_curator(actor, "review, publish or retire articles")
        if name in ("approve", "schedule") and article.owner_id == actor.pk and not actor.is_superuser:
            raise PermissionDenied("Someone other than the owner must approve an article (four eyes).")
    else:
        require_staff(actor, "send articles for review")
        if not may_edit(article, actor) and article.owner_id != actor.pk:
            raise PermissionDenied("You cannot send this article for review.")


def _stamp(article: Article, new_state: str, comment: str) -> None:
    now = timezone.now()
    if new_state == ArticleState.IN_REVIEW:
        article.submitted_at = now
    elif new_state == ArticleState.PUBLISHED:
        article.published_at = now
        article.retired_at = None
        article.review_comment = ""
    elif new_state == ArticleState.RETIRED:
        article.retired_at = now
    elif new_state == ArticleState.DRAFT and comment.strip():
        article.review_comment = comment.strip()


def _notify_move(article: Article, name: str, *, actor: User, comment: str) -> None:
    """The owner hears about reviews; knowledge managers about new submissions."""
    url = article.get_absolute_url()
    if name == "send_back" and article.owner_id != actor.pk:
        notify_user(
            article.owner, title=f"{article.number} was sent back: {article.title}", body=comment, url=url
        )
    elif name in ("approve", "schedule") and article.owner_id != actor.pk:
        verb = "published" if name == "approve" else "approved for publication"
        notify_user(article.owner, title=f"{article.number} was {verb}: {article.title}", url=url)
    elif name == "submit":
        for reviewer in _reviewers(exclude=actor):
            notify_user(
                reviewer,
                title=f"Review {article.number}: {article.title}",
                url=url,
                dedupe_key=f"kb-review:{article.pk}:{article.version}:{reviewer.pk}",
            )


def _reviewers(*, exclude: User) -> list[User]:
    return list(
        User.objects.filter(groups__name="knowledge_manager", is_active=True)
        .exclude(pk=exclude.pk)
        .distinct()
    )


def _new_version(article: Article, *, actor: User | None, note: str) -> ArticleVersion:
    article.current_version += 1
    Article.objects.filter(pk=article.pk).update(current_version=article.current_version)
    return ArticleVersion.objects.create(
        article=article,
        number=article.current_version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        author=actor,
        note=note[:250],
    )


def _save(article: Article) -> None:
    article.version += 1
    article.save()


def _content(article: Article) -> dict[str, Any]:
    return {name: getattr(article, name) for name in TEXT_FIELDS}


def _validate(article: Article) -> None:
    errors = {}
    if not article.title:
        errors["title"] = "Give the article a title."
    if article.category_id and article.category.base_id != article.base_id:
        errors["category"] = "Choose a category of the article's knowledge base."
    try:
        article.clean_fields(exclude=["number", "owner", "body_html", "search_vector"])
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)


def _set_relations(article: Article, relations: dict[str, Iterable[Any]]) -> None:
    for name, values in relations.items():
        if values is None:
            continue
        if name == "tags":
            values = [_tag(value) for value in values if str(value).strip()]
        getattr(article, name).set(ids(values) if name != "tags" else values)
    if article.audience == Audience.TEAMS and not article.teams.exists():
        raise ValidationError({"teams": "Choose the teams that may read this article."})


def _tag(value: Any) -> Tag:
    if isinstance(value, Tag):
        return value
    return Tag.objects.get_or_create(name=str(value).strip().lower()[:50])[0]
