"""Incident pages, mounted at /incidents/. One namespace, "incident", for the workspace and the
portal: `Task.get_absolute_url()` reverses `incident:detail` for every incident."""

from django.urls import path

from incidents.views import actions, desk, editing, lookups, portal, record, workspace

app_name = "incident"
urlpatterns = [
    # agent workspace
    path("", workspace.queue, name="workspace"),
    path("queues/<slug:slug>/", workspace.queue, name="queue"),
    path("bulk/", workspace.bulk, name="bulk"),
    path("new/", desk.new_incident, name="new"),
    path("lookup/cis/", lookups.ci_options, name="ci-options"),
    path("lookup/callers/", lookups.caller_options, name="caller-options"),
    path("lookup/caller/", lookups.caller_card, name="caller-card"),
    # record page
    path("<int:pk>/", record.detail, name="detail"),
    path("<int:pk>/fields/<slug:field>/", editing.show_field, name="field"),
    path("<int:pk>/fields/<slug:field>/edit/", editing.edit_field, name="edit-field"),
    path("<int:pk>/moves/<slug:name>/", actions.move, name="move"),
    path("<int:pk>/assign-to-me/", actions.assign_to_me, name="assign-me"),
    path("<int:pk>/reply/", actions.reply, name="reply"),
    path("<int:pk>/attachments/", actions.attach, name="attach"),
    path("<int:pk>/watch/", actions.watch, name="watch"),
    path("<int:pk>/links/", actions.link, name="link"),
    path("<int:pk>/links/<int:link_pk>/unlink/", actions.unlink, name="unlink"),
    path("<int:pk>/parent/", actions.set_parent, name="set-parent"),
    path("<int:pk>/major/propose/", actions.propose_major, name="propose-major"),
    path("<int:pk>/major/decide/", actions.decide_major, name="decide-major"),
    path("<int:pk>/presence/", lookups.presence, name="presence"),
    path("<int:pk>/impact/", lookups.impact, name="impact"),
    # self-service portal
    path("report/", portal.report, name="report"),
    path("my/", portal.my_list, name="my-list"),
    path("my/<int:pk>/", portal.portal_detail, name="portal-detail"),
    path("my/<int:pk>/reported/", portal.reported, name="reported"),
    path("my/<int:pk>/reply/", portal.portal_reply, name="portal-reply"),
    path("my/<int:pk>/attachments/", portal.portal_attach, name="portal-attach"),
    path("my/<int:pk>/confirm/", portal.portal_close, name="portal-close"),
    path("my/<int:pk>/reopen/", portal.portal_reopen, name="portal-reopen"),
    path("my/<int:pk>/rate/", portal.portal_rate, name="portal-rate"),
]
