"""Blackout conflicts and maintenance flags for a change's planned window and scope."""

from datetime import date, time, timedelta

import pytest

from changes.scheduling import blackout_conflicts, maintenance_gaps, outside_maintenance
from itsm.cmdb.models import ServiceComponent
from itsm.maintenance.choices import Frequency, WindowKind
from itsm.maintenance.services import create_window, deactivate_window
from tests.changes.schedule_helpers import MONDAY, chain, planned_change
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def window(kind, **fields):
    values = {
        "name": f"{kind} window",
        "kind": kind,
        "time_zone": "Europe/Berlin",
        "starts_on": date(2025, 1, 6),  # a Monday
        "start_time": time(9, 0),  # 07:00 UTC in summer
        "duration_minutes": 180,
        "frequency": Frequency.WEEKLY,
        "weekdays": [0],
    }
    return create_window(actor=None, **(values | fields))


def test_a_global_blackout_overlapping_the_window_conflicts():
    # given: Mondays 09:00-12:00 Berlin (07:00-10:00 UTC); the change runs 08:00-10:00 UTC
    freeze = window(WindowKind.BLACKOUT, applies_to_all=True, name="Monday freeze")
    change = planned_change()
    # when
    [conflict] = blackout_conflicts(change)
    # then
    assert conflict.window == freeze
    assert (conflict.start, conflict.end) == (MONDAY - timedelta(hours=1), MONDAY + timedelta(hours=2))


def test_a_blackout_on_another_scope_or_time_does_not_conflict():
    window(WindowKind.BLACKOUT, services=[ServiceFactory()])
    window(WindowKind.BLACKOUT, applies_to_all=True, weekdays=[2], name="Wednesdays")
    assert blackout_conflicts(planned_change(services=[ServiceFactory()])) == []


def test_a_blackout_on_a_service_covers_its_cis_and_the_change_services():
    payroll = ServiceFactory(name="Payroll")
    [db] = chain("payroll-db")
    ServiceComponent.objects.create(service=payroll, configuration_item=db)
    window(WindowKind.BLACKOUT, services=[payroll])
    assert len(blackout_conflicts(planned_change(cis=[db]))) == 1
    assert len(blackout_conflicts(planned_change(services=[payroll]))) == 1


def test_a_blackout_on_a_ci():
    [db] = chain("db")
    window(WindowKind.BLACKOUT, configuration_items=[db])
    assert len(blackout_conflicts(planned_change(cis=[db]))) == 1


def test_a_deactivated_blackout_no_longer_conflicts():
    freeze = window(WindowKind.BLACKOUT, applies_to_all=True)
    deactivate_window(freeze, actor=None)
    assert blackout_conflicts(planned_change()) == []


def test_no_planned_window_no_conflict():
    window(WindowKind.BLACKOUT, applies_to_all=True)
    change = planned_change()
    change.planned_start = None
    assert blackout_conflicts(change) == []


def test_inside_maintenance_is_not_flagged_partly_outside_is():
    window(WindowKind.MAINTENANCE, applies_to_all=True)  # 07:00-10:00 UTC Mondays
    inside = planned_change(hours=2)  # 08:00-10:00
    partly = planned_change(hours=3)  # 08:00-11:00
    assert not outside_maintenance(inside)
    assert outside_maintenance(partly)
    assert maintenance_gaps(partly) == [(MONDAY + timedelta(hours=2), MONDAY + timedelta(hours=3))]


def test_no_maintenance_window_in_scope_means_no_flag():
    window(WindowKind.MAINTENANCE, services=[ServiceFactory()])
    assert not outside_maintenance(planned_change(start=MONDAY + timedelta(days=2)))


def test_maintenance_windows_for_the_scope_flag_a_change_outside_them():
    svc = ServiceFactory()
    window(WindowKind.MAINTENANCE, services=[svc])
    assert outside_maintenance(planned_change(services=[svc], start=MONDAY + timedelta(days=2)))


# --- enforcement through the change services -------------------------------------------------


def standard_change_in_blackout():
    window(WindowKind.BLACKOUT, applies_to_all=True, name="Monday freeze")
    return planned_change(
        state="new",
        change_type="standard",
        reason="Routine",
        implementation_plan="Do it",
        backout_plan="Undo it",
    )


def test_schedule_is_refused_in_a_blackout_without_an_override(agent):
    from changes.services import schedule_change
    from itsm.core.exceptions import TransitionNotAllowed

    change = standard_change_in_blackout()
    with pytest.raises(TransitionNotAllowed, match="Monday freeze"):
        schedule_change(change, actor=agent)
    change.refresh_from_db()
    assert change.state == "new" and change.blackout_override_at is None


def test_only_a_change_manager_may_override(agent):
    from changes.services import schedule_change
    from itsm.core.exceptions import PermissionDenied

    change = standard_change_in_blackout()
    with pytest.raises(PermissionDenied):
        schedule_change(change, actor=agent, override_reason="Urgent fix")


def test_a_change_managers_override_is_recorded(change_manager):
    from changes.services import schedule_change
    from itsm.core.models import TimelineEntry

    change = standard_change_in_blackout()
    scheduled = schedule_change(change, actor=change_manager, override_reason="Regulator deadline")
    assert scheduled.state == "scheduled"
    assert scheduled.blackout_override_by == change_manager
    assert scheduled.blackout_override_reason == "Regulator deadline"
    assert TimelineEntry.objects.filter(task_id=change.pk, action="change.blackout_overridden").exists()
