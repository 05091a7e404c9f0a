"""Proposing problems: planted clusters are found, unrelated incidents are not merged, dismissals stick."""

import random

import pytest

from itsm.core.exceptions import PermissionDenied, TransitionNotAllowed
from problems import services
from problems.choices import CandidateStatus
from problems.clustering import Item, find_clusters
from problems.models import Candidate
from problems.tasks import propose_problems_task
from tests.factories import ServiceFactory

NOISE_WORDS = [
    "monitor",
    "keyboard",
    "mouse",
    "docking",
    "screen",
    "badge",
    "locker",
    "parking",
    "canteen",
    "calendar",
    "invoice",
    "travel",
    "expense",
    "holiday",
    "printer",
    "toner",
    "scanner",
    "headset",
    "chair",
    "desk",
    "webcam",
    "projector",
    "visitor",
    "wifi",
    "guest",
    "license",
    "adobe",
    "excel",
    "macro",
    "tablet",
    "phone",
    "voicemail",
    "shipment",
    "courier",
    "contract",
    "archive",
    "backup",
]


def noise_text(rng: random.Random) -> str:
    return " ".join(rng.sample(NOISE_WORDS, 4))


def test_planted_clusters_are_found_and_noise_is_not_merged():
    # given: two planted clusters in one service, one in another, and unrelated noise everywhere
    rng = random.Random(3)
    items, next_id = [], iter(range(1, 10_000))
    planted = {
        "vpn": [
            Item(next(next_id), 1, None, f"VPN tunnel drops every {n} minutes anyconnect") for n in range(6)
        ],
        "export": [
            Item(next(next_id), 1, None, f"Payroll export timeout batch {n} failed") for n in range(5)
        ],
        "mail": [
            Item(next(next_id), 2, None, f"Outlook mailbox quota exceeded warning {n}") for n in range(4)
        ],
    }
    noise = [Item(next(next_id), rng.choice([1, 2, 3]), None, noise_text(rng)) for _ in range(120)]
    for group in planted.values():
        items += group
    items += noise
    rng.shuffle(items)
    # when
    clusters = find_clusters(items, threshold=0.5, min_size=3)
    # then: each planted cluster is one cluster, and no cluster mixes planted and noise incidents
    found = [set(c.members) for c in clusters]
    for group in planted.values():
        assert {i.id for i in group} in found
    noise_ids = {i.id for i in noise}
    assert all(
        not (members & noise_ids)
        for members in found
        if members & {i.id for g in planted.values() for i in g}
    )


def test_the_same_text_in_different_services_is_not_one_cluster():
    items = [Item(n, n % 2 + 1, None, "Disk full on file server") for n in range(1, 7)]
    clusters = find_clusters(items, min_size=3)
    assert sorted(c.size for c in clusters) == [3, 3]
    assert len({c.signature for c in clusters}) == 2


def test_incidents_without_service_or_ci_are_left_out():
    items = [Item(n, None, None, "Disk full on file server") for n in range(1, 7)]
    assert find_clusters(items) == []


def test_ci_scope_when_there_is_no_service():
    items = [Item(n, None, 9, "Disk full on file server") for n in range(1, 5)]
    (cluster,) = find_clusters(items)
    assert cluster.scope == ("ci", 9) and 0 < cluster.confidence <= 1


@pytest.fixture
def planted(db, make_incident):
    service = ServiceFactory(name="VPN")
    rng = random.Random(5)
    members = [make_incident(title=f"VPN tunnel drops after {n} minutes", service=service) for n in range(5)]
    for _ in range(10):
        make_incident(title=noise_text(rng), service=service)
    return members


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
    make_incident(title="VPN tunnel drops after 9 minutes", service=planted[0].service)
    report = services.propose_problems()
    assert (report.created, report.updated) == (0, 1)
    assert Candidate.objects.get().size == 6


def test_dismissed_clusters_stay_dismissed(planted, manager, make_incident):
    # given
    services.propose_problems()
    services.dismiss_candidate(Candidate.objects.get(), actor=manager, reason="Known ISP outage")
    # when: the job runs again, even after more incidents joined the cluster
    make_incident(title="VPN tunnel drops after 11 minutes", service=planted[0].service)
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
