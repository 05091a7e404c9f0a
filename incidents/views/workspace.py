"""The agent workspace for incidents: queues with a filter sidebar, sortable columns, bulk actions.

A queue page costs the same handful of queries on the first page and the ten-thousandth:
the session and user, the choice lists of the sidebar, one keyset page, one capped count.
"""

import re

import django_filters
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from incidents import queues
from incidents.filtersets import IncidentFilterSet
from incidents.forms import BulkForm, ChoiceLists
from incidents.models import Incident
from incidents.queues import (
    DEFAULT_QUEUE,
    QUEUES,
    SORTS,
    InvalidCursor,
    KeysetPage,
    capped_count,
    paginate,
    sort_named,
)
from incidents.views import bulk as bulk_actions
from incidents.views.common import safe_next, staff_required
from incidents.workflow import INCIDENT_WORKFLOW
from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.services.saved_views import views_for
from itsm.sla.presentation import nearest_views

#: What an incident number looks like (INC0001001): a search for one opens the record.
NUMBER = re.compile(r"INC\d{4,12}")
#: Where the last bulk action's per-row results wait for the page they return to.
BULK_RESULTS_KEY = "incident_bulk_results"


class QueueFilterSet(IncidentFilterSet):
    """The incident FilterSet as the sidebar shows it.

    Differences from the API's: `state` accepts only the workflow's states (an unknown state
    is a clear error, not an empty list); a configuration item is picked by name (`ci`),
    because there are too many for a drop-down; the multiple-choice filters add no DISTINCT.
    """

    # Plain columns, no joins: DISTINCT (django-filter's default for these) would only force a
    # sort of every matching row on PostgreSQL.
    state = django_filters.MultipleChoiceFilter(choices=INCIDENT_WORKFLOW.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    state_category = django_filters.MultipleChoiceFilter(choices=StateCategory.choices, distinct=False)
    kind = django_filters.MultipleChoiceFilter(choices=TaskKind.choices, distinct=False)
    ci = django_filters.CharFilter(
        field_name="configuration_item__name", lookup_expr="iexact", label="Configuration item"
    )

    def __init__(self, *args, lists: ChoiceLists, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lists = lists

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            _present(form, self.lists)
        return self._form


class TickedOrAny(forms.CheckboxInput):
    """A box for a yes-or-any filter: ticked filters, unticked means no filter (not "only no")."""

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return None if value in (None, "", "false", "0") else True


def _present(form: forms.Form, lists: ChoiceLists) -> None:
    """Widgets for the sidebar, fed from the page's shared choice lists (no query per select)."""
    choice_widgets = {
        "assignment_group": lists.team_choices("Any group"),
        "assignee": lists.person_choices("Anyone"),
        "service": lists.service_choices("Any service"),
        "category": lists.category_choices(sub=False),
    }
    for name, choices in choice_widgets.items():
        form.fields[name].widget = forms.Select(choices=choices)
    for name in ("state", "priority"):
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=form.fields[name].choices)
    form.fields["unassigned"].widget = TickedOrAny()
    for name in ("opened_after", "opened_before", "updated_after", "updated_before"):
        form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
    form.fields["ci"].widget.attrs.update({"list": "ci-options", "autocomplete": "off"})


@staff_required
def queue(request: HttpRequest, slug: str = DEFAULT_QUEUE) -> HttpResponse:
    """One queue, filtered and sorted; htmx requests from the sidebar get only the results."""
    chosen = QUEUES.get(slug)
    if chosen is None:
        raise Http404
    jump = _record_by_number(request)
    if jump is not None:
        return HttpResponseRedirect(jump.get_absolute_url())
    lists = ChoiceLists.load()
    incidents = chosen.select(Incident.objects.visible_to(request.user), request.user)
    filterset = QueueFilterSet(
        request.GET,
        queryset=incidents.select_related("requester", "assignee", "assignment_group", "service"),
        lists=lists,
    )
    sort = sort_named(request.GET.get("sort"), chosen.default_sort)
    page, total, status = _results(request, filterset, sort)
    nearest = nearest_views(row.pk for row in page.rows)
    for row in page.rows:
        row.sla = nearest.get(row.pk)
    partial = request.htmx and not request.htmx.history_restore_request
    context = {
        "queue": chosen,
        "queues": QUEUES.values(),
        "filterset": filterset,
        "sort": sort,
        "sorts": SORTS,
        "page": page,
        "total": total,
        "bulk_form": BulkForm(lists=lists),
        "bulk_results": request.session.pop(BULK_RESULTS_KEY, None),
        "saved_views": [] if partial else views_for(request.user, "/incidents/"),
    }
    template = "incidents/_queue_results.html" if partial else "incidents/queue.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _record_by_number(request: HttpRequest) -> Incident | None:
    """A search for an exact incident number (typed into a search box and sent) opens that record."""
    typed = request.GET.get("q", "").strip().upper()
    if request.htmx or not NUMBER.fullmatch(typed):
        return None
    return Incident.objects.visible_to(request.user).filter(number=typed).first()


def _results(request: HttpRequest, filterset: QueueFilterSet, sort) -> tuple[KeysetPage, tuple | None, int]:
    """The page of rows, the capped total, and the status (400 when the filters or cursor are bad)."""
    empty = KeysetPage([], None, None)
    if not filterset.is_valid():
        return empty, None, 400
    try:
        page = paginate(
            filterset.qs,
            sort,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=queues.PAGE_SIZE,
        )
    except InvalidCursor:
        filterset.form.add_error(None, "This page link is out of date or damaged. Start again from page one.")
        return empty, None, 400
    return page, capped_count(filterset.qs), 200


@require_POST
@staff_required
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected rows, each through its own service call; report per row."""
    back = safe_next(request, reverse("incident:queue", args=[DEFAULT_QUEUE]))
    form = BulkForm(request.POST, lists=ChoiceLists.load())
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"Nothing was changed. {label + ': ' if label else ''}{error}")
        return HttpResponseRedirect(back)
    results = bulk_actions.run(request.user, form.cleaned_data, form.lists)
    request.session[BULK_RESULTS_KEY] = [result.as_dict() for result in results]
    return HttpResponseRedirect(back)
