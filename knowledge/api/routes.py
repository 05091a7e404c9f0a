"""Registers the knowledge endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from knowledge.api import configuration as config
from knowledge.api.views import KnowledgeArticleViewSet, KnowledgeBaseViewSet, KnowledgeCategoryViewSet


def register(router: DefaultRouter) -> None:
    router.register("knowledge/bases", KnowledgeBaseViewSet, basename="knowledge-base")
    router.register("knowledge/categories", KnowledgeCategoryViewSet, basename="knowledge-category")
    router.register("knowledge/articles", KnowledgeArticleViewSet, basename="knowledge-article")
    router.register("knowledge/tags", config.TagViewSet, basename="knowledge-tag")
    router.register("knowledge/events", config.EventViewSet, basename="knowledge-event")
    router.register("knowledge/attachments", config.AttachmentViewSet, basename="knowledge-attachment")
    router.register("knowledge/feedback", config.FeedbackViewSet, basename="knowledge-feedback")
    router.register("knowledge/reviews", config.ReviewTaskViewSet, basename="knowledge-review")
    router.register("knowledge/deflections", config.DeflectionViewSet, basename="knowledge-deflection")
