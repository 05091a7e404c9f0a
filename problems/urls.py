"""Problem pages, mounted at /problems/ (namespace "problem": `Task.get_absolute_url()` reverses
`problem:detail` for every problem)."""

from django.urls import path

from problems.views import incident_side, record, workspace

app_name = "problem"
urlpatterns = [
    path("", workspace.queue, name="workspace"),
    path("queues/<slug:slug>/", workspace.queue, name="queue"),
    path("new/", workspace.create, name="create"),
    path("candidates/", workspace.candidates, name="candidates"),
    path("candidates/<int:pk>/<slug:decision>/", workspace.decide, name="decide"),
    path("<int:pk>/", record.detail, name="detail"),
    path("<int:pk>/moves/<slug:name>/", record.move, name="move"),
    path("<int:pk>/rca/", record.rca, name="rca"),
    path("<int:pk>/workaround/", record.workaround, name="workaround"),
    path("<int:pk>/incidents/", record.link_incidents, name="link-incidents"),
    path("<int:pk>/incidents/<int:incident_pk>/unlink/", record.unlink_incident, name="unlink-incident"),
    path("<int:pk>/incidents/resolve/", record.resolve_incidents, name="resolve-incidents"),
    path("<int:pk>/fix-change/", record.fix_change, name="fix-change"),
    path("<int:pk>/tasks/", record.add_task, name="add-task"),
    path("<int:pk>/tasks/<int:task_pk>/<slug:name>/", record.move_task, name="move-task"),
    path("known-errors/incident/<int:incident_pk>/", incident_side.suggestions, name="suggestions"),
    path(
        "known-errors/incident/<int:incident_pk>/link/",
        incident_side.link_from_incident,
        name="link-from-incident",
    ),
    path("bulk-link/", incident_side.bulk_link, name="bulk-link"),
]
