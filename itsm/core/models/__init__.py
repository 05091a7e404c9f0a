"""Models of the platform core; import them from here."""

from itsm.core.models.activity import Attachment, TaskLink, TimelineEntry
from itsm.core.models.numbering import NumberCounter
from itsm.core.models.people import Organisation, Profile, Team
from itsm.core.models.saved_views import SavedView
from itsm.core.models.system import SystemHeartbeat
from itsm.core.models.task import Task

__all__ = [
    "Attachment",
    "NumberCounter",
    "Organisation",
    "Profile",
    "SavedView",
    "SystemHeartbeat",
    "Task",
    "TaskLink",
    "Team",
    "TimelineEntry",
]
