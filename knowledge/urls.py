"""Knowledge pages, mounted at /knowledge/ (namespace "knowledge")."""

from django.urls import path

from knowledge.views import engagement, portal, record, review, workspace

app_name = "knowledge"
urlpatterns = [
    # agents
    path("", workspace.home, name="workspace"),
    path("new/", workspace.create, name="create"),
    path("from-task/<int:task_pk>/", workspace.from_task, name="from-task"),
    path("from-known-error/<int:task_pk>/", workspace.from_known_error, name="from-known-error"),
    path("articles/<int:pk>/", record.detail, name="article"),
    path("articles/<int:pk>/edit/", workspace.edit, name="edit"),
    path("articles/<int:pk>/moves/<slug:name>/", record.move, name="move"),
    path("articles/<int:pk>/versions/<int:number>/", record.version, name="version"),
    path("articles/<int:pk>/versions/<int:number>/restore/", record.restore, name="restore"),
    path("articles/<int:pk>/compare/", record.compare, name="compare"),
    path("articles/<int:pk>/files/", record.upload, name="upload"),
    path("articles/<int:pk>/files/<int:attachment_pk>/", record.attachment, name="attachment"),
    path("review/", review.queue, name="review"),
    path("review/tasks/<int:pk>/close/", review.close_task, name="close-task"),
    path("quality/", review.quality, name="quality"),
    # everyone signed in
    path("articles/<int:pk>/feedback/", engagement.feedback, name="feedback"),
    path("articles/<int:pk>/flag/", engagement.flag, name="flag"),
    path("articles/<int:pk>/solved/", engagement.deflect, name="deflect"),
    path("suggest/", engagement.suggest, name="suggest"),
    path("for-task/<int:task_pk>/", engagement.for_task, name="for-task"),
    path("for-task/<int:task_pk>/use/<int:pk>/", engagement.use_on_task, name="use-on-task"),
    # portal
    path("help/", portal.search, name="search"),
    path("help/articles/<int:pk>/", portal.article, name="portal-article"),
    path("help/bases/<slug:slug>/", portal.browse, name="browse"),
    path("help/bases/<slug:slug>/<slug:category>/", portal.browse, name="browse-category"),
]
