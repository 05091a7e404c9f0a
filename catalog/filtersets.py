"""The fulfilment task FilterSet: shared by the workspace queue and the API."""

import django_filters

from catalog.models import FulfilmentTask, Request, RequestItem
from catalog.workflow import ITEM_WORKFLOW, REQUEST_WORKFLOW, TASK_WORKFLOW
from itsm.core.filtersets import IdFilter, TaskFilterSet


class FulfilmentTaskFilterSet(TaskFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=TASK_WORKFLOW.choices, distinct=False)
    request_item = IdFilter(field_name="request_item_id")

    class Meta(TaskFilterSet.Meta):
        model = FulfilmentTask
        fields = [*TaskFilterSet.Meta.fields, "state", "request_item"]


class RequestFilterSet(TaskFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=REQUEST_WORKFLOW.choices, distinct=False)

    class Meta(TaskFilterSet.Meta):
        model = Request
        fields = [*TaskFilterSet.Meta.fields, "state"]


class RequestItemFilterSet(TaskFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ITEM_WORKFLOW.choices, distinct=False)
    parent_request = IdFilter(field_name="parent_request_id")

    class Meta(TaskFilterSet.Meta):
        model = RequestItem
        fields = [*TaskFilterSet.Meta.fields, "state", "parent_request"]
