"""Registers the problem endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from problems.api.views import CandidateViewSet, ProblemTaskViewSet, ProblemViewSet


def register(router: DefaultRouter) -> None:
    router.register("problems", ProblemViewSet, basename="problem")
    router.register("problem-tasks", ProblemTaskViewSet, basename="problem-task")
    router.register("problem-candidates", CandidateViewSet, basename="problem-candidate")
