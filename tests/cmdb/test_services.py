"""The write path refuses self-links, duplicates and cycles, for CIs and for services."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from itsm.cmdb import services
from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ServiceComponent, ServiceDependency
from itsm.core.exceptions import PermissionDenied
from tests.conftest import require_or_skip
from tests.factories import ConfigurationItemFactory, ServiceFactory

DEPENDS_ON = RelationshipKind.DEPENDS_ON


def test_relate_cis_records_the_edge_and_who_drew_it(db, admin_user):
    # given
    app, server = ConfigurationItemFactory(), ConfigurationItemFactory()

    # when
    relationship = services.relate_cis(app, server, RelationshipKind.RUNS_ON, actor=admin_user)

    # then
    assert (relationship.source, relationship.target, relationship.kind) == (app, server, "runs_on")
    assert relationship.created_by == admin_user


def test_a_ci_cannot_need_itself(db):
    ci = ConfigurationItemFactory()

    with pytest.raises(ValidationError) as error:
        services.relate_cis(ci, ci, DEPENDS_ON, actor=None)

    assert "itself" in error.value.message_dict["target"][0]


def test_the_same_relationship_twice_is_refused(db):
    # given
    a, b = ConfigurationItemFactory(name="a"), ConfigurationItemFactory(name="b")
    services.relate_cis(a, b, DEPENDS_ON, actor=None)

    # when / then
    with pytest.raises(ValidationError) as error:
        services.relate_cis(a, b, DEPENDS_ON, actor=None)
    assert error.value.message_dict["target"] == ["a already depends on b."]
    assert CIRelationship.objects.count() == 1


def test_an_unknown_kind_is_refused(db):
    a, b = ConfigurationItemFactory(), ConfigurationItemFactory()

    with pytest.raises(ValidationError) as error:
        services.relate_cis(a, b, "likes", actor=None)

    assert "kind" in error.value.message_dict


def test_a_direct_cycle_is_refused(db):
    # given a needs b
    a, b = ConfigurationItemFactory(name="a"), ConfigurationItemFactory(name="b")
    services.relate_cis(a, b, DEPENDS_ON, actor=None)

    # when b would need a (with any kind)
    with pytest.raises(ValidationError) as error:
        services.relate_cis(b, a, RelationshipKind.HOSTED_ON, actor=None)

    # then
    assert "cycle" in error.value.message_dict["target"][0]
    assert CIRelationship.objects.count() == 1


def test_a_transitive_cycle_is_refused(db):
    # given a -> b -> c -> d
    a, b, c, d = (ConfigurationItemFactory(name=n) for n in "abcd")
    for source, target in [(a, b), (b, c), (c, d)]:
        services.relate_cis(source, target, DEPENDS_ON, actor=None)

    # when d would need a
    with pytest.raises(ValidationError) as error:
        services.relate_cis(d, a, DEPENDS_ON, actor=None)

    # then
    assert error.value.message_dict["target"] == [
        "a already depends on d (directly or through others); making d depend on a would create a cycle."
    ]


def test_a_diamond_is_not_a_cycle(db):
    # given a -> b -> d and a -> c
    a, b, c, d = (ConfigurationItemFactory() for _ in range(4))
    services.relate_cis(a, b, DEPENDS_ON, actor=None)
    services.relate_cis(b, d, DEPENDS_ON, actor=None)
    services.relate_cis(a, c, DEPENDS_ON, actor=None)

    # when
    services.relate_cis(c, d, DEPENDS_ON, actor=None)

    # then
    assert CIRelationship.objects.count() == 4


def test_pending_edges_count_in_the_cycle_check(db):
    # given a -> b saved, and c -> a about to be saved with the checked edge
    a, b, c = (ConfigurationItemFactory() for _ in range(3))
    services.relate_cis(a, b, DEPENDS_ON, actor=None)

    # when / then: b -> c closes a loop only together with the pending c -> a
    services.check_ci_relationship(b.pk, c.pk, DEPENDS_ON)
    with pytest.raises(ValidationError):
        services.check_ci_relationship(b.pk, c.pk, DEPENDS_ON, pending=[(c.pk, a.pk)])


def test_an_edit_may_reverse_an_edge(db):
    # given a -> b
    a, b = ConfigurationItemFactory(), ConfigurationItemFactory()
    edge = services.relate_cis(a, b, DEPENDS_ON, actor=None)

    # when the same row is edited into b -> a, the old direction does not count
    services.check_ci_relationship(b.pk, a.pk, DEPENDS_ON, replacing=edge.pk)


def test_unrelate_removes_the_edge(db, admin_user):
    a, b = ConfigurationItemFactory(), ConfigurationItemFactory()
    edge = services.relate_cis(a, b, DEPENDS_ON, actor=admin_user)

    services.unrelate_cis(edge, actor=admin_user)

    assert not CIRelationship.objects.exists()


@pytest.mark.parametrize("persona", ["requester", "agent", "manager"])
def test_only_administrators_change_the_graph(db, persona, request):
    actor = request.getfixturevalue(persona)
    a, b = ConfigurationItemFactory(), ConfigurationItemFactory()

    with pytest.raises(PermissionDenied):
        services.relate_cis(a, b, DEPENDS_ON, actor=actor)
    with pytest.raises(PermissionDenied):
        services.add_service_dependency(ServiceFactory(), ServiceFactory(), actor=actor)


def test_service_components_refuse_duplicates(db):
    # given
    service, ci = ServiceFactory(), ConfigurationItemFactory()
    services.add_service_component(service, ci, actor=None)

    # when / then
    with pytest.raises(ValidationError) as error:
        services.add_service_component(service, ci, actor=None)
    assert "configuration_item" in error.value.message_dict
    assert ServiceComponent.objects.count() == 1


def test_service_dependencies_refuse_self_direct_and_transitive_cycles(db):
    # given email -> identity -> network
    email, identity, network = (ServiceFactory(name=n) for n in ["E-mail", "Identity", "Network"])
    services.add_service_dependency(email, identity, actor=None)
    services.add_service_dependency(identity, network, actor=None)

    # then
    for service, depends_on, words in [
        (email, email, "itself"),
        (email, identity, "already depends"),
        (identity, email, "cycle"),
        (network, email, "cycle"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.add_service_dependency(service, depends_on, actor=None)
        assert words in error.value.message_dict["depends_on"][0]
    assert ServiceDependency.objects.count() == 2


def test_removing_components_and_dependencies(db, admin_user):
    service, other, ci = ServiceFactory(), ServiceFactory(), ConfigurationItemFactory()
    component = services.add_service_component(service, ci, actor=admin_user)
    dependency = services.add_service_dependency(service, other, actor=admin_user)

    services.remove_service_component(component, actor=admin_user)
    services.remove_service_dependency(dependency, actor=admin_user)

    assert not ServiceComponent.objects.exists()
    assert not ServiceDependency.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edges_cannot_close_a_loop_together():
    """a -> b and c -> d share no CI, yet with b -> c and d -> a present they close a loop.

    The first writer holds the graph lock until it commits; the second then sees its edge.
    """
    if connection.vendor != "postgresql":
        require_or_skip("postgres", "needs PostgreSQL: SQLite serialises writers by itself")
    # given
    a, b, c, d = (ConfigurationItemFactory(name=n) for n in "abcd")
    services.relate_cis(b, c, DEPENDS_ON, actor=None)
    services.relate_cis(d, a, DEPENDS_ON, actor=None)
    first_holds_lock, release_first = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                services.relate_cis(a, b, DEPENDS_ON, actor=None)
                first_holds_lock.set()
                release_first.wait(10)
            outcome["first"] = "created"
        finally:
            connections.close_all()

    def second() -> None:
        try:
            services.relate_cis(c, d, DEPENDS_ON, actor=None)
            outcome["second"] = "created"
        except ValidationError as error:
            outcome["second"] = error.message_dict["target"][0]
        finally:
            connections.close_all()

    # when the second writer starts while the first has not committed
    one = threading.Thread(target=first)
    one.start()
    assert first_holds_lock.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second writer should wait for the graph lock"
    release_first.set()
    one.join(10)
    two.join(10)

    # then
    assert outcome["first"] == "created"
    assert "cycle" in outcome["second"]
    assert CIRelationship.objects.count() == 3
