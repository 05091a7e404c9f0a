from datetime import timedelta

import pytest

from incidents.models import Category
from incidents.services import create_incident
from itsm.core.choices import StateCategory
from itsm.sla.choices import Target
from itsm.sla.models import SLADefinition
from itsm.sla.services import create_calendar
from itsm.sla.services.calendars import full_day_windows


@pytest.fixture
def hardware(db):
    return Category.objects.create(name="Hardware")


@pytest.fixture
def printer(hardware):
    return Category.objects.create(name="Printer", parent=hardware)


@pytest.fixture
def make_incident(requester):
    """`make_incident(**fields)` raises an incident through the service, as the portal does."""

    def make(actor=None, **fields):
        fields.setdefault("title", "Printer on floor 3 jams")
        return create_incident(actor=actor or requester, **fields)

    return make


@pytest.fixture
def definitions(db):
    """Response in 1h, resolution in 4h for P1 or 3 days (paused while pending), on 24x7."""
    calendar = create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
    common = {"calendar": calendar, "kinds": ["incident"]}
    SLADefinition.objects.create(
        name="Respond in 1h", target=Target.RESPONSE, duration=timedelta(hours=1), **common
    )
    SLADefinition.objects.create(
        name="P1 resolve in 4h",
        target=Target.RESOLUTION,
        duration=timedelta(hours=4),
        priorities=[1],
        **common,
    )
    SLADefinition.objects.create(
        name="Resolve in 3 days",
        target=Target.RESOLUTION,
        duration=timedelta(days=3),
        pause_on=[StateCategory.PENDING],
        precedence=200,
        **common,
    )
