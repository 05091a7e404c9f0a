"""Knowledge records beside articles, read-only over the API (they change through the article
actions and the admin). Rows about an article are shown only for articles you may see."""

from itsm.api.viewsets import configuration_viewset
from itsm.core.roles import Role
from knowledge.models import ArticleAttachment, ArticleEvent, Deflection, Feedback, ReviewTask, Tag

#: Who reads readers' feedback, deflections and reviews: the people who curate knowledge.
CURATORS = frozenset({Role.KNOWLEDGE_MANAGER, Role.MANAGER, Role.ADMIN})

TagViewSet = configuration_viewset(
    Tag.objects.all(),
    name="KnowledgeTag",
    doc="Article tags (filter articles with `?tag=`).",
    read_roles=None,
    ordering="name",
    ordering_fields=("name", "id"),
)
EventViewSet = configuration_viewset(
    ArticleEvent.objects.all(),
    name="KnowledgeArticleEvent",
    doc="An article's history (submitted, approved, published…), for staff.",
    visible_through="article",
    filterset_fields=("article", "action"),
    ordering="-id",
    ordering_fields=("id", "created_at"),
)
AttachmentViewSet = configuration_viewset(
    ArticleAttachment.objects.all(),
    name="KnowledgeArticleAttachment",
    doc="Files attached to the articles you may see.",
    exclude=["file"],
    read_roles=None,
    visible_through="article",
    filterset_fields=("article",),
)
FeedbackViewSet = configuration_viewset(
    Feedback.objects.all(),
    name="KnowledgeFeedback",
    doc="Readers' helpful / not helpful votes and comments (knowledge managers, managers, admins).",
    read_roles=CURATORS,
    visible_through="article",
    filterset_fields=("article", "helpful"),
    ordering="-id",
    ordering_fields=("id", "updated_at"),
)
ReviewTaskViewSet = configuration_viewset(
    ReviewTask.objects.all(),
    name="KnowledgeReviewTask",
    doc="Article reviews raised by flags and expiry, for staff.",
    visible_through="article",
    filterset_fields=("article", "state", "assignee"),
    ordering="-id",
    ordering_fields=("id", "created_at"),
)
DeflectionViewSet = configuration_viewset(
    Deflection.objects.all(),
    name="KnowledgeDeflection",
    doc="Searches an article solved without a ticket (knowledge managers, managers, admins).",
    read_roles=CURATORS,
    visible_through="article",
    filterset_fields=("article",),
    ordering="-id",
    ordering_fields=("id", "created_at"),
)
