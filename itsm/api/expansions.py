"""The platform's related objects that `?expand=` can inline: people, teams, services and CIs.

Practices may register their own in their `api/routes.py` with `register_expansion`.
"""

from django.contrib.auth import get_user_model

from itsm.api.serializers import register_expansion
from itsm.cmdb.api.serializers import ConfigurationItemSerializer, ServiceSerializer
from itsm.cmdb.api.views import ConfigurationItemViewSet, ServiceViewSet
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.api.serializers import DirectoryUserSerializer, TeamSerializer
from itsm.core.models import Team

User = get_user_model()

register_expansion(
    User,
    DirectoryUserSerializer,
    queryset=lambda user: User.objects.select_related("profile__organisation").prefetch_related("teams"),
)
register_expansion(
    Team,
    TeamSerializer,
    queryset=lambda user: Team.objects.select_related("lead").prefetch_related("members"),
)
# The list endpoints' querysets: their prefetches keep an expanded page at a fixed query count.
register_expansion(
    Service, ServiceSerializer, queryset=lambda user: ServiceViewSet.queryset.all().visible_to(user)
)
register_expansion(
    ConfigurationItem,
    ConfigurationItemSerializer,
    queryset=lambda user: ConfigurationItemViewSet.queryset.all().visible_to(user),
)
