"""Business filters for windows."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import models
from django.db.models import Exists, OuterRef, Q

#: Local dates can differ from UTC dates by up to 14 hours, and one occurrence lasts at most
#: a week: a window whose dates are further than this from a range cannot touch it.
DATE_SLACK = timedelta(days=8)


class WindowQuerySet(models.QuerySet):
    def active(self) -> "WindowQuerySet":
        return self.filter(is_active=True)

    def of_kind(self, kind: str | None) -> "WindowQuerySet":
        return self if kind is None else self.filter(kind=kind)

    def touching_dates(self, first: date, last: date) -> "WindowQuerySet":
        """Windows whose dates could produce an occurrence overlapping [first, last] (UTC dates)."""
        return self.filter(starts_on__lte=last + timedelta(days=1)).filter(
            Q(until__isnull=True) | Q(until__gte=first - DATE_SLACK)
        )

    def scoped_to(self, service_ids: Iterable[int], ci_ids: Iterable[int]) -> "WindowQuerySet":
        """Windows for everything, or for one of these services or CIs (EXISTS: no duplicates)."""
        through_services = self.model.services.through.objects.filter(
            maintenancewindow_id=OuterRef("pk"), service_id__in=list(service_ids)
        )
        through_cis = self.model.configuration_items.through.objects.filter(
            maintenancewindow_id=OuterRef("pk"), configurationitem_id__in=list(ci_ids)
        )
        return self.filter(Q(applies_to_all=True) | Exists(through_services) | Exists(through_cis))
