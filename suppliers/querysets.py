"""Who may see suppliers and contracts: staff only; values are a separate, narrower question."""

from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q

from itsm.core.roles import is_staff_member, sees_everything


def sees_contract_values(user: User | AnonymousUser) -> bool:
    """Contract values are commercial data: managers and administrators only (pages and API)."""
    return sees_everything(user)


class SupplierQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "SupplierQuerySet":
        """Agents and above see every supplier; requesters see none."""
        return self if is_staff_member(user) else self.none()


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "ContractQuerySet":
        """Agents and above see every contract (values are hidden separately)."""
        return self if is_staff_member(user) else self.none()

    def in_force(self, at: date) -> "ContractQuerySet":
        """Contracts whose term includes `at` (an open end date never expires)."""
        return self.filter(Q(start_date__lte=at), Q(end_date__isnull=True) | Q(end_date__gte=at))
