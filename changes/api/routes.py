"""Registers the change endpoints on the platform router."""

from rest_framework.routers import DefaultRouter

from changes.api import configuration as config
from changes.api.views import ChangeTaskViewSet, ChangeViewSet


def register(router: DefaultRouter) -> None:
    router.register("changes", ChangeViewSet, basename="change")
    router.register("change-tasks", ChangeTaskViewSet, basename="change-task")
    router.register("change-templates", config.StandardChangeTemplateViewSet, basename="change-template")
    router.register("change-template-tasks", config.TemplateTaskViewSet, basename="change-template-task")
    router.register("risk-questions", config.RiskQuestionViewSet, basename="risk-question")
    router.register("risk-answers", config.RiskAnswerViewSet, basename="risk-answer")
    router.register("change-risk-answers", config.ChangeRiskAnswerViewSet, basename="change-risk-answer")
    router.register("cab-policies", config.CABPolicyViewSet, basename="cab-policy")
    router.register("cab-stages", config.CABStageViewSet, basename="cab-stage")
    router.register("change-reviews", config.ReviewViewSet, basename="change-review")
    router.register("change-follow-ups", config.FollowUpActionViewSet, basename="change-follow-up")
