import pytest

from incidents.models import Category
from incidents.services import create_incident


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
