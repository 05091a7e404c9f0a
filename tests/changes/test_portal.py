"""The portal home's "planned maintenance" notice for services an approved change works on soon."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from changes import services
from changes.models import Change
from changes.portal import planned_maintenance_banners
from itsm.portal.banners import PLANNED_MAINTENANCE, banners_for
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(template, agent, payroll):
    """`scheduled(starts_in, services=...)`: a standard change scheduled through the services."""

    def make(starts_in: timedelta, affected=None, *, schedule=True, title=""):
        change = services.create_from_template(
            template, actor=agent, planned_start=timezone.now() + starts_in, title=title
        )
        change.affected_services.set(affected or [payroll])
        if schedule:
            change = services.schedule_change(change, actor=agent)
        return change

    return make


def test_a_change_scheduled_soon_shows_a_notice_naming_the_service_and_window_only(
    client, requester, scheduled
):
    # given
    change = scheduled(timedelta(hours=3), title="Internal: patch db-payroll-01 kernel")
    # when
    client.force_login(requester)
    page = client.get(reverse("portal:home")).content.decode()
    # then: the service and the window are named; the change (internal work) is not
    assert "Planned maintenance on Payroll" in page and "maintenance-banner" in page
    assert change.title not in page and change.number not in page and "db-payroll-01" not in page
    assert timezone.localtime(change.planned_start).strftime("%H:%M") in page
    assert timezone.localtime(change.planned_end).strftime("%H:%M") in page
    assert "Major incident" not in page


def test_an_implementing_change_shows_its_notice_while_its_window_runs(requester, scheduled, agent):
    change = scheduled(timedelta(minutes=-10))
    services.implement_change(change, actor=agent)
    [notice] = banners_for(requester)
    assert notice["kind"] == PLANNED_MAINTENANCE and notice["service"] == "Payroll"
    assert notice["since"] == change.planned_start and notice["until"] == change.planned_end


@pytest.mark.parametrize(
    ("starts_in", "schedule"),
    [
        (timedelta(hours=30), True),  # too far ahead
        (timedelta(hours=-3), True),  # the window (30 min) is over
        (timedelta(hours=2), False),  # not scheduled (not approved yet)
    ],
)
def test_no_notice_outside_an_approved_window_that_is_near(requester, scheduled, starts_in, schedule):
    scheduled(starts_in, schedule=schedule)
    assert planned_maintenance_banners(requester) == []


def test_a_cancelled_change_takes_its_notice_away(requester, scheduled, agent):
    change = scheduled(timedelta(hours=1))
    services.cancel_change(change, actor=agent, reason="Postponed.")
    assert planned_maintenance_banners(requester) == []


def test_one_notice_per_service_overlapping_windows_merged(requester, scheduled, payroll):
    hr = ServiceFactory(name="HR portal")
    first = scheduled(timedelta(hours=1), [payroll, hr])
    second = scheduled(timedelta(hours=1, minutes=20), [payroll])
    notices = {notice["service"]: notice for notice in planned_maintenance_banners(requester)}
    assert set(notices) == {"HR portal", "Payroll"}
    assert notices["Payroll"]["since"] == first.planned_start
    assert notices["Payroll"]["until"] == second.planned_end
    assert notices["HR portal"]["until"] == first.planned_end
    assert Change.objects.count() == 2
