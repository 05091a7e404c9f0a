"""Shared fixtures: one user per role (personas), a team, the API client, run modes."""

import os

import pytest
from rest_framework.test import APIClient

from itsm.core.roles import Role
from tests.factories import PASSWORD, TeamFactory, UserFactory

#: Names of markers whose tests must run, not skip, in this run (set by .ci/run).
REQUIRED = set(filter(None, os.environ.get("ITSM_REQUIRE", "").split(",")))


def require_or_skip(marker: str, reason: str) -> None:
    """Skip with `reason`, unless this run demands `marker` tests: then fail loudly."""
    if marker in REQUIRED:
        pytest.fail(f"{marker} tests are required in this run (ITSM_REQUIRE) but: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run inline in tests unless a test starts a real worker."""
    from itsm.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Files under a temporary folder; plain HTTP for the test client and the live server."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SECURE_SSL_REDIRECT = False
    # A fast hasher: persona fixtures otherwise spend a quarter second each on PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from itsm.core import configcache

    cache.clear()
    # A copy loaded inside an earlier test's rolled-back transaction must not outlive it.
    configcache.forget()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def requester(db):
    return UserFactory(username="rita.requester", roles=[Role.REQUESTER])


@pytest.fixture
def other_requester(db):
    return UserFactory(username="otto.other", roles=[Role.REQUESTER])


@pytest.fixture
def agent(db):
    return UserFactory(username="andy.agent", roles=[Role.AGENT])


@pytest.fixture
def manager(db):
    return UserFactory(username="mona.manager", roles=[Role.MANAGER])


@pytest.fixture
def change_manager(db):
    return UserFactory(username="carl.change", roles=[Role.AGENT, Role.CHANGE_MANAGER])


@pytest.fixture
def knowledge_manager(db):
    return UserFactory(username="kim.knowledge", roles=[Role.AGENT, Role.KNOWLEDGE_MANAGER])


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="ada.admin", roles=[Role.ADMIN])
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def personas(requester, agent, manager, change_manager, knowledge_manager, admin_user):
    return {
        "requester": requester,
        "agent": agent,
        "manager": manager,
        "change_manager": change_manager,
        "knowledge_manager": knowledge_manager,
        "admin": admin_user,
    }


@pytest.fixture
def team(db, agent):
    team = TeamFactory(name="Service Desk")
    team.members.add(agent)
    return team


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """`api_as(user)` returns an API client signed in as that user."""

    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login
