"""`/api/v1/changes/` and `/api/v1/change-tasks/`: reads, field edits, transitions as POST actions.

Every write goes through `changes.services`, which check roles, the workflow and versions.
CAB decisions are taken on `/api/v1/approvals/{id}/approve|reject/` (the platform's machinery);
`GET /changes/{id}/approvals/` lists the change's approvals for staff.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changes import services
from changes.api import serializers as s
from changes.api.schedule import (
    ChangeSavedSerializer,
    HopsSerializer,
    ScheduleReportSerializer,
    collisions_response,
)
from changes.filtersets import ChangeFilterSet
from changes.models import Change, ChangeTask, PostImplementationReview, StandardChangeTemplate
from changes.scheduling import collision_summary, collisions_on_save
from itsm.api.concurrency import etag_for, expected_version
from itsm.api.viewsets import VisibleViewSetMixin
from itsm.approvals.api.serializers import ApprovalSerializer
from itsm.approvals.models import Approval
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied
from itsm.core.filtersets import TaskFilterSet


class ChangeViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Staff see and work changes; approvers who are not staff may read the changes they authorize."""

    queryset = Change.objects.select_related("requester", "assignee", "change_manager").prefetch_related(
        "affected_services", "affected_cis"
    )
    serializer_class = s.ChangeSerializer
    filterset_class = ChangeFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "updated_at", "planned_start", "priority", "number", "risk_score")
    write_roles = None  # the services decide who may do what

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(request=s.ChangeCreateSerializer, responses={201: ChangeSavedSerializer})
    def create(self, request):
        data = self._valid(s.ChangeCreateSerializer)
        change = services.create_change(actor=request.user, **data)
        return self._respond(change, status.HTTP_201_CREATED, collisions=self._collisions(change))

    @extend_schema(request=s.ChangeUpdateSerializer, responses=ChangeSavedSerializer)
    def partial_update(self, request, pk=None):
        change = self.get_object()
        changes = self._valid(s.ChangeUpdateSerializer, partial=True)
        change = services.update_change(
            change, actor=request.user, changes=changes, expected_version=expected_version(request)
        )
        return self._respond(change, collisions=self._collisions(change, changed=changes))

    @extend_schema(request=s.ChangeFromTemplateSerializer, responses={201: ChangeSavedSerializer})
    @action(detail=False, methods=["post"], url_path="from-template")
    def from_template(self, request):
        """Raise a standard (pre-approved) change from a template."""
        data = self._valid(s.ChangeFromTemplateSerializer)
        template = StandardChangeTemplate.objects.filter(pk=data["template"], is_active=True).first()
        if template is None:
            raise ValidationError({"template": "There is no active standard change template with this id."})
        change = services.create_from_template(
            template, actor=request.user, planned_start=data.get("planned_start"), title=data["title"]
        )
        return self._respond(change, status.HTTP_201_CREATED, collisions=self._collisions(change))

    @extend_schema(request=s.ChangeRiskAnswersSerializer, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def risk(self, request, pk=None):
        """Answer the risk questionnaire; the risk (with its evidence) is computed from it and history."""
        answers = {
            int(k): v
            for k, v in self._valid(s.ChangeRiskAnswersSerializer)["answers"].items()
            if str(k).isdigit()
        }
        return self._call(services.assess_risk, answers=answers)

    @extend_schema(request=None, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        return self._call(services.assess_change)

    @extend_schema(request=None, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"], url_path="request-authorization")
    def request_authorization(self, request, pk=None):
        return self._call(services.request_authorization)

    @extend_schema(request=s.ChangeReasonSerializer, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def rework(self, request, pk=None):
        return self._call(services.rework_change, reason=self._valid(s.ChangeReasonSerializer)["reason"])

    @extend_schema(request=s.ChangeScheduleSerializer, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        reason = self._valid(s.ChangeScheduleSerializer)["override_reason"]
        return self._call(services.schedule_change, override_reason=reason)

    @extend_schema(request=None, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        return self._call(services.implement_change)

    @extend_schema(request=s.ChangeCompleteSerializer, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = self._valid(s.ChangeCompleteSerializer)
        return self._call(services.complete_change, close_code=data["close_code"], notes=data["notes"])

    @extend_schema(request=None, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._call(services.close_change)

    @extend_schema(request=s.ChangeReasonSerializer, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._call(services.cancel_change, reason=self._valid(s.ChangeReasonSerializer)["reason"])

    @extend_schema(request=s.ChangeCabDateSerializer, responses=s.ChangeSerializer)
    @action(detail=True, methods=["post"], url_path="cab-date")
    def cab_date(self, request, pk=None):
        return self._call(services.set_cab_date, cab_date=self._valid(s.ChangeCabDateSerializer)["cab_date"])

    @extend_schema(methods=["GET"], request=None, responses=s.ChangeReviewSerializer)
    @extend_schema(
        methods=["POST"], request=s.ChangeReviewInputSerializer, responses=s.ChangeReviewSerializer
    )
    @action(detail=True, methods=["get", "post"])
    def review(self, request, pk=None):
        """The post-implementation review (GET: 404 until written; POST: write it while in Review)."""
        change = self._staff_object()
        if request.method == "GET":
            review = get_object_or_404(PostImplementationReview, change=change)
            return Response(s.ChangeReviewSerializer(review).data)
        data = self._valid(s.ChangeReviewInputSerializer)
        actions = [services.ActionSpec(**spec) for spec in data.pop("actions")]
        review = services.record_review(change, actor=request.user, actions=actions, **data)
        return Response(s.ChangeReviewSerializer(review).data)

    @extend_schema(methods=["GET"], request=None, responses=s.ChangeTaskSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.ChangeTaskCreateSerializer, responses={201: s.ChangeTaskSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request, pk=None):
        change = self._staff_object()
        if request.method == "GET":
            rows = change.change_tasks.select_related("assignee")
            return Response(s.ChangeTaskSerializer(rows, many=True).data)
        task = services.create_change_task(
            change, actor=request.user, **self._valid(s.ChangeTaskCreateSerializer)
        )
        return Response(s.ChangeTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApprovalSerializer(many=True))
    @action(detail=True, methods=["get"])
    def approvals(self, request, pk=None):
        """Every approval asked for this change (decide them on /api/v1/approvals/)."""
        change = self._staff_object()
        rows = Approval.objects.filter(stage__plan__subject_id=change.pk).select_related(
            "approver", "decided_by", "stage__plan__subject"
        )
        return Response(
            ApprovalSerializer(
                rows.order_by("stage__plan__created_at", "stage__position", "pk"), many=True
            ).data
        )

    @extend_schema(
        request=HopsSerializer,
        parameters=[OpenApiParameter("hops", int, description="CMDB hops (default CHANGE_COLLISION_HOPS).")],
        responses=ScheduleReportSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def collisions(self, request, pk=None):
        """Check the planned window now: collisions with their CMDB paths, blackout conflicts,
        time outside maintenance windows. Nothing is written."""
        return collisions_response(self._staff_object(), request)

    @extend_schema(request=s.ChangeLinkNumberSerializer, responses={201: s.ChangeSerializer})
    @action(detail=True, methods=["post"], url_path="caused-incidents")
    def caused_incidents(self, request, pk=None):
        """Link an incident as caused by this change (it counts in the risk history of its CIs)."""
        change = self._staff_object()
        services.link_caused_incident(
            change, actor=request.user, number=self._valid(s.ChangeLinkNumberSerializer)["number"]
        )
        return self._respond(self.get_object(), status.HTTP_201_CREATED)

    @extend_schema(request=s.ChangeLinkNumberSerializer, responses={201: s.ChangeSerializer})
    @action(detail=True, methods=["post"], url_path="fixed-problems")
    def fixed_problems(self, request, pk=None):
        """Link a problem this change fixes; closing the change moves the problem on."""
        change = self._staff_object()
        services.link_fixed_problem(
            change, actor=request.user, number=self._valid(s.ChangeLinkNumberSerializer)["number"]
        )
        return self._respond(self.get_object(), status.HTTP_201_CREATED)

    def _staff_object(self) -> Change:
        change = self.get_object()
        if not roles.is_staff_member(self.request.user):
            raise PermissionDenied("Only agents can work on changes.")
        return change

    def _valid(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _call(self, service, **kwargs) -> Response:
        change = service(
            self._staff_object(),
            actor=self.request.user,
            expected_version=expected_version(self.request),
            **kwargs,
        )
        return self._respond(change)

    def _collisions(self, change: Change, changed=None) -> dict:
        """The collision check after a create or an update (run only when the window, scope
        or assignee was sent), summarised for the response."""
        found = collisions_on_save(change, user=self.request.user, changed=changed)
        return collision_summary(change, found)

    def _respond(self, change: Change, code: int = status.HTTP_200_OK, *, collisions=None) -> Response:
        data = s.ChangeSerializer(change).data
        if collisions is not None:
            data["collisions"] = collisions
        response = Response(data, status=code)
        response["ETag"] = etag_for(change)
        return response


class ChangeTaskViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Change tasks (staff only); start, complete and skip as POST actions."""

    queryset = ChangeTask.objects.select_related("assignee")
    serializer_class = s.ChangeTaskSerializer
    filterset_class = TaskFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "number")
    write_roles = None

    @extend_schema(request=None, responses=s.ChangeTaskSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start")

    @extend_schema(request=s.ChangeTaskOutcomeSerializer, responses=s.ChangeTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move("complete")

    @extend_schema(request=s.ChangeTaskOutcomeSerializer, responses=s.ChangeTaskSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        return self._move("skip")

    def _move(self, name: str) -> Response:
        data = s.ChangeTaskOutcomeSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        task = services.move_change_task(
            self.get_object(),
            name,
            actor=self.request.user,
            outcome=data.validated_data["outcome"],
            expected_version=expected_version(self.request),
        )
        response = Response(s.ChangeTaskSerializer(task).data)
        response["ETag"] = etag_for(task)
        return response
