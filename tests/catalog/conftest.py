"""Catalog fixtures: a laptop item with a conditional field, a manager approval and a three-task plan."""

from datetime import timedelta

import pytest

from catalog.choices import ApprovalRule, ApproverKind, VariableType
from catalog.models import ApprovalStep, CatalogItem, Category, FulfilmentStep, Variable
from catalog.services import OrderLine, publish_item, submit_request
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def line_manager(db, requester):
    boss = UserFactory(username="bob.boss", roles=["requester"])
    requester.profile.manager = boss
    requester.profile.save()
    return boss


@pytest.fixture
def hardware_team(db, agent):
    team = TeamFactory(name="Hardware")
    team.members.add(agent)
    return team


@pytest.fixture
def category(db):
    return Category.objects.create(name="Hardware", slug="hardware", icon="💻")


@pytest.fixture
def make_item(category, hardware_team):
    """`make_item(variables=[...], approvals=[...], steps=[...], **fields)` then publish."""

    def make(variables=(), approvals=(), steps=(), slug="laptop", **fields):
        fields.setdefault("name", "Laptop")
        fields.setdefault("short_description", "A laptop for work")
        fields.setdefault("delivery_time", timedelta(days=3))
        item = CatalogItem.objects.create(category=category, slug=slug, **fields)
        for order, spec in enumerate(variables, start=1):
            Variable.objects.create(item=item, order=order, **spec)
        for order, spec in enumerate(approvals, start=1):
            ApprovalStep.objects.create(item=item, order=order, **spec)
        for spec in steps:
            spec = dict(spec)
            spec.setdefault("assignment_group", hardware_team)
            FulfilmentStep.objects.create(item=item, **spec)
        publish_item(item, actor=None)
        return item

    return make


LAPTOP_VARIABLES = [
    {
        "name": "model",
        "label": "Model",
        "type": VariableType.CHOICE,
        "required": True,
        "choices": "std|Standard\ndev|Developer",
    },
    {
        "name": "justification",
        "label": "Why a developer laptop?",
        "type": VariableType.TEXTAREA,
        "condition_variable": "model",
        "condition_value": "dev",
        "condition_effect": "require",
    },
    {"name": "docking", "label": "Docking station", "type": VariableType.BOOLEAN},
]


@pytest.fixture
def laptop(make_item, line_manager):
    return make_item(
        variables=LAPTOP_VARIABLES,
        approvals=[{"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY, "name": "Line manager"}],
        steps=[
            {"order": 10, "title": "Prepare laptop"},
            {"order": 20, "title": "Install software"},
            {
                "order": 20,
                "title": "Set up docking station",
                "condition_variable": "docking",
                "condition_value": "yes",
            },
        ],
    )


@pytest.fixture
def order(requester):
    def place(item, values, actor=None, **kwargs):
        quantity = kwargs.pop("quantity", 1)
        return submit_request(actor=actor or requester, lines=[OrderLine(item, values, quantity)], **kwargs)

    return place
