"""The schedule check in the API: `GET|POST /api/v1/changes/{id}/collisions/`.

Kept apart from the change viewset's module so the schedule side has one place: the
serializers describe `changes.scheduling.ScheduleReport.as_dict()` for the schema.
"""

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from changes.api.serializers import ChangeSerializer
from changes.models import Change
from changes.scheduling import schedule_report

#: The most hops a caller may ask for: beyond this the walk reaches most of an estate.
MAX_HOPS = 6


class CollisionChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()


class CollisionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["same_ci", "related_ci", "same_service", "same_assignee"])
    label = serializers.CharField()
    change = CollisionChangeSerializer()
    path = serializers.ListField(
        child=serializers.CharField(), help_text="CI names from this change's CI to theirs."
    )
    hops = serializers.IntegerField()
    via = serializers.CharField(help_text="The shared service(s) or the double-booked assignee.")


class WindowOccurrenceSerializer(serializers.Serializer):
    window = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    applies_to_all = serializers.BooleanField()


class GapSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ScheduleReportSerializer(serializers.Serializer):
    has_window = serializers.BooleanField()
    hops = serializers.IntegerField()
    collisions = CollisionSerializer(many=True)
    blackouts = WindowOccurrenceSerializer(many=True)
    outside_maintenance = serializers.BooleanField()
    maintenance_gaps = GapSerializer(many=True)


class CollisionSummarySerializer(serializers.Serializer):
    """`changes.scheduling.collision_summary()`: the check run after a create or an update."""

    checked = serializers.BooleanField(help_text="False when the save changed nothing the check looks at.")
    has_window = serializers.BooleanField()
    count = serializers.IntegerField(allow_null=True, help_text="Null when the check did not run.")
    items = CollisionSerializer(many=True)


class ChangeSavedSerializer(ChangeSerializer):
    """A change as returned by create, update and from-template: with the collision check."""

    collisions = CollisionSummarySerializer(read_only=True)

    class Meta(ChangeSerializer.Meta):
        fields = [*ChangeSerializer.Meta.fields, "collisions"]


class HopsSerializer(serializers.Serializer):
    hops = serializers.IntegerField(required=False, min_value=0, max_value=MAX_HOPS)


def collisions_response(change: Change, request: Request) -> Response:
    """The check, now, for what the caller may see; `hops` from the query or the body."""
    source = request.query_params
    if request.method == "POST" and hasattr(request.data, "get"):
        source = request.data
    params = HopsSerializer(data={key: source[key] for key in ("hops",) if key in source})
    params.is_valid(raise_exception=True)
    report = schedule_report(change, user=request.user, hops=params.validated_data.get("hops"))
    return Response(report.as_dict())
