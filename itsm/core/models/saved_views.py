"""Saved personal views: a named list page with its filters and sort, per person."""

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A bookmark of a list page (`path`) with its query string, shown in that list's sidebar.

    Path-based, so every practice's lists can offer it without a model of their own.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    path = models.CharField(max_length=200, help_text="The list page, e.g. /incidents/queues/open/.")
    query = models.CharField(max_length=1000, blank=True, help_text="Filters and sort, without paging.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
