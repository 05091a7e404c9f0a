"""The agent workspace and the core's record pages."""

from django.urls import path

from itsm.core.views import attachments, saved_views, system, workspace

app_name = "core"
urlpatterns = [
    path("work/", workspace.my_work, name="workspace"),
    path("work/tasks/<int:pk>/", workspace.task_detail, name="task-detail"),
    path("work/tasks/<int:pk>/comment/", workspace.add_comment, name="task-comment"),
    path("attachments/<int:pk>/", attachments.download, name="attachment-download"),
    path("system/status/", system.status, name="system-status"),
    path("views/save/", saved_views.save, name="saved-view-save"),
    path("views/<int:pk>/delete/", saved_views.delete, name="saved-view-delete"),
]
