"""Collision detection: same CI, CIs within N hops (with the path), same service, same
assignee; nothing across unrelated CIs, with finished changes or outside the window."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes.scheduling import CollisionKind, find_collisions, shortest_paths
from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship
from tests.changes.schedule_helpers import MONDAY, chain, planned_change
from tests.factories import ConfigurationItemFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def kinds(collisions) -> list[tuple[str, str]]:
    return [(c.kind, c.other_number) for c in collisions]


def test_same_ci_collides():
    # given
    [db] = chain("payroll-db")
    mine = planned_change("Patch the database", cis=[db])
    other = planned_change("Resize the database", cis=[db], start=MONDAY + timedelta(hours=1))
    # when
    [collision] = find_collisions(mine)
    # then
    assert collision.kind == CollisionKind.SAME_CI
    assert collision.other_number == other.number
    assert collision.other_title == "Resize the database"
    assert collision.path == ("payroll-db",)
    assert collision.other_start == other.planned_start


def test_ci_within_hops_collides_with_the_path_in_either_direction():
    # given: app -> vm -> host (app depends on vm, vm runs on host)
    app, vm = chain("payroll-app", "payroll-vm")
    host = ConfigurationItemFactory(name="esx-07")
    CIRelationship.objects.create(source=vm, target=host, kind=RelationshipKind.RUNS_ON)
    mine = planned_change("Upgrade the app", cis=[app])
    other = planned_change("Firmware on the host", cis=[host])
    # when
    [collision] = find_collisions(mine, hops=2)
    # then: the path runs from my CI to theirs
    assert collision.kind == CollisionKind.RELATED_CI
    assert collision.path == ("payroll-app", "payroll-vm", "esx-07")
    assert collision.hops == 2
    # and from the other side it is the same path, reversed
    [back] = find_collisions(other, hops=2)
    assert back.path == ("esx-07", "payroll-vm", "payroll-app")


def test_beyond_the_hop_limit_no_collision():
    a, _b, _c, d = chain("a", "b", "c", "d")
    mine = planned_change(cis=[a])
    planned_change(cis=[d])
    assert find_collisions(mine, hops=2) == []
    [collision] = find_collisions(mine, hops=3)
    assert collision.path == ("a", "b", "c", "d")


def test_hops_default_from_settings(settings):
    a, _b, c = chain("a", "b", "c")
    mine = planned_change(cis=[a])
    planned_change(cis=[c])
    settings.CHANGE_COLLISION_HOPS = 1
    assert find_collisions(mine) == []
    settings.CHANGE_COLLISION_HOPS = 2
    assert len(find_collisions(mine)) == 1


def test_the_shortest_path_is_reported():
    # given: a -> b -> c -> d and a shortcut a -> d
    a, _b, _c, d = chain("a", "b", "c", "d")
    CIRelationship.objects.create(source=a, target=d, kind=RelationshipKind.DEPENDS_ON)
    mine = planned_change(cis=[a])
    planned_change(cis=[d])
    [collision] = find_collisions(mine, hops=3)
    assert collision.path == ("a", "d")


def test_connects_to_is_not_a_dependency():
    a, b = ConfigurationItemFactory(name="a"), ConfigurationItemFactory(name="b")
    CIRelationship.objects.create(source=a, target=b, kind=RelationshipKind.CONNECTS_TO)
    mine = planned_change(cis=[a])
    planned_change(cis=[b])
    assert find_collisions(mine, hops=3) == []


def test_unrelated_cis_do_not_collide():
    a, _ = chain("a", "b")
    c, _ = chain("c", "d")
    mine = planned_change(cis=[a])
    planned_change(cis=[c])
    assert find_collisions(mine, hops=5) == []


def test_same_service_collides():
    payroll = ServiceFactory(name="Payroll")
    mine = planned_change(services=[payroll])
    other = planned_change(services=[payroll, ServiceFactory(name="HR")])
    [collision] = find_collisions(mine)
    assert (collision.kind, collision.other_number, collision.via) == (
        CollisionKind.SAME_SERVICE,
        other.number,
        "Payroll",
    )


def test_same_assignee_is_double_booked():
    person = UserFactory(username="sam", first_name="Sam", last_name="Spade")
    mine = planned_change(assignee=person)
    other = planned_change(assignee=person)
    planned_change(assignee=UserFactory())
    [collision] = find_collisions(mine)
    assert (collision.kind, collision.other_number, collision.via) == (
        CollisionKind.SAME_ASSIGNEE,
        other.number,
        "Sam Spade",
    )


@pytest.mark.parametrize("state", ["closed", "cancelled", "review"])
def test_finished_changes_do_not_collide(state):
    [db] = chain("db")
    mine = planned_change(cis=[db])
    planned_change(cis=[db], state=state)
    assert find_collisions(mine) == []


@pytest.mark.parametrize("state", ["new", "assess", "authorize", "scheduled", "implement"])
def test_planned_and_active_changes_collide(state):
    [db] = chain("db")
    mine = planned_change(cis=[db])
    planned_change(cis=[db], state=state)
    assert kinds(find_collisions(mine))[0][0] == CollisionKind.SAME_CI


def test_touching_but_not_overlapping_windows_do_not_collide():
    [db] = chain("db")
    mine = planned_change(cis=[db], hours=2)
    planned_change(cis=[db], start=MONDAY + timedelta(hours=2))
    planned_change(cis=[db], start=MONDAY - timedelta(hours=3), hours=3)
    assert find_collisions(mine) == []


def test_a_change_without_a_window_has_no_collisions():
    [db] = chain("db")
    mine = planned_change(cis=[db])
    planned_change(cis=[db])
    mine.planned_start = mine.planned_end = None
    assert find_collisions(mine) == []


def test_every_kind_at_once_in_a_fixed_order_and_query_count():
    # given: one other change sharing everything
    person = UserFactory()
    svc = ServiceFactory()
    a, b = chain("a", "b")
    mine = planned_change(cis=[a], services=[svc], assignee=person)
    planned_change("same", cis=[a, b], services=[svc], assignee=person)
    planned_change("near", cis=[b])
    # when
    with CaptureQueriesContext(connection) as queries:
        found = find_collisions(mine)
    # then: one per kind for "same" (the same CI wins over the nearby one), one for "near"
    assert [(c.kind, c.other_title) for c in found] == [
        (CollisionKind.SAME_CI, "same"),
        (CollisionKind.RELATED_CI, "near"),
        (CollisionKind.SAME_SERVICE, "same"),
        (CollisionKind.SAME_ASSIGNEE, "same"),
    ]
    # my CIs, my services, the overlapping changes, their CIs, their services, the walk
    # (one query per hop on SQLite), CI names, service names
    assert len(queries) <= 10


def test_visibility_limits_what_is_reported(requester):
    [db] = chain("db")
    mine = planned_change(cis=[db])
    planned_change(cis=[db])
    assert find_collisions(mine, user=requester) == []


def test_shortest_paths_walks_both_directions():
    a, b, c = chain("a", "b", "c")
    assert shortest_paths([b.pk], [a.pk, c.pk], 1) == {a.pk: (b.pk, a.pk), c.pk: (b.pk, c.pk)}
    assert shortest_paths([a.pk], [a.pk], 0) == {a.pk: (a.pk,)}
    assert shortest_paths([a.pk], [c.pk], 1) == {}


def test_as_dict_for_the_api():
    [db] = chain("db")
    mine = planned_change(cis=[db])
    other = planned_change(cis=[db])
    [collision] = find_collisions(mine)
    data = collision.as_dict()
    assert data["change"]["number"] == other.number
    assert data["path"] == ["db"]
    assert data["hops"] == 0
