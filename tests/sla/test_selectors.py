"""Compliance for dashboards: met within target against breached, by definition, group, service, priority."""

from datetime import timedelta

import pytest

from itsm.core.choices import Priority, StateCategory
from itsm.core.models import Task
from itsm.sla.choices import Target
from itsm.sla.models import SLAClock
from itsm.sla.selectors import (
    compliance,
    compliance_percent,
    expectations,
    nearest_clocks,
    tasks_at_risk,
    tasks_breached,
)
from itsm.sla.tasks import sweep
from tests.factories import ServiceFactory, TeamFactory
from tests.sla.conftest import T0, H, M, change

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(frozen, define, new_task):
    """Four resolution clocks decided on day one: desk met 2 (P1, P3), network breached 1 (P1), plus
    one still open and breached, one cancelled (never counts) and one met on day two (outside)."""
    desk, network = TeamFactory(name="Desk"), TeamFactory(name="Network")
    payroll = ServiceFactory(name="Payroll")
    p1 = define(Target.RESOLUTION, 2 * H, name="P1", priorities=[Priority.CRITICAL])
    define(Target.RESOLUTION, 8 * H, name="Other")
    met_p1 = new_task(priority=Priority.CRITICAL, assignment_group=desk, service=payroll)
    met_p3 = new_task(priority=Priority.MODERATE, assignment_group=desk)
    late = new_task(priority=Priority.CRITICAL, assignment_group=network, service=payroll)
    still_open = new_task(priority=Priority.CRITICAL, assignment_group=network)
    cancelled = new_task(priority=Priority.CRITICAL, assignment_group=desk)
    tomorrow = new_task(priority=Priority.MODERATE, assignment_group=desk)
    frozen.move_to(T0 + 1 * H)
    change(met_p1, state_category=StateCategory.RESOLVED)
    change(met_p3, state_category=StateCategory.RESOLVED)
    change(cancelled, state_category=StateCategory.CANCELLED)
    frozen.move_to(T0 + 3 * H)
    sweep()  # late and still_open breach at T0 + 2 h
    change(late, state_category=StateCategory.RESOLVED)
    frozen.move_to(T0 + 30 * H)
    change(tomorrow, state_category=StateCategory.RESOLVED)
    return {"desk": desk, "network": network, "payroll": payroll, "p1": p1, "still_open": still_open}


def rows(**kwargs) -> dict:
    return {row["label"]: (row["met"], row["breached"], row["total"]) for row in compliance(**kwargs)}


DAY_ONE = {"start": T0, "end": T0 + 24 * H}


def test_by_definition(history):
    assert rows(by="definition", **DAY_ONE) == {"P1": (1, 2, 3), "Other": (1, 0, 1)}


def test_by_group(history):
    assert rows(by="group", **DAY_ONE) == {"Desk": (2, 0, 2), "Network": (0, 2, 2)}


def test_by_service_and_priority(history):
    assert rows(by="service", **DAY_ONE) == {"Payroll": (1, 1, 2), None: (1, 1, 2)}
    assert rows(by="priority", **DAY_ONE) == {Priority.CRITICAL: (1, 2, 3), Priority.MODERATE: (1, 0, 1)}


def test_the_period_decides(history):
    assert rows(by="definition", start=T0 + 24 * H, end=T0 + 48 * H) == {"Other": (1, 0, 1)}


def test_visibility_is_the_callers_queryset(history, requester):
    assert rows(by="definition", clocks=SLAClock.objects.visible_to(requester), **DAY_ONE) == {}


def test_percent(history):
    row = next(r for r in compliance(by="definition", **DAY_ONE) if r["label"] == "P1")
    assert compliance_percent(row) == 33.3
    assert compliance_percent({"met": 0, "total": 0}) is None


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="definition"):
        compliance(by="colour", start=T0, end=T0 + H)


def test_queue_helpers(frozen, define, new_task):
    # given
    define(Target.RESPONSE, 1 * H)
    define(Target.RESOLUTION, 4 * H)
    calm, risky, late = new_task(), new_task(), new_task()
    SLAClock.objects.filter(task=risky, target=Target.RESOLUTION).update(warned_percent=50)
    SLAClock.objects.filter(task=late, target=Target.RESOLUTION).update(warned_percent=90, breached_at=T0)
    # then
    assert list(tasks_at_risk(Task.objects.all())) == [risky]
    assert list(tasks_breached(Task.objects.all())) == [late]
    nearest = nearest_clocks([calm.pk, risky.pk])
    assert {task_id: clock.target for task_id, clock in nearest.items()} == {
        calm.pk: "response",
        risky.pk: "response",
    }
    assert nearest[calm.pk].due_at == T0 + 60 * M
    assert timedelta(0) < nearest[calm.pk].target_duration


def test_expectations_for_the_portal(frozen, define, new_task):
    # given
    define(Target.RESPONSE, 1 * H)
    define(Target.RESOLUTION, 8 * H, pause_on=[StateCategory.PENDING])
    task = new_task()
    # then
    assert expectations(task) == {"response": T0 + 1 * H, "resolution": T0 + 8 * H}
    # when: on hold, the resolution has no date; after the first response, no response promise
    change(task, state_category=StateCategory.PENDING, responded_at=T0)
    assert expectations(task) == {"resolution": None}
