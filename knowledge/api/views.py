"""`/api/v1/knowledge/bases/`, `/categories/`, `/articles/` (versions, feedback, moves) and
`/articles/search/` — the same search service and ranking as the pages.

Every write goes through `knowledge.services`, which check roles, workflow and versions.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.concurrency import etag_for, expected_version
from itsm.api.viewsets import ReadOnlyVisibleViewSet, VisibleViewSetMixin
from itsm.core.roles import STAFF_ROLES
from knowledge import services
from knowledge.api import serializers as s
from knowledge.filtersets import ArticleFilterSet, CategoryFilterSet
from knowledge.models import Article, Category, KnowledgeBase


class KnowledgeBaseViewSet(ReadOnlyVisibleViewSet):
    queryset = KnowledgeBase.objects.all()
    serializer_class = s.KnowledgeBaseSerializer
    ordering = "id"


class KnowledgeCategoryViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Category.objects.select_related("base")
    serializer_class = s.KnowledgeCategorySerializer
    filterset_class = CategoryFilterSet
    ordering = "id"

    def get_queryset(self):
        bases = KnowledgeBase.objects.visible_to(self.request.user)
        return Category.objects.filter(base__in=bases).select_related("base")


class KnowledgeArticleViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Articles the caller may read. Writers (agents) create and edit; moves are POST actions."""

    queryset = Article.objects.select_related("owner").prefetch_related(
        "tags", "services", "configuration_items", "teams"
    )
    serializer_class = s.KnowledgeArticleSerializer
    filterset_class = ArticleFilterSet
    ordering = "-id"
    write_roles = STAFF_ROLES
    #: Readers may give feedback, flag and mark an article as the solution; the services check the rest.
    open_write_actions = ("feedback", "flag", "solved")
    extra_query_params = ("q", "base", "category", "service", "language", "limit")

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(request=s.KnowledgeArticleWriteSerializer, responses={201: s.KnowledgeArticleSerializer})
    def create(self, request):
        data = self._valid(s.KnowledgeArticleWriteSerializer)
        data.pop("note", None)
        article = services.create_article(actor=request.user, **data)
        return self._respond(article, status.HTTP_201_CREATED)

    @extend_schema(request=s.KnowledgeArticleWriteSerializer, responses=s.KnowledgeArticleSerializer)
    def partial_update(self, request, pk=None):
        data = self._valid(s.KnowledgeArticleWriteSerializer, partial=True)
        note = data.pop("note", "")
        article = services.update_article(
            self.get_object(),
            actor=request.user,
            changes=data,
            expected_version=expected_version(request),
            note=note,
        )
        return self._respond(article)

    @extend_schema(
        parameters=[s.KnowledgeSearchQuerySerializer],
        responses=s.KnowledgeSearchHitSerializer(many=True),
        description="Ranked search over published articles the caller may read (same service as the pages).",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def search(self, request):
        params = s.KnowledgeSearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = services.Filters(
            base=data.get("base"),
            category=data.get("category"),
            service=data.get("service"),
            language=data.get("language"),
        )
        hits = services.search_articles(request.user, data["q"], filters=filters, limit=data["limit"])
        return Response(s.KnowledgeSearchHitSerializer(hits, many=True).data)

    @extend_schema(request=None, responses=s.KnowledgeVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        rows = self.get_object().versions.select_related("author")
        return Response(s.KnowledgeVersionSerializer(rows, many=True).data)

    @extend_schema(request=s.KnowledgeRestoreSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        number = self._valid(s.KnowledgeRestoreSerializer)["restore_version"]
        article = services.restore_version(
            self.get_object(), number, actor=request.user, expected_version=expected_version(request)
        )
        return self._respond(article)

    @extend_schema(request=s.KnowledgeFeedbackSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        data = self._valid(s.KnowledgeFeedbackSerializer)
        services.give_feedback(self.get_object(), actor=request.user, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.KnowledgeFlagSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def flag(self, request, pk=None):
        services.flag_outdated(
            self.get_object(), actor=request.user, **self._valid(s.KnowledgeFlagSerializer)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.KnowledgeDeflectionSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def solved(self, request, pk=None):
        services.record_deflection(
            self.get_object(), actor=request.user, **self._valid(s.KnowledgeDeflectionSerializer)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        return self._move("submit")

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="approve")
    def approve(self, request, pk=None):
        return self._move("approve")

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._move("send_back")

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="publish")
    def publish(self, request, pk=None):
        return self._move("publish")

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="unschedule")
    def unschedule(self, request, pk=None):
        return self._move("unschedule")

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="retire")
    def retire(self, request, pk=None):
        return self._move("retire")

    @extend_schema(request=s.KnowledgeMoveSerializer, responses=s.KnowledgeArticleSerializer)
    @action(detail=True, methods=["post"], url_path="reopen")
    def reopen(self, request, pk=None):
        return self._move("reopen")

    def _valid(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _move(self, name: str) -> Response:
        comment = self._valid(s.KnowledgeMoveSerializer)["comment"]
        article = services.move_article(
            self.get_object(),
            name,
            actor=self.request.user,
            comment=comment,
            expected_version=expected_version(self.request),
        )
        return self._respond(article)

    def _respond(self, article: Article, code: int = status.HTTP_200_OK) -> Response:
        article = self.get_queryset().get(pk=article.pk)
        response = Response(s.KnowledgeArticleSerializer(article).data, status=code)
        response["ETag"] = etag_for(article)
        return response
