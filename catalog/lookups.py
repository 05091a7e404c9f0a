"""Which people and configuration items a form's lookup variables may name.

One `LookupScope` answers both the type-ahead endpoint (what to suggest) and the forms engine
(what to accept), so a value the picker would never offer is refused on submission too,
whatever a hand-made post or an API call sends.

- People: any active account (ordering access "like a colleague's" or a laptop for a new
  starter needs the whole directory, as in every ITSM portal).
- Configuration items: never retired ones. Agents pick from the whole CMDB. End users do not
  browse infrastructure (`ConfigurationItem.objects.visible_to`), so they pick only among the
  components of the item's own service — what the catalog item is explicitly about.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from itsm.cmdb.choices import CIStatus
from itsm.cmdb.models import ConfigurationItem
from itsm.core import roles

SUGGESTIONS = 20
TYPED_MAX = 100


@dataclass(frozen=True)
class LookupScope:
    """The pickable rows for one person ordering one item (`actor` None: no per-person limit,
    for checks made outside an order)."""

    actor: User | None = None
    service_id: int | None = None

    def people(self) -> QuerySet:
        return get_user_model().objects.filter(is_active=True)

    def cis(self) -> QuerySet:
        items = ConfigurationItem.objects.exclude(status=CIStatus.RETIRED)
        if self.actor is None or roles.is_staff_member(self.actor):
            return items
        if self.service_id is None:
            return items.none()
        return items.filter(services__pk=self.service_id)

    def search(self, kind: str, typed: str) -> list[dict]:
        """Up to SUGGESTIONS matches for the typed text, as `{id, label, detail}`, best first."""
        typed = " ".join(typed.split())[:TYPED_MAX]
        if not typed:
            return []
        if kind == "user":
            return [person_option(p) for p in self._people_matching(typed)[:SUGGESTIONS]]
        found = self.cis().filter(name__icontains=typed).order_by("name").only("pk", "name", "ci_class")
        return [ci_option(ci) for ci in found[:SUGGESTIONS]]

    def _people_matching(self, typed: str) -> QuerySet:
        condition = Q()
        for word in typed.split()[:3]:  # "ann lee" matches Ann Lee
            condition &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(email__icontains=word)
            )
        return self.people().filter(condition).order_by("first_name", "last_name", "username")

    def chosen(self, kind: str, pk: int) -> dict | None:
        """The option for a pickable id, or None."""
        if kind == "user":
            person = self.people().filter(pk=pk).first()
            return person_option(person) if person else None
        ci = self.cis().filter(pk=pk).only("pk", "name", "ci_class").first()
        return ci_option(ci) if ci else None


def scope_for(actor: User, snapshot: dict) -> LookupScope:
    """The scope of `actor` ordering an item version (its frozen snapshot)."""
    return LookupScope(actor=actor, service_id=snapshot.get("service_id"))


def person_option(person: User) -> dict:
    name = person.get_full_name()
    return {
        "id": person.pk,
        "label": name or person.get_username(),
        "detail": person.get_username() if name else "",
    }


def ci_option(ci: ConfigurationItem) -> dict:
    return {"id": ci.pk, "label": ci.name, "detail": ci.get_ci_class_display()}
