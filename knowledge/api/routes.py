"""Registers the knowledge endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from knowledge.api.views import KnowledgeArticleViewSet, KnowledgeBaseViewSet, KnowledgeCategoryViewSet


def register(router: DefaultRouter) -> None:
    router.register("knowledge/bases", KnowledgeBaseViewSet, basename="knowledge-base")
    router.register("knowledge/categories", KnowledgeCategoryViewSet, basename="knowledge-category")
    router.register("knowledge/articles", KnowledgeArticleViewSet, basename="knowledge-article")
