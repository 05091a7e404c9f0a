"""The per-process configuration cache: loaded once, forgotten on change, reloaded when old."""

from datetime import timedelta

import pytest

from incidents.models import PriorityRule, RoutingRule
from incidents.services import create_incident
from itsm.core import configcache
from itsm.core.choices import Impact, Urgency
from itsm.sla.choices import Target
from itsm.sla.models import SLAClock, SLADefinition
from itsm.sla.services import create_calendar
from itsm.sla.services.calendars import full_day_windows


class TestCached:
    def test_loads_once_while_fresh(self):
        # given
        loads = []

        def load():
            loads.append(1)
            return len(loads)

        # when
        first = configcache.cached("test.value", load)
        second = configcache.cached("test.value", load)
        # then
        assert (first, second, len(loads)) == (1, 1, 1)

    def test_loads_again_once_too_old(self, settings):
        # given: copies are never fresh
        settings.CONFIG_CACHE_SECONDS = 0
        loads = []
        # when
        configcache.cached("test.value", lambda: loads.append(1))
        configcache.cached("test.value", lambda: loads.append(1))
        # then
        assert len(loads) == 2

    def test_forget_drops_the_copy(self):
        # given
        configcache.cached("test.value", lambda: "old")
        # when
        configcache.forget("test.value")
        # then
        assert configcache.cached("test.value", lambda: "new") == "new"


@pytest.mark.django_db
class TestChangesReachTheNextCreate:
    """Each change is made after a create has loaded the copy: the next create must see it."""

    def test_a_new_routing_rule(self, requester, team):
        # given
        create_incident(actor=requester, title="Before the rule")
        RoutingRule.objects.create(name="All to the desk", order=1, assignment_group=team)
        # when
        incident = create_incident(actor=requester, title="After the rule")
        # then
        assert incident.assignment_group == team

    def test_a_changed_matrix_cell(self, requester):
        # given
        first = create_incident(actor=requester, title="Before", impact=Impact.LOW, urgency=Urgency.LOW)
        cell = PriorityRule.objects.get(impact=Impact.LOW, urgency=Urgency.LOW)
        cell.priority = 2
        cell.save()
        # when
        second = create_incident(actor=requester, title="After", impact=Impact.LOW, urgency=Urgency.LOW)
        # then
        assert (first.priority, second.priority) == (5, 2)

    def test_a_new_sla_definition(self, requester):
        # given
        first = create_incident(actor=requester, title="Before the definition")
        calendar = create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
        SLADefinition.objects.create(
            name="Respond in 1h", target=Target.RESPONSE, duration=timedelta(hours=1), calendar=calendar
        )
        # when
        second = create_incident(actor=requester, title="After the definition")
        # then
        assert not SLAClock.objects.filter(task=first).exists()
        assert SLAClock.objects.filter(task=second, target=Target.RESPONSE).count() == 1

    def test_a_deactivated_sla_definition(self, requester):
        # given
        calendar = create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
        definition = SLADefinition.objects.create(
            name="Respond in 1h", target=Target.RESPONSE, duration=timedelta(hours=1), calendar=calendar
        )
        create_incident(actor=requester, title="With the definition")
        definition.active = False
        definition.save()
        # when
        incident = create_incident(actor=requester, title="Without it")
        # then
        assert not SLAClock.objects.filter(task=incident).exists()
