"""The article FilterSet, used by the API list (the workspace list uses the search form)."""

import django_filters

from knowledge.choices import ArticleState, Audience, Language
from knowledge.models import Article, Category


class ArticleFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ArticleState.choices)
    audience = django_filters.ChoiceFilter(choices=Audience.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices)
    tag = django_filters.CharFilter(field_name="tags__name", lookup_expr="iexact", distinct=True)
    service = django_filters.NumberFilter(field_name="services__id", distinct=True)
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Article
        fields = ["state", "base", "category", "audience", "language", "owner"]


class CategoryFilterSet(django_filters.FilterSet):
    class Meta:
        model = Category
        fields = ["base"]
