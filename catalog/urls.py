"""Catalog pages, mounted at /catalog/. No namespace of its own: it holds one namespace per
record kind ("request", "request_item", "fulfilment_task"), because `Task.get_absolute_url()`
reverses `<kind>:detail`, and "catalog" for browsing and ordering."""

from django.urls import include, path

from catalog.views import lookups, portal, workspace

catalog_patterns = [
    path("", portal.home, name="home"),
    path("categories/<slug:slug>/", portal.category, name="category"),
    path("items/<slug:slug>/", portal.item, name="item"),
    path("items/<slug:slug>/lookups/<slug:variable>/", lookups.lookup, name="lookup"),
    path("cart/", portal.cart, name="cart"),
    path("cart/<int:index>/remove/", portal.cart_remove, name="cart-remove"),
    path("my-requests/", portal.my_requests, name="my-requests"),
    path("tasks/", workspace.task_queue, name="tasks"),
    path("tasks/queues/<slug:slug>/", workspace.task_queue, name="task-queue"),
]

request_patterns = [
    path("<int:pk>/", portal.request_detail, name="detail"),
    path("<int:pk>/reply/", portal.request_reply, name="reply"),
    path("<int:pk>/cancel/", portal.request_cancel, name="cancel"),
]

item_patterns = [path("<int:pk>/", portal.request_item_detail, name="detail")]

task_patterns = [
    path("<int:pk>/", workspace.task_detail, name="detail"),
    path("<int:pk>/moves/<slug:name>/", workspace.task_move, name="move"),
    path("<int:pk>/assign-to-me/", workspace.task_assign_me, name="assign-me"),
    path("<int:pk>/notes/", workspace.task_note, name="note"),
]

urlpatterns = [
    path("", include((catalog_patterns, "catalog"))),
    path("requests/", include((request_patterns, "request"))),
    path("items-requested/", include((item_patterns, "request_item"))),
    path("fulfilment-tasks/", include((task_patterns, "fulfilment_task"))),
]
