"""The API router: one of the two composition roots allowed to import practice apps."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from catalog.api.routes import register as register_catalog
from changes.api.routes import register as register_changes
from improvements.api.routes import register as register_improvements
from incidents.api.routes import register as register_incidents
from itsm.api.inbox import NotificationViewSet
from itsm.approvals.api import configuration as approval_config
from itsm.approvals.api.routes import register as register_approvals
from itsm.cmdb.api.routes import register as register_cmdb
from itsm.core.api import configuration as core_config
from itsm.core.api.views import TaskViewSet, TeamViewSet, UserDirectoryViewSet
from itsm.mail.api.views import InboundMessageViewSet, MailboxViewSet, MailPreferenceViewSet
from itsm.maintenance.api.views import MaintenanceWindowViewSet
from itsm.notifications.api.routes import register as register_webhooks
from itsm.sla.api.configuration import SLAEventViewSet
from itsm.sla.api.routes import register as register_sla
from knowledge.api.routes import register as register_knowledge
from problems.api.routes import register as register_problems
from suppliers.api.routes import register as register_suppliers

router = DefaultRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("teams", TeamViewSet, basename="team")
router.register("users", UserDirectoryViewSet, basename="user")
router.register("organisations", core_config.OrganisationViewSet, basename="organisation")
router.register("saved-views", core_config.SavedViewViewSet, basename="saved-view")
router.register("maintenance-windows", MaintenanceWindowViewSet, basename="maintenance-window")
router.register("mailboxes", MailboxViewSet, basename="mailbox")
router.register("inbound-messages", InboundMessageViewSet, basename="inbound-message")
router.register("mail-preferences", MailPreferenceViewSet, basename="mail-preference")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("sla-events", SLAEventViewSet, basename="sla-event")
router.register("approval-plans", approval_config.ApprovalPlanViewSet, basename="approval-plan")
router.register("approval-stages", approval_config.ApprovalStageViewSet, basename="approval-stage")
register_cmdb(router)
register_sla(router)
register_approvals(router)
register_incidents(router)
register_problems(router)
register_suppliers(router)
register_catalog(router)
register_changes(router)
register_knowledge(router)
register_improvements(router)
register_webhooks(router)

app_name = "api"
urlpatterns = [path("", include(router.urls))]
