"""Proposing problems: planted clusters are found, unrelated incidents are not merged, dismissals stick."""

import random
from itertools import combinations

import pytest

from itsm.core.exceptions import PermissionDenied, TransitionNotAllowed
from problems import services
from problems.choices import CandidateStatus
from problems.clustering import Item, find_clusters
from problems.models import Candidate
from problems.tasks import propose_problems_task
from tests.factories import ServiceFactory
from tests.problems.corpus import generate, service_names


def items_of(rows) -> list[Item]:
    names = service_names()
    return [
        Item(
            r.id,
            r.service_id,
            r.ci_id,
            f"{r.title} {r.description}",
            r.title,
            names[(r.service_id - 1) % len(names)],
        )
        for r in rows
    ]


def pair_scores(rows, clusters) -> tuple[float, float]:
    planted: dict[int, list[int]] = {}
    for row in rows:
        if row.cluster is not None:
            planted.setdefault(row.cluster, []).append(row.id)
    true_pairs = {p for group in planted.values() for p in combinations(sorted(group), 2)}
    found_pairs = {p for c in clusters for p in combinations(sorted(c.members), 2)}
    hits = len(true_pairs & found_pairs)
    return hits / max(len(found_pairs), 1), hits / max(len(true_pairs), 1)


def test_planted_clusters_are_found_among_realistic_noise():
    # given: 10,000 generated incidents on 60 services with 30 planted faults (paraphrased, typos)
    rows = generate(10_000, 30, seed=11)
    # when
    clusters = find_clusters(items_of(rows))
    # then
    precision, recall = pair_scores(rows, clusters)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)


def test_background_incidents_alone_make_almost_no_cluster():
    # given: only everyday incidents ("outlook not working", "error in invoice", chatter, names)
    rows = generate(10_000, 0, seed=4)
    # when
    clusters = find_clusters(items_of(rows))
    # then: thousands share a component and chatter; at most a stray triple looks like a fault
    assert sum(c.size for c in clusters) <= 10


BACKGROUND = items_of(generate(2000, 0, seed=7))
FAULT = [
    "Disk full on file server {n}",
    "file server {n} disk is full",
    "no space left: disk full on server {n}",
]


def fault_items(scope: dict, ids: range) -> list[Item]:
    return [Item(n, text=FAULT[n % 3].format(n=n), **scope) for n in ids]


def test_incidents_that_only_name_the_same_component_are_not_merged():
    complaints = ["printer not working", "problem with the printer", "printer error", "printer is very slow"]
    items = [Item(90_000 + n, 7, None, complaints[n % 4], complaints[n % 4], "Printing") for n in range(40)]
    clusters = find_clusters(BACKGROUND + items)
    assert not any(set(c.members) & {i.id for i in items} for c in clusters)


def test_one_fault_phrased_differently_with_typos_is_one_cluster():
    texts = [
        "Citrix receiver crashes when printing labels",
        "printing labels makes the receiver crash",
        "crash of citrix receiver on printing lables",
        "receiver closes unexpectedly while printing labels, it crashes",
        "Reciever crashes when printing labels from SAP",
    ]
    items = [Item(90_000 + n, 12, None, text, text, "Citrix") for n, text in enumerate(texts)]
    clusters = [c for c in find_clusters(BACKGROUND + items) if c.scope == ("service", 12)]
    assert [sorted(c.members) for c in clusters] == [[i.id for i in items]]
    assert {"crash", "printing", "label"} <= set(clusters[0].terms)


def test_the_same_text_in_different_services_is_not_one_cluster():
    items = fault_items({"service_id": 31, "ci_id": None}, range(90_000, 90_004))
    items += fault_items({"service_id": 32, "ci_id": None}, range(90_004, 90_008))
    clusters = [c for c in find_clusters(BACKGROUND + items) if set(c.members) & {i.id for i in items}]
    assert sorted(c.size for c in clusters) == [4, 4]
    assert len({c.signature for c in clusters}) == 2


def test_incidents_without_service_or_ci_are_left_out():
    items = fault_items({"service_id": None, "ci_id": None}, range(1, 7))
    assert find_clusters(items) == []


def test_ci_scope_when_there_is_no_service():
    items = fault_items({"service_id": None, "ci_id": 9}, range(90_000, 90_004))
    (cluster,) = [c for c in find_clusters(BACKGROUND + items) if c.scope[0] == "ci"]
    assert sorted(cluster.members) == [i.id for i in items]
    assert cluster.scope == ("ci", 9) and 0 < cluster.confidence <= 1


@pytest.fixture
def planted(db, make_incident):
    service = ServiceFactory(name="VPN")
    rng = random.Random(5)
    members = [make_incident(title=vpn_drop(n), service=service) for n in range(5)]
    for n in range(10):
        make_incident(title=rng.choice(VPN_NOISE).format(n=n), service=service)
    return members


VPN_DROPS = [
    "VPN tunnel drops after {n} minutes",
    "anyconnect drops the tunnel every {n} minutes",
    "the VPN tunnel drops every few minutes, anyconnect reconnects ({n})",
]
VPN_NOISE = ["cannot log in to VPN", "VPN token expired", "VPN very slow from home", "new VPN access for {n}"]


def vpn_drop(n: int) -> str:
    return VPN_DROPS[n % 3].format(n=n + 2)


def test_the_beat_job_proposes_and_a_manager_accepts(planted, manager):
    # given
    propose_problems_task.delay()
    candidate = Candidate.objects.get()
    assert candidate.status == CandidateStatus.PROPOSED
    assert set(candidate.members.values_list("pk", flat=True)) == {i.pk for i in planted}
    # when
    problem = services.accept_candidate(candidate, actor=manager)
    # then
    assert set(problem.linked_incidents().values_list("pk", flat=True)) == {i.pk for i in planted}
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ACCEPTED and candidate.problem == problem
    with pytest.raises(TransitionNotAllowed):
        services.dismiss_candidate(candidate, actor=manager)
    # linked incidents are not clustered again
    assert services.propose_problems().clusters == 0


def test_a_second_run_updates_instead_of_duplicating(planted, make_incident):
    services.propose_problems()
    make_incident(title=vpn_drop(9), service=planted[0].service)
    report = services.propose_problems()
    assert (report.created, report.updated) == (0, 1)
    assert Candidate.objects.get().size == 6


def test_dismissed_clusters_stay_dismissed(planted, manager, make_incident):
    # given
    services.propose_problems()
    services.dismiss_candidate(Candidate.objects.get(), actor=manager, reason="Known ISP outage")
    # when: the job runs again, even after more incidents joined the cluster
    make_incident(title=vpn_drop(11), service=planted[0].service)
    report = services.propose_problems()
    # then
    assert report.created == 0 and report.skipped == 1
    assert Candidate.objects.get().status == CandidateStatus.DISMISSED


def test_only_problem_managers_decide(planted, agent):
    services.propose_problems()
    candidate = Candidate.objects.get()
    with pytest.raises(PermissionDenied):
        services.accept_candidate(candidate, actor=agent)
    with pytest.raises(PermissionDenied):
        services.dismiss_candidate(candidate, actor=agent)
