"""Admin for configuration (bases, categories, tags). Articles are written on the knowledge
pages, through the services; the admin shows them read-only."""

from django.contrib import admin

from knowledge.models import Article, Category, KnowledgeBase, Tag


class CategoryInline(admin.TabularInline):
    model = Category
    prepopulated_fields = {"slug": ("name",)}
    extra = 0


@admin.register(KnowledgeBase)
class KnowledgeBaseAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_internal", "is_active", "order")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CategoryInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "base", "state", "audience", "owner", "updated_at")
    list_filter = ("state", "audience", "base", "language")
    search_fields = ("number", "title")
    list_select_related = ("base", "owner")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
