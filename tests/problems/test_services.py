"""The problem write path: lifecycle, RCA and known errors, links and propagation to incidents."""

import pytest
from django.core.exceptions import ValidationError

from incidents.services import update_incident
from itsm.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed
from itsm.core.models import Task, TimelineEntry
from itsm.core.services.activity import link_tasks
from problems import services
from problems.models import Problem, ProblemTask
from problems.workflow import PROBLEM_WORKFLOW

pytestmark = pytest.mark.django_db


def walk_to(problem, state, actor):
    """Move a problem through the services to `state`."""
    steps = {
        "assessed": ["assess"],
        "root_cause_analysis": ["assess", "analyse"],
        "fix_in_progress": ["assess", "analyse", "fix"],
        "resolved": ["assess", "analyse", "fix", "resolve"],
    }[state]
    for step in steps:
        if step == "fix" and not problem.root_cause:
            problem = services.update_rca(problem, actor=actor, changes={"root_cause": "Timeout too short"})
        if step == "resolve":
            problem = services.resolve_problem(
                problem, actor=actor, resolution_code="fixed", notes="Timeout raised"
            )
        else:
            problem = services.MOVES[step](problem, actor=actor)
    return problem


def test_priority_comes_from_the_incident_matrix(make_problem):
    # given / when
    problem = make_problem(impact=1, urgency=1)
    # then
    assert problem.number.startswith("PRB")
    assert problem.priority == 1
    assert problem.state == "new" and problem.state_category == "new"


def test_requesters_cannot_raise_problems(requester):
    with pytest.raises(PermissionDenied):
        services.create_problem(actor=requester, title="x")


def test_the_whole_lifecycle_through_the_services(make_problem, agent, change_task):
    # given
    problem = make_problem()
    # when
    problem = walk_to(problem, "resolved", agent)
    change_task.state, change_task.state_category = "closed", "closed"
    change_task.save()
    services.set_fix_change(problem, actor=agent, number=change_task.number)
    problem = services.close_problem(problem, actor=agent)
    # then
    assert problem.state == "closed" and problem.closed_at is not None
    actions = list(TimelineEntry.objects.filter(task=problem).values_list("action", flat=True))
    for action in ("problem.created", "problem.assess", "problem.analyse", "problem.fix", "problem.resolve"):
        assert action in actions


