"""The API router: one of the two composition roots allowed to import practice apps."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from catalog.api.routes import register as register_catalog
from changes.api.routes import register as register_changes
from incidents.api.routes import register as register_incidents
from itsm.approvals.api.routes import register as register_approvals
from itsm.cmdb.api.routes import register as register_cmdb
from itsm.core.api.views import TaskViewSet, TeamViewSet, UserDirectoryViewSet
from itsm.sla.api.routes import register as register_sla
from knowledge.api.routes import register as register_knowledge
from problems.api.routes import register as register_problems
from suppliers.api.routes import register as register_suppliers

router = DefaultRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("teams", TeamViewSet, basename="team")
router.register("users", UserDirectoryViewSet, basename="user")
register_cmdb(router)
register_sla(router)
register_approvals(router)
register_incidents(router)
register_problems(router)
register_suppliers(router)
register_catalog(router)
register_changes(router)
register_knowledge(router)

app_name = "api"
urlpatterns = [path("", include(router.urls))]
