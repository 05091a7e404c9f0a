"""`/api/v1/problems/`, `/api/v1/problem-tasks/`, `/api/v1/problem-candidates/`.

Every write goes through `problems.services`, which check roles, workflow and versions.
Only agents and above may use these endpoints at all (problems are internal work).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.concurrency import etag_for, expected_version
from itsm.api.permissions import RolePermission
from itsm.api.viewsets import VisibleViewSetMixin
from itsm.core.roles import STAFF_ROLES
from problems import services
from problems.api import serializers as s
from problems.filtersets import CandidateFilterSet, ProblemFilterSet
from problems.models import Candidate, Problem, ProblemTask


class _Valid:
    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ProblemViewSet(
    _Valid,
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Problem.objects.select_related("requester", "assignee").prefetch_related("affected_cis")
    serializer_class = s.ProblemSerializer
    filterset_class = ProblemFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "updated_at", "priority", "number")
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(request=s.ProblemCreateSerializer, responses={201: s.ProblemSerializer})
    def create(self, request):
        problem = services.create_problem(actor=request.user, **self._valid(s.ProblemCreateSerializer))
        return self._respond(problem, status.HTTP_201_CREATED)

    @extend_schema(request=s.ProblemUpdateSerializer, responses=s.ProblemSerializer)
    def partial_update(self, request, pk=None):
        changes = self._valid(s.ProblemUpdateSerializer)
        return self._call(services.update_problem, changes=changes)

    @extend_schema(request=s.RCASerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def rca(self, request, pk=None):
        return self._call(services.update_rca, changes=self._valid(s.RCASerializer))

    @extend_schema(request=s.WorkaroundSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def workaround(self, request, pk=None):
        return self._call(
            services.publish_workaround, workaround=self._valid(s.WorkaroundSerializer)["workaround"]
        )

    @extend_schema(request=None, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        return self._call(services.assess_problem)

    @extend_schema(request=None, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def analyse(self, request, pk=None):
        return self._call(services.analyse_problem)

    @extend_schema(request=None, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def fix(self, request, pk=None):
        return self._call(services.start_fix)

    @extend_schema(request=s.ProblemResolveSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = self._valid(s.ProblemResolveSerializer)
        return self._call(
            services.resolve_problem, resolution_code=data["resolution_code"], notes=data["notes"]
        )

    @extend_schema(request=s.ProblemReasonSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._call(services.reopen_problem, reason=self._valid(s.ProblemReasonSerializer)["reason"])

    @extend_schema(request=s.ProblemReasonSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._call(services.close_problem, reason=self._valid(s.ProblemReasonSerializer)["reason"])

    @extend_schema(request=s.ProblemReasonSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._call(services.cancel_problem, reason=self._valid(s.ProblemReasonSerializer)["reason"])

    @extend_schema(request=s.FixChangeSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="fix-change")
    def fix_change(self, request, pk=None):
        problem = self.get_object()
        services.set_fix_change(
            problem, actor=request.user, number=self._valid(s.FixChangeSerializer)["change"]
        )
        return self._respond(problem)

    @extend_schema(request=s.IncidentNumbersSerializer, responses=s.LinkOutcomeSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="link-incidents")
    def link_incidents(self, request, pk=None):
        numbers = self._valid(s.IncidentNumbersSerializer)["incidents"]
        outcomes = services.link_incident_numbers(self.get_object(), numbers, actor=request.user)
        return Response(s.LinkOutcomeSerializer(outcomes, many=True).data)

    @extend_schema(request=s.IncidentNumbersSerializer, responses=s.ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="unlink-incidents")
    def unlink_incidents(self, request, pk=None):
        problem = self.get_object()
        for number in self._valid(s.IncidentNumbersSerializer)["incidents"]:
            incident = services.incident_by_number(number)
            services.unlink_incident(problem, incident, actor=request.user)
        return self._respond(problem)

    @extend_schema(request=s.ResolveIncidentsSerializer, responses=s.LinkOutcomeSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="resolve-incidents")
    def resolve_incidents(self, request, pk=None):
        notes = self._valid(s.ResolveIncidentsSerializer)["notes"]
        outcomes = services.resolve_linked_incidents(self.get_object(), actor=request.user, notes=notes)
        return Response(s.LinkOutcomeSerializer(outcomes, many=True).data)

    @extend_schema(request=None, responses=s.ProblemTaskSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="tasks")
    def tasks(self, request, pk=None):
        rows = self.get_object().problem_tasks.select_related("assignee").order_by("opened_at", "pk")
        return Response(s.ProblemTaskSerializer(rows, many=True).data)

    @extend_schema(request=s.ProblemTaskCreateSerializer, responses={201: s.ProblemTaskSerializer})
    @tasks.mapping.post
    def add_task(self, request, pk=None):
        data = self._valid(s.ProblemTaskCreateSerializer)
        task = services.create_problem_task(self.get_object(), actor=request.user, **data)
        return Response(s.ProblemTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    def _call(self, service, **kwargs) -> Response:
        problem = service(
            self.get_object(),
            actor=self.request.user,
            expected_version=expected_version(self.request),
            **kwargs,
        )
        return self._respond(problem)

    def _respond(self, problem: Problem, code: int = status.HTTP_200_OK) -> Response:
        response = Response(s.ProblemSerializer(problem).data, status=code)
        response["ETag"] = etag_for(problem)
        return response


class ProblemTaskViewSet(
    _Valid, VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Problem tasks; `start`, `complete` and `cancel` are the moves."""

    queryset = ProblemTask.objects.select_related("assignee")
    serializer_class = s.ProblemTaskSerializer
    ordering = "-opened_at"
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    def _move(self, name: str) -> Response:
        outcome = self._valid(s.ProblemTaskMoveSerializer)["outcome"]
        task = services.move_problem_task(
            self.get_object(),
            name,
            actor=self.request.user,
            outcome=outcome,
            expected_version=expected_version(self.request),
        )
        response = Response(s.ProblemTaskSerializer(task).data)
        response["ETag"] = etag_for(task)
        return response

    @extend_schema(request=s.ProblemTaskMoveSerializer, responses=s.ProblemTaskSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start")

    @extend_schema(request=s.ProblemTaskMoveSerializer, responses=s.ProblemTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move("complete")

    @extend_schema(request=s.ProblemTaskMoveSerializer, responses=s.ProblemTaskSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move("cancel")


class CandidateViewSet(
    _Valid, VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Proposed problems; managers accept (creates the problem) or dismiss (never proposed again)."""

    queryset = Candidate.objects.prefetch_related("members")
    serializer_class = s.CandidateSerializer
    filterset_class = CandidateFilterSet
    ordering = "-id"
    lookup_value_regex = r"[0-9]{1,18}"
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    permission_classes = [RolePermission]

    @extend_schema(request=s.AcceptSerializer, responses={201: s.ProblemSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        title = self._valid(s.AcceptSerializer)["title"]
        problem = services.accept_candidate(self.get_object(), actor=request.user, title=title)
        return Response(s.ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProblemReasonSerializer, responses=s.CandidateSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        reason = self._valid(s.ProblemReasonSerializer)["reason"]
        candidate = services.dismiss_candidate(self.get_object(), actor=request.user, reason=reason)
        return Response(s.CandidateSerializer(candidate).data)
