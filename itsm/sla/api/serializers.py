"""Serializers for the SLA API. Writes go through the services; clocks are read-only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.sla import timing
from itsm.sla.models import (
    Calendar,
    EscalationStep,
    Holiday,
    SLAClock,
    SLADefinition,
    SLAEvent,
    WorkingWindow,
)
from itsm.sla.services import create_calendar, update_calendar
from itsm.sla.services.definitions import save_definition


class WorkingWindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkingWindow
        fields = ["weekday", "start", "end"]


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name"]


class CalendarSerializer(serializers.ModelSerializer):
    """A calendar with its windows and holidays; writing replaces both lists when they are sent."""

    windows = WorkingWindowSerializer(many=True, help_text="Working windows; an end of 00:00 is midnight.")
    holidays = HolidaySerializer(many=True, required=False)

    class Meta:
        model = Calendar
        fields = ["id", "name", "time_zone", "description", "windows", "holidays", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        return create_calendar(**validated_data)

    def update(self, instance, validated_data):
        windows = validated_data.pop("windows", None)
        holidays = validated_data.pop("holidays", None)
        return update_calendar(instance, changes=validated_data, windows=windows, holidays=holidays)


class ImportHolidaysSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=3, help_text="ISO 3166 code, e.g. DE.")
    subdivision = serializers.CharField(max_length=10, required=False, default="", help_text="e.g. BY.")
    years = serializers.ListField(
        child=serializers.IntegerField(min_value=1900, max_value=2200), min_length=1
    )


class ImportHolidaysResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()


class EscalationStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationStep
        fields = ["id", "trigger", "percent", "action", "user", "team", "note", "webhook_url", "order"]
        read_only_fields = ["id"]


class SLADefinitionSerializer(serializers.ModelSerializer):
    """A definition with its escalation steps (sent steps replace the stored ones)."""

    kinds = serializers.ListField(child=serializers.ChoiceField(TaskKind.choices), required=False)
    priorities = serializers.ListField(
        child=serializers.IntegerField(min_value=Priority.CRITICAL, max_value=Priority.PLANNING),
        required=False,
        help_text="Priorities 1 (critical) to 5 (planning); empty: every priority.",
    )
    pause_on = serializers.ListField(
        child=serializers.ChoiceField([(c, StateCategory(c).label) for c in StateCategory.active()]),
        required=False,
    )
    warning_thresholds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=99), required=False
    )
    escalation_steps = EscalationStepSerializer(many=True, required=False)

    class Meta:
        model = SLADefinition
        fields = [
            "id",
            "name",
            "description",
            "target",
            "duration",
            "calendar",
            "active",
            "precedence",
            "kinds",
            "priorities",
            "service",
            "ci_class",
            "category",
            "organisation",
            "vip_only",
            "assignment_group",
            "pause_on",
            "warning_thresholds",
            "escalation_steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def create(self, validated_data):
        steps = validated_data.pop("escalation_steps", [])
        return _saved(SLADefinition(**validated_data), steps)

    def update(self, instance, validated_data):
        steps = validated_data.pop("escalation_steps", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return _saved(instance, steps)


def _saved(definition: SLADefinition, steps) -> SLADefinition:
    try:
        return save_definition(definition, steps=steps)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from None


class SLAEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SLAEvent
        fields = ["kind", "percent", "at", "recorded_at", "detail"]


class SLAClockSerializer(serializers.ModelSerializer):
    """A clock as the record page and the portal show it; times in seconds of business time."""

    definition_name = serializers.CharField(source="definition.name", read_only=True)
    elapsed_seconds = serializers.SerializerMethodField()
    target_seconds = serializers.SerializerMethodField()
    remaining_seconds = serializers.SerializerMethodField()
    events = SLAEventSerializer(many=True, read_only=True)

    class Meta:
        model = SLAClock
        fields = [
            "id",
            "task",
            "definition",
            "definition_name",
            "target",
            "team",
            "stage",
            "stop_reason",
            "started_at",
            "paused_since",
            "due_at",
            "warned_percent",
            "breached_at",
            "stopped_at",
            "elapsed_seconds",
            "target_seconds",
            "remaining_seconds",
            "events",
        ]
        read_only_fields = fields

    def get_elapsed_seconds(self, clock: SLAClock) -> int:
        """Business time used so far (live while running)."""
        return int(timing.used(clock, clock.definition.calendar.to_engine(), self._now()).total_seconds())

    def get_target_seconds(self, clock: SLAClock) -> int:
        return int(clock.target_duration.total_seconds())

    def get_remaining_seconds(self, clock: SLAClock) -> int:
        """Business time left before the breach; negative when overdue."""
        return int(
            timing.remaining(clock, clock.definition.calendar.to_engine(), self._now()).total_seconds()
        )

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return self.context["now"]
