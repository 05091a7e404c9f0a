"""Fixtures for the web surfaces: signed-in clients and a few records to show."""

import pytest
from django.test import Client

from itsm.core.choices import StateCategory
from tests.factories import TaskFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Persona fixtures hash a password each; the production hasher makes that ~0.25 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for():
    """`client_for(user)` returns a fresh test client signed in as that user (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def requester_task(requester, team):
    return TaskFactory(
        requester=requester,
        assignment_group=team,
        title="Printer on floor 3 jams",
        description="It jams on every page.\nSecond line.",
        state="in_progress",
        state_category=StateCategory.OPEN,
    )


@pytest.fixture
def other_task(other_requester):
    return TaskFactory(requester=other_requester, title="Someone else's laptop")