ALLOWED = {(t.name, s) for t in PROBLEM_WORKFLOW.transitions.values() for s in t.sources}
STATES = ["new", "assessed", "root_cause_analysis", "fix_in_progress", "resolved"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("move", ["assess", "analyse", "fix", "reopen"])
def test_each_move_is_refused_from_every_other_state(make_problem, agent, state, move):
    # given
    problem = make_problem()
    if state != "new":
        problem = walk_to(problem, state, agent)
    problem = services.update_rca(problem, actor=agent, changes={"root_cause": "cause"})
    # when / then
    if (move, state) in ALLOWED:
        assert services.MOVES[move](problem, actor=agent).state == PROBLEM_WORKFLOW.transitions[move].target
    else:
        with pytest.raises(TransitionNotAllowed):
            services.MOVES[move](problem, actor=agent)


def test_assessing_needs_a_group(make_problem, agent):
    problem = make_problem(assignment_group=None)
    with pytest.raises(TransitionNotAllowed, match="group"):
        services.assess_problem(problem, actor=agent)


def test_the_fix_needs_a_root_cause(make_problem, agent):
    problem = walk_to(make_problem(), "root_cause_analysis", agent)
    with pytest.raises(TransitionNotAllowed, match="root cause"):
        services.start_fix(problem, actor=agent)


def test_resolving_needs_code_and_notes(make_problem, agent):
    problem = walk_to(make_problem(), "fix_in_progress", agent)
    with pytest.raises(TransitionNotAllowed, match="resolution notes"):
        services.resolve_problem(problem, actor=agent, resolution_code="fixed", notes="  ")


def test_closing_without_a_completed_fix_change_needs_a_reason(make_problem, agent, change_task):
    # given: resolved, with a fix change still open
    problem = walk_to(make_problem(), "resolved", agent)
    services.set_fix_change(problem, actor=agent, number=change_task.number)
    # when / then
    with pytest.raises(TransitionNotAllowed, match=f"{change_task.number} is not completed"):
        services.close_problem(problem, actor=agent)
    closed = services.close_problem(problem, actor=agent, reason="Change deferred to next quarter")
    assert closed.state == "closed" and closed.close_reason == "Change deferred to next quarter"


def test_closing_with_no_fix_change_needs_a_reason(make_problem, agent):
    problem = walk_to(make_problem(), "resolved", agent)
    with pytest.raises(TransitionNotAllowed, match="No fix change"):
        services.close_problem(problem, actor=agent)


def test_a_fix_change_must_be_a_change(make_problem, agent, make_incident):
    problem = make_problem()
    with pytest.raises(ValidationError):
        services.set_fix_change(problem, actor=agent, number=make_incident().number)


def test_cancel_needs_a_reason_and_is_final(make_problem, agent):
    problem = make_problem()
    with pytest.raises(TransitionNotAllowed, match="why"):
        services.cancel_problem(problem, actor=agent, reason="")
    problem = services.cancel_problem(problem, actor=agent, reason="Duplicate of PRB1")
    assert problem.state_category == "cancelled"
    for move in ("assess", "reopen"):
        with pytest.raises(TransitionNotAllowed):
            services.MOVES[move](problem, actor=agent)


def test_stale_version_is_refused(make_problem, agent):
    problem = make_problem()
    with pytest.raises(StaleVersion):
        services.assess_problem(problem, actor=agent, expected_version=problem.version + 5)


def test_known_error_needs_root_cause_and_workaround(make_problem, agent):
    # given
    problem = make_problem()
    problem = services.publish_workaround(problem, actor=agent, workaround="Export in two halves")
    assert not problem.known_error
    # when
    problem = services.update_rca(
        problem,
        actor=agent,
        changes={"root_cause": "Timeout of 30 s", "five_whys": ["slow query", " ", "no index"]},
    )
    # then
    assert problem.known_error and problem.known_error_at is not None
    assert problem.five_whys == ["slow query", "no index"]
    with pytest.raises(ValidationError):
        services.update_rca(problem, actor=agent, changes={"five_whys": ["a"] * 6})
    with pytest.raises(ValidationError):
        services.update_rca(problem, actor=agent, changes={"state": "closed"})


def test_linking_in_bulk_reports_each_incident(make_problem, make_incident, agent):
    # given
    problem, other = make_problem(), make_problem(title="Other")
    incidents = [make_incident() for _ in range(3)]
    services.link_incidents(other, [incidents[2]], actor=agent)
    # when
    outcomes = services.link_incidents(problem, incidents, actor=agent)
    again = services.link_incidents(problem, incidents[:1], actor=agent)
    # then
    assert [o.ok for o in outcomes] == [True, True, False]
    assert other.number in outcomes[2].message
    assert not again[0].ok and "already linked" in again[0].message
    assert set(problem.linked_incidents().values_list("pk", flat=True)) == {incidents[0].pk, incidents[1].pk}


def test_linking_by_number_reports_unknown_numbers(make_problem, make_incident, agent):
    problem, incident = make_problem(), make_incident()
    outcomes = services.link_incident_numbers(
        problem, [incident.number, "INC9999999", problem.number], actor=agent
    )
    assert [o.ok for o in outcomes] == [False, False, True]


def test_unlinking(make_problem, make_incident, agent):
    problem, incident = make_problem(), make_incident()
    services.link_incidents(problem, [incident], actor=agent)
    services.unlink_incident(problem, incident, actor=agent)
    assert not problem.linked_incidents().exists()
    with pytest.raises(ValidationError):
        services.unlink_incident(problem, incident, actor=agent)


def test_workaround_is_noted_on_open_linked_incidents(make_problem, make_incident, agent):
    # given
    problem = make_problem()
    open_one, closed_one = make_incident(), make_incident()
    closed_one = update_incident(closed_one, actor=agent, changes={"title": "x"})
    from incidents.services import cancel_incident

    cancel_incident(closed_one, actor=agent)
    services.link_incidents(problem, [open_one, closed_one], actor=agent)
    # when
    services.publish_workaround(problem, actor=agent, workaround="Export in two halves")
    # then
    notes = TimelineEntry.objects.filter(action="task.work_note_added", body__contains="Export in two halves")
    assert list(notes.values_list("task_id", flat=True)) == [open_one.pk]
    assert not notes.get().is_public


def test_resolution_notes_incidents_and_resolves_them_in_one_step(make_problem, make_incident, agent):
    # given
    problem = make_problem()
    incidents = [make_incident() for _ in range(2)]
    services.link_incidents(problem, incidents, actor=agent)
    with pytest.raises(ValidationError):
        services.resolve_linked_incidents(problem, actor=agent)
    # when
    problem = walk_to(problem, "resolved", agent)
    notes = TimelineEntry.objects.filter(action="task.work_note_added", body__contains=f"{problem.number}")
    outcomes = services.resolve_linked_incidents(problem, actor=agent)
    # then
    assert notes.count() == 2
    assert all(o.ok for o in outcomes) and len(outcomes) == 2
    assert set(Task.objects.filter(pk__in=[i.pk for i in incidents]).values_list("state", flat=True)) == {
        "resolved"
    }


def test_problem_tasks(make_problem, agent, team):
    # given
    problem = make_problem()
    # when
    task = services.create_problem_task(
        problem, actor=agent, title="Read the logs", task_type="rca", assignment_group=team
    )
    task = services.move_problem_task(task, "complete", actor=agent, outcome="Timeout in the export job")
    # then
    assert task.number.startswith("PTASK") and task.state == "done"
    assert ProblemTask.objects.get().parent_problem == problem
    assert TimelineEntry.objects.filter(task=problem, action="problem.task_completed").exists()
    with pytest.raises(TransitionNotAllowed):
        services.move_problem_task(task, "start", actor=agent)
    with pytest.raises(ValidationError):
        services.create_problem_task(problem, actor=agent, title=" ", task_type="nonsense")


def test_the_knowledge_hook_publishes_an_agent_only_article_in_review(make_problem, agent, monkeypatch):
    from knowledge.models import Article, KnowledgeBase

    KnowledgeBase.objects.create(name="IT internal", slug="it-internal", is_internal=True)
    problem = make_problem()
    with pytest.raises(ValidationError):  # not a known error yet
        services.publish_known_error_article(problem, actor=agent)
    problem = services.update_rca(problem, actor=agent, changes={"root_cause": "Expired relay certificate"})
    problem = services.publish_workaround(problem, actor=agent, workaround="Restart the relay service")
    article = services.publish_known_error_article(problem, actor=agent)
    article = Article.objects.get(pk=article.pk)
    assert (article.state, article.audience, article.source_number) == ("in_review", "agents", problem.number)
    assert article.title == f"Known error: {problem.title}"
    assert "Expired relay certificate" in article.body and "Restart the relay service" in article.body
    assert problem.timeline.filter(action="problem.article_published", body__contains=article.number).exists()
    # without the knowledge practice's side of the hook, a clear refusal
    monkeypatch.setattr("problems.services.known_errors.knowledge_publishing_available", lambda: False)
    with pytest.raises(services.FeatureUnavailable, match="knowledge practice"):
        services.publish_known_error_article(problem, actor=agent)


def test_incident_can_link_to_only_one_problem_even_through_core_links(make_problem, make_incident, agent):
    # a link made elsewhere (the core link form) is still seen as "linked to a problem"
    problem, other, incident = make_problem(), make_problem(), make_incident()
    link_tasks(incident, other, "caused_by", actor=agent)
    assert not services.link_incidents(problem, [incident], actor=agent)[0].ok
    assert Problem.objects.count() == 2
