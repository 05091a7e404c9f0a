import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from incidents.models import Incident
from incidents.services import create_incident
from itsm.core.models import TimelineEntry


@pytest.mark.django_db
def test_seed_builds_incidents_with_timelines_and_leaves_numbering_usable(requester, team):
    # given: a team with members, as seed_demo would make
    # when
    call_command("seed", "--incidents", "300", "--chunk", "120")
    # then
    assert Incident.objects.count() == 300
    assert TimelineEntry.objects.filter(task__kind="incident").count() >= 300
    assert Incident.objects.values("number").distinct().count() == 300
    assert {"closed", "new", "in_progress"} <= set(Incident.objects.values_list("state", flat=True))
    created = create_incident(actor=requester, title="After the seed")
    assert Incident.objects.filter(number=created.number).count() == 1


@pytest.mark.django_db
def test_seed_without_teams_says_what_to_do():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed", "--incidents", "10")


@pytest.mark.django_db
def test_seeded_history_never_lies_in_the_future(team):
    from django.db.models import Q
    from django.utils import timezone

    call_command("seed", "--incidents", "200")
    now = timezone.now()
    future = Q(updated_at__gt=now) | Q(responded_at__gt=now) | Q(resolved_at__gt=now) | Q(closed_at__gt=now)
    assert not Incident.objects.filter(future).exists()
