"""Signs of life from the background processes, shown to admins and checked by tests."""

from django.db import models


class SystemHeartbeat(models.Model):
    """The last time a process of each kind (worker via beat) reported in."""

    name = models.CharField(max_length=50, unique=True)
    seen_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
