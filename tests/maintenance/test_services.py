"""Window services: validation, scope (everything, services, CIs, a CI's services), coverage."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError

from itsm.cmdb.models import ServiceComponent
from itsm.maintenance.choices import Frequency, WindowKind
from itsm.maintenance.models import MaintenanceWindow
from itsm.maintenance.services import (
    create_window,
    deactivate_window,
    occurrences_between,
    scope_of,
    set_window_scope,
    uncovered_by_maintenance,
    update_window,
)
from tests.factories import ConfigurationItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def window(**fields) -> MaintenanceWindow:
    values = {
        "name": "Sunday maintenance",
        "kind": WindowKind.MAINTENANCE,
        "time_zone": "UTC",
        "starts_on": date(2025, 1, 5),
        "start_time": time(1),
        "duration_minutes": 240,
        "frequency": Frequency.WEEKLY,
        "weekdays": [6],
    }
    scope = {key: fields.pop(key) for key in ("services", "configuration_items") if key in fields}
    return create_window(actor=None, **(values | fields), **scope)


def test_a_weekly_window_without_weekdays_is_refused():
    with pytest.raises(ValidationError, match="weekday"):
        window(weekdays=[])


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError) as error:
        window(time_zone="Mars/Olympus")
    assert "time_zone" in error.value.message_dict


def test_unknown_fields_are_a_programming_error():
    with pytest.raises(TypeError):
        window(colour="red")


def test_scope_everything_services_cis_and_a_cis_services():
    # given
    payroll, web = ServiceFactory(name="Payroll"), ServiceFactory(name="Web")
    db, other = ConfigurationItemFactory(name="payroll-db"), ConfigurationItemFactory(name="other")
    ServiceComponent.objects.create(service=payroll, configuration_item=db)
    everything = window(name="All", kind=WindowKind.BLACKOUT, applies_to_all=True)
    on_payroll = window(name="Payroll freeze", kind=WindowKind.BLACKOUT, services=[payroll])
    on_other = window(name="Other CI", kind=WindowKind.BLACKOUT, configuration_items=[other])
    window(name="Web freeze", kind=WindowKind.BLACKOUT, services=[web])
    # when: work on the payroll database only
    scope = scope_of(ci_ids=[db.pk])
    found = occurrences_between(utc(2025, 1, 12), utc(2025, 1, 13), kind=WindowKind.BLACKOUT, scope=scope)
    # then: the global window and the one for the service the database delivers
    assert {o.window for o in found} == {everything, on_payroll}
    assert on_other not in {o.window for o in found}


def test_inactive_and_finished_windows_do_not_apply():
    finished = window(until=date(2025, 1, 5))
    paused = window(name="Paused")
    deactivate_window(paused, actor=None)
    found = occurrences_between(utc(2025, 3, 1), utc(2025, 4, 1), scope=None)
    assert finished not in {o.window for o in found}
    assert not found


def test_update_and_rescope():
    w = window()
    update_window(w, actor=None, start_time=time(3))
    ci = ConfigurationItemFactory()
    set_window_scope(w, actor=None, applies_to_all=False, configuration_items=[ci])
    [occurrence] = occurrences_between(utc(2025, 1, 12), utc(2025, 1, 13), scope=scope_of(ci_ids=[ci.pk]))
    assert occurrence.start == utc(2025, 1, 12, 3)
    assert occurrences_between(utc(2025, 1, 12), utc(2025, 1, 13), scope=scope_of(ci_ids=[ci.pk + 1])) == []


def test_uncovered_by_maintenance():
    window(applies_to_all=True)  # Sundays 01:00-05:00 UTC
    scope = scope_of()
    assert uncovered_by_maintenance(utc(2025, 1, 12, 2), utc(2025, 1, 12, 4), scope=scope) == []
    assert uncovered_by_maintenance(utc(2025, 1, 12, 4), utc(2025, 1, 12, 6), scope=scope) == [
        (utc(2025, 1, 12, 5), utc(2025, 1, 12, 6))
    ]
    assert uncovered_by_maintenance(utc(2025, 1, 13, 2), utc(2025, 1, 13, 3), scope=scope) == [
        (utc(2025, 1, 13, 2), utc(2025, 1, 13, 3))
    ]


def test_admin_shows_the_next_occurrences(client, admin_user):
    w = window(applies_to_all=True)
    client.force_login(admin_user)
    page = client.get(f"/admin/maintenance/maintenancewindow/{w.pk}/change/")
    assert page.status_code == 200
    assert "Next occurrences" in page.content.decode()
    listing = client.get("/admin/maintenance/maintenancewindow/")
    assert "Every week on Sun at 01:00 for 4 h (UTC)" in listing.content.decode()
