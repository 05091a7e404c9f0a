"""Knowledge bases, categories, articles with their versions, feedback and review tasks."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse

from knowledge.choices import ArticleState, Audience, Language, ReviewTaskReason, ReviewTaskState
from knowledge.querysets import ArticleQuerySet, BaseQuerySet


class KnowledgeBase(models.Model):
    """A collection of articles with one purpose, e.g. "IT internal" or "End-user help".

    An internal base is listed only to staff; each article still carries its own audience.
    """

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False, help_text="Listed to agents only.")
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = BaseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A shelf in a base ("Network and VPN", "Accounts and passwords")."""

    base = models.ForeignKey(KnowledgeBase, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["base__order", "order", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["base", "slug"], name="kb_category_slug_unique")]

    def __str__(self) -> str:
        return f"{self.base.name} › {self.name}"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A knowledge article. Only `knowledge.services` write it.

    The row holds the current text; `body_html` is its rendered, sanitised form and
    `search_vector` (PostgreSQL) the weighted text of the published content — both kept up
    to date by the services. Every published change is also an `ArticleVersion`.
    """

    number = models.CharField(max_length=20, unique=True, editable=False)
    base = models.ForeignKey(KnowledgeBase, on_delete=models.PROTECT, related_name="articles")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="knowledge_articles")
    configuration_items = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="knowledge_articles"
    )
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    teams = models.ManyToManyField("core.Team", blank=True, related_name="knowledge_articles")
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)

    state = models.CharField(max_length=20, choices=ArticleState.choices, default=ArticleState.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_articles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="Scheduled publication.")
    review_by = models.DateField(null=True, blank=True, help_text="When the owner must check it again.")
    review_reminded_for = models.DateField(null=True, blank=True, editable=False)
    review_comment = models.TextField(blank=True, editable=False, help_text="The last reviewer's comment.")
    source_number = models.CharField(
        max_length=20, blank=True, help_text="The incident or known error it was written from."
    )

    current_version = models.PositiveIntegerField(default=0, editable=False)
    view_count = models.PositiveIntegerField(default=0, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    not_helpful_count = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    #: Title, summary and tags only: the cheap first filter of search (small, never TOASTed).
    head_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["state", "base", "category"], name="kb_article_state_idx"),
            models.Index(fields=["state", "review_by"], name="kb_article_review_idx"),
            models.Index(fields=["state", "publish_at"], name="kb_article_publish_idx"),
            models.Index(fields=["owner", "state"], name="kb_article_owner_idx"),
            # The GIN indexes (search_vector, trigram on title) are created by migration 0002 on
            # PostgreSQL only.
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.pk])

    def get_portal_url(self) -> str:
        return reverse("knowledge:portal-article", args=[self.pk])

    @property
    def helpful_ratio(self) -> float | None:
        total = self.helpful_count + self.not_helpful_count
        return self.helpful_count / total if total else None


class ArticleVersion(models.Model):
    """The content of one published change, kept forever (diffs and restore read these)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="kb_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.article.number} v{self.number}"


class ArticleEvent(models.Model):
    """The article's history: submissions, reviews with their comments, publications, flags."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "created_at"], name="kb_event_article_idx")]

    def __str__(self) -> str:
        return f"{self.action} on {self.article_id}"


class Feedback(models.Model):
    """One reader's verdict on an article (changeable; the latest counts)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="kb_feedback_once")]

    def __str__(self) -> str:
        return f"{'helpful' if self.helpful else 'not helpful'}: {self.article_id}"


class ReviewTask(models.Model):
    """Work for the article's owner: a reader flagged it as outdated, or its review date came."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_tasks")
    reason = models.CharField(max_length=30, choices=ReviewTaskReason.choices)
    state = models.CharField(max_length=10, choices=ReviewTaskState.choices, default=ReviewTaskState.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["assignee", "state"], name="kb_reviewtask_assignee_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.article_id}"


class Deflection(models.Model):
    """A requester said an article solved their problem instead of raising a ticket."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"deflected by {self.article_id}"


class ArticleUse(models.Model):
    """An agent resolved or answered a ticket with this article (counts as reuse)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    task_number = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "task_number"], name="kb_use_once")]

    def __str__(self) -> str:
        return f"{self.article_id} used on {self.task_number}"


def attachment_path(instance: "ArticleAttachment", filename: str) -> str:
    """Stored under a random name, like the core's task attachments."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"knowledge/{instance.article_id}/{uuid.uuid4().hex}{suffix}"


class ArticleAttachment(models.Model):
    """A file or image on an article, checked by the core's upload rules, served by a view
    that checks the article's visibility."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("knowledge:attachment", args=[self.article_id, self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}


class SearchWord(models.Model):
    """A distinct word of published article text, for correcting typos before full-text search.

    A few thousand rows however many articles there are, so a trigram lookup here is cheap
    where one over every title is not. Written by `knowledge.services.indexing` when an
    article is published; when one is retired, its words that no other published article
    uses are removed.
    """

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word
