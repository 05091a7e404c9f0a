"""Known-error suggestions on an incident: same CI or service, similar words; only known errors."""

import pytest

from problems import services
from tests.factories import ConfigurationItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def known_error(
    make_problem, agent, cause="Export job timeout is 30 s", workaround="Export each department", **fields
):
    problem = make_problem(**fields)
    problem = services.update_rca(problem, actor=agent, changes={"root_cause": cause})
    return services.publish_workaround(problem, actor=agent, workaround=workaround)


def test_a_known_error_on_the_same_service_is_suggested(make_problem, make_incident, agent, payroll):
    # given
    match = known_error(make_problem, agent, title="Payroll export times out", service=payroll)
    unrelated = known_error(
        make_problem,
        agent,
        "Reader firmware",
        "Use the side door",
        title="Badge reader offline",
        service=ServiceFactory(),
    )
    not_known = make_problem(title="Payroll export times out too", service=payroll)
    incident = make_incident(title="Payroll export fails with a timeout", service=payroll)
    # when
    suggestions = services.suggest_known_errors(incident)
    # then
    problems = [s.problem for s in suggestions]
    assert problems[0] == match
    assert unrelated not in problems and not_known not in problems
    assert "same service" in suggestions[0].reason


def test_text_alone_finds_a_known_error(make_problem, make_incident, agent):
    match = known_error(make_problem, agent, title="Payroll export times out")
    incident = make_incident(title="export times out again")
    assert [s.problem for s in services.suggest_known_errors(incident)] == [match]


def test_the_same_ci_ranks_first(make_problem, make_incident, agent, payroll):
    ci = ConfigurationItemFactory()
    by_service = known_error(make_problem, agent, title="Payroll export times out", service=payroll)
    by_ci = known_error(make_problem, agent, title="Payroll export times out", configuration_item=ci)
    incident = make_incident(
        title="Payroll export fails with a timeout", service=payroll, configuration_item=ci
    )
    assert [s.problem for s in services.suggest_known_errors(incident)][:2] == [by_ci, by_service]


def test_a_closed_problem_is_no_longer_suggested(make_problem, make_incident, agent, payroll):
    problem = known_error(make_problem, agent, title="Payroll export times out", service=payroll)
    services.cancel_problem(problem, actor=agent, reason="Wrong service")
    assert services.suggest_known_errors(make_incident(service=payroll)) == []


def test_an_incident_with_no_words_and_no_service_gets_nothing(make_incident, make_problem, agent):
    known_error(make_problem, agent)
    assert services.suggest_known_errors(make_incident(title="?!")) == []
