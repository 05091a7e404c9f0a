"""Change configuration and review records, read-only over the API (edited in the admin or the
change's own actions, which validate them)."""

from changes.models import (
    CABPolicy,
    CABStage,
    ChangeRiskAnswer,
    FollowUpAction,
    PostImplementationReview,
    RiskAnswer,
    RiskQuestion,
    StandardChangeTemplate,
    TemplateTask,
)
from itsm.api.viewsets import configuration_viewset

StandardChangeTemplateViewSet = configuration_viewset(
    StandardChangeTemplate.objects.all(),
    name="StandardChangeTemplate",
    doc="Pre-approved standard changes; create one with POST changes/from-template/.",
    filterset_fields=("is_active", "assignment_group"),
    ordering="name",
    ordering_fields=("name", "id"),
)
TemplateTaskViewSet = configuration_viewset(
    TemplateTask.objects.all(),
    name="ChangeTemplateTask",
    doc="The tasks a standard change template creates, in `order`.",
    filterset_fields=("template",),
    ordering="order",
    ordering_fields=("order", "id"),
)
RiskQuestionViewSet = configuration_viewset(
    RiskQuestion.objects.all(),
    name="RiskQuestion",
    doc="The risk questionnaire; answer it with POST changes/{id}/risk/.",
    filterset_fields=("is_active",),
    ordering="order",
    ordering_fields=("order", "id"),
)
RiskAnswerViewSet = configuration_viewset(
    RiskAnswer.objects.all(),
    name="RiskAnswer",
    doc="The weighted answers of each risk question.",
    filterset_fields=("question",),
    ordering="order",
    ordering_fields=("order", "id"),
)
ChangeRiskAnswerViewSet = configuration_viewset(
    ChangeRiskAnswer.objects.all(),
    name="ChangeRiskAnswer",
    doc="The answers given for a change (`?change=`), for the changes you may see.",
    visible_through="change",
    filterset_fields=("change",),
)
CABPolicyViewSet = configuration_viewset(
    CABPolicy.objects.all(),
    name="CABPolicy",
    doc="Which changes need which approval stages (by type and risk), first match by `order`.",
    filterset_fields=("is_active", "change_type"),
    ordering="order",
    ordering_fields=("order", "id"),
)
CABStageViewSet = configuration_viewset(
    CABStage.objects.all(),
    name="CABStage",
    doc="The approval stages of a CAB policy.",
    filterset_fields=("policy",),
    ordering="order",
    ordering_fields=("order", "id"),
)
ReviewViewSet = configuration_viewset(
    PostImplementationReview.objects.all(),
    name="ChangeReviewRecord",
    doc="Post-implementation reviews of the changes you may see; write one with POST changes/{id}/review/.",
    visible_through="change",
    filterset_fields=("change", "objectives_met"),
    ordering="-id",
    ordering_fields=("id", "reviewed_at"),
)
FollowUpActionViewSet = configuration_viewset(
    FollowUpAction.objects.all(),
    name="ChangeFollowUpAction",
    doc="Follow-up actions agreed in reviews, with owner and due date.",
    filterset_fields=("review", "owner"),
    ordering="due_on",
    ordering_fields=("due_on", "id"),
)
