"""Knowledge API shapes. State and counters are read-only: moves are POST actions."""

from rest_framework import serializers

from itsm.cmdb.models import Service
from itsm.core.models import Team
from knowledge.choices import Audience, Language
from knowledge.models import Article, ArticleVersion, Category, KnowledgeBase


class KnowledgeBaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = KnowledgeBase
        fields = ["id", "name", "slug", "description", "is_internal"]


class KnowledgeCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "base", "name", "slug", "description"]


class KnowledgeArticleSerializer(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    owner = serializers.CharField(source="owner.username", read_only=True)
    helpful_ratio = serializers.FloatField(read_only=True, allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "number",
            "title",
            "summary",
            "body",
            "body_html",
            "base",
            "category",
            "tags",
            "services",
            "configuration_items",
            "audience",
            "teams",
            "language",
            "state",
            "owner",
            "created_at",
            "updated_at",
            "published_at",
            "retired_at",
            "publish_at",
            "review_by",
            "review_comment",
            "current_version",
            "view_count",
            "helpful_count",
            "not_helpful_count",
            "helpful_ratio",
            "source_number",
            "version",
            "url",
        ]
        read_only_fields = fields


class KnowledgeArticleWriteSerializer(serializers.Serializer):
    """What a writer sends to create or change an article (partial on PATCH)."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    base = serializers.PrimaryKeyRelatedField(queryset=KnowledgeBase.objects.filter(is_active=True))
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    teams = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False)
    services = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=30)
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    review_by = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=250, required=False, allow_blank=True, write_only=True)


class KnowledgeMoveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class KnowledgeVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)

    class Meta:
        model = ArticleVersion
        fields = ["number", "title", "summary", "body", "author", "note", "created_at"]
        read_only_fields = fields


class KnowledgeRestoreSerializer(serializers.Serializer):
    restore_version = serializers.IntegerField(min_value=1, max_value=1_000_000)


class KnowledgeFeedbackSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class KnowledgeFlagSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class KnowledgeDeflectionSerializer(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, max_length=250, default="")


class KnowledgeSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200)
    base = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    category = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    service = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)


class KnowledgeSearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article.pk")
    number = serializers.CharField(source="article.number")
    title = serializers.CharField(source="article.title")
    summary = serializers.CharField(source="article.summary")
    base = serializers.IntegerField(source="article.base_id")
    category = serializers.IntegerField(source="article.category_id", allow_null=True)
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML: escaped text with <mark> around matches.")
    by_similarity = serializers.BooleanField(help_text="Found by a similar title (typo tolerance).")
