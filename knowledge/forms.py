"""The article editor and the small forms around articles."""

from django import forms

from itsm.cmdb.models import Service
from itsm.core.models import Team
from knowledge.choices import Audience
from knowledge.models import Article, Category, KnowledgeBase


class ArticleForm(forms.ModelForm):
    """Text and settings of an article; the services decide whether the edit is allowed."""

    tags_text = forms.CharField(
        label="Tags", required=False, max_length=500, help_text="Comma-separated, e.g. vpn, remote work"
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "summary",
            "body",
            "base",
            "category",
            "audience",
            "teams",
            "language",
            "services",
            "publish_at",
            "review_by",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18, "class": "mono"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "review_by": forms.DateInput(attrs={"type": "date"}),
            "teams": forms.CheckboxSelectMultiple,
            "services": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "body": "Markdown: # headings, lists, **bold**, `code`, tables, [links](https://…), ![images](…)."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = KnowledgeBase.objects.filter(is_active=True)
        self.fields["category"].queryset = Category.objects.select_related("base")
        self.fields["teams"].queryset = Team.objects.filter(is_active=True)
        if not self.fields["teams"].queryset.exists():
            # an empty checkbox list under a label looks broken; say why there is nothing to tick
            self.fields["teams"].help_text = "No teams exist yet (admin → Teams)."
        self.fields["services"].queryset = Service.objects.order_by("name")
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(self.instance.tags.values_list("name", flat=True))

    def clean(self):
        data = super().clean()
        if data.get("audience") == Audience.TEAMS and not data.get("teams"):
            self.add_error("teams", "Choose the teams that may read this article.")
        return data

    def service_arguments(self) -> dict:
        """What `create_article` / `update_article` take, from the cleaned data."""
        data = dict(self.cleaned_data)
        data["tags"] = [tag.strip() for tag in data.pop("tags_text", "").split(",") if tag.strip()]
        data["teams"] = list(data.get("teams") or [])
        data["services"] = list(data.get("services") or [])
        return data


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    base = forms.ModelChoiceField(queryset=KnowledgeBase.objects.none(), required=False)
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False)
    service = forms.ModelChoiceField(queryset=Service.objects.none(), required=False)
    language = forms.ChoiceField(
        required=False, choices=[("", "Any language"), *Article._meta.get_field("language").choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = KnowledgeBase.objects.visible_to(user)
        self.fields["category"].queryset = Category.objects.filter(
            base__in=KnowledgeBase.objects.visible_to(user)
        )
        self.fields["service"].queryset = Service.objects.order_by("name")
