"""Change pages, mounted at /changes/ (namespace "change": `Task.get_absolute_url()` reverses
`change:detail` for every change)."""

from django.urls import path

from changes.views import calendar, collisions, pickers, record, workspace

app_name = "change"
urlpatterns = [
    path("", workspace.queue, name="workspace"),
    path("queues/<slug:slug>/", workspace.queue, name="queue"),
    path("new/", workspace.create, name="create"),
    path("new/from-template/", workspace.create_from_template, name="create-from-template"),
    path("cab/", workspace.cab_agenda, name="cab-agenda"),
    # the schedule: calendar pages, JSON, the per-person iCalendar feed, the collision panel
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
    path("assignees/", pickers.assignees, name="assignees"),
    path("calendar.json", calendar.calendar_json, name="calendar-json"),
    path("calendar/feed/<str:token>/changes.ics", calendar.calendar_feed, name="calendar-feed"),
    path("<int:pk>/collisions/", collisions.collisions, name="collisions"),
    path("<int:pk>/", record.detail, name="detail"),
    path("<int:pk>/edit/", record.edit, name="edit"),
    path("<int:pk>/moves/<slug:name>/", record.move, name="move"),
    path("<int:pk>/risk/", record.risk, name="risk"),
    path("<int:pk>/cab-date/", workspace.plan_cab, name="cab-date"),
    path("<int:pk>/tasks/", record.add_task, name="add-task"),
    path("<int:pk>/tasks/<int:task_pk>/<slug:name>/", record.move_task, name="move-task"),
    path("<int:pk>/review/", record.review, name="review"),
    path("<int:pk>/review/actions/<int:action_pk>/done/", record.complete_action, name="action-done"),
    path("<int:pk>/links/<slug:kind>/", record.link, name="link"),
]
