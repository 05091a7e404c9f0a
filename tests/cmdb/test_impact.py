"""Impact analysis against a plain-Python breadth-first walk, on a small and a 10,000-CI graph."""

import random

import pytest

from itsm.cmdb import impact
from itsm.cmdb.choices import CIClass, RelationshipKind
from itsm.cmdb.models import CIRelationship
from tests.cmdb.graphs import ExpectedImpact, build_graph
from tests.factories import ConfigurationItemFactory


def test_affected_cis_walk_upwards_with_minimal_depth(estate):
    # given the estate: app needs db and vm, db needs vm, vm needs host, host needs switch

    # when
    affected = impact.affected_cis(estate["switch"])

    # then the app is two hops above the VM (directly), not three (through the database)
    depths = {ci.name: ci.impact_depth for ci in affected}
    assert depths == {"esx-01": 1, "vm-payroll": 2, "pg-payroll": 3, "payroll-app": 3}
    assert [ci.impact_depth for ci in affected] == sorted(ci.impact_depth for ci in affected)


def test_affected_services_include_dependants_with_depth(estate):
    # given Payroll delivered by the app and Intranet depending on Payroll

    # when
    services = impact.affected_services(estate["vm"])

    # then
    assert [(s.name, s.impact_depth) for s in services] == [("Payroll", 2), ("Intranet", 3)]


def test_a_component_affects_its_own_service_at_depth_one(estate):
    # when
    services = impact.affected_services(estate["app"])

    # then
    assert [(s.name, s.impact_depth) for s in services] == [("Payroll", 1), ("Intranet", 2)]


def test_dependencies_walk_downwards(estate):
    # when
    needed = impact.dependencies(estate["app"])

    # then
    assert {ci.name: ci.impact_depth for ci in needed} == {
        "pg-payroll": 1,
        "vm-payroll": 1,
        "esx-01": 2,
        "core-switch-1": 3,
    }


def test_a_ci_nothing_needs_affects_nothing(db):
    # given
    lonely = ConfigurationItemFactory()

    # then
    assert impact.affected_cis(lonely) == []
    assert impact.affected_services(lonely) == []
    assert impact.impact_of(lonely).ci_total == 0


def test_impact_of_limits_the_cis_but_counts_them_all(estate):
    # when
    result = impact.impact_of(estate["switch"], ci_limit=2)

    # then
    assert [ci.name for ci in result.cis] == ["esx-01", "vm-payroll"]
    assert result.ci_total == 4
    assert result.truncated


def test_the_walk_ends_even_on_a_cycle_written_behind_the_services_back(db):
    # given a loop inserted directly, as a bad bulk load could
    a, b, c = (ConfigurationItemFactory() for _ in range(3))
    CIRelationship.objects.bulk_create(
        [
            CIRelationship(source=a, target=b, kind=RelationshipKind.DEPENDS_ON),
            CIRelationship(source=b, target=c, kind=RelationshipKind.DEPENDS_ON),
            CIRelationship(source=c, target=a, kind=RelationshipKind.DEPENDS_ON),
        ]
    )

    # when
    depths = impact.affected_ci_depths(a)

    # then the guard stops it, and each CI has its minimal depth
    assert depths == {c.pk: 1, b.pk: 2}


def test_the_walk_costs_one_query(estate, django_assert_num_queries):
    with django_assert_num_queries(1):
        impact.affected_service_depths(estate["switch"])
    with django_assert_num_queries(1):
        impact.affected_ci_depths(estate["switch"])


@pytest.fixture(scope="module")
def big_graph(django_db_setup, django_db_blocker):
    """10,000 CIs, ~17,000 relationships, 100 services; built once for the module."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            graph = build_graph(10_000, seed=11)
            yield graph
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_impact_on_10000_cis_matches_a_python_walk(big_graph):
    # given the generated graph and a reference walk in Python
    expected = ExpectedImpact(big_graph)
    rng = random.Random(3)
    sample = rng.sample(big_graph.ci_ids, 25) + big_graph.by_class[CIClass.NETWORK_DEVICE][:3]

    for ci in sample:
        # when
        cis = impact.affected_ci_depths(ci)
        services = impact.affected_service_depths(ci)

        # then
        assert cis == expected.affected_cis(ci), ci
        assert services == expected.affected_services(ci), ci


@pytest.mark.django_db
def test_dependencies_on_10000_cis_match_a_python_walk(big_graph):
    # given
    expected = ExpectedImpact(big_graph)
    sample = random.Random(5).sample(big_graph.by_class[CIClass.APPLICATION], 10)

    for ci in sample:
        # when
        found = {item.pk: item.impact_depth for item in impact.dependencies(ci)}

        # then
        assert found == expected.dependencies(ci)


@pytest.mark.django_db
def test_a_switch_reaches_a_large_part_of_the_estate(big_graph):
    # given a core switch, which many hosts connect to
    switch = big_graph.by_class[CIClass.NETWORK_DEVICE][0]

    # when
    result = impact.impact_of(switch, ci_limit=50)

    # then it agrees with the separate walks
    expected = ExpectedImpact(big_graph)
    assert result.ci_total == len(expected.affected_cis(switch)) > 2_000
    assert len(result.cis) == 50
    assert {s.pk: s.impact_depth for s in result.services} == expected.affected_services(switch)
    assert [ci.impact_depth for ci in result.cis] == sorted(ci.impact_depth for ci in result.cis)
