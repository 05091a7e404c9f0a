"""The problem write path. Pages, API, Celery tasks and other practices all call these.

Other practices import only this module (tests/test_architecture.py).
"""

from problems.services.candidates import accept_candidate, dismiss_candidate, propose_problems
from problems.services.common import incident_by_number, parse_numbers
from problems.services.creation import create_problem, update_problem
from problems.services.known_errors import (
    FeatureUnavailable,
    knowledge_publishing_available,
    publish_known_error_article,
    suggest_known_errors,
)
from problems.services.links import (
    link_incident_numbers,
    link_incident_to_problem,
    link_incidents,
    set_fix_change,
    unlink_incident,
)
from problems.services.problem_tasks import create_problem_task, move_problem_task
from problems.services.propagation import resolve_linked_incidents
from problems.services.rca import publish_workaround, update_rca
from problems.services.transitions import (
    MOVES,
    analyse_problem,
    assess_problem,
    cancel_problem,
    close_problem,
    reopen_problem,
    resolve_problem,
    start_fix,
)

__all__ = [
    "MOVES",
    "FeatureUnavailable",
    "accept_candidate",
    "analyse_problem",
    "assess_problem",
    "cancel_problem",
    "close_problem",
    "create_problem",
    "create_problem_task",
    "dismiss_candidate",
    "incident_by_number",
    "knowledge_publishing_available",
    "link_incident_numbers",
    "link_incident_to_problem",
    "link_incidents",
    "move_problem_task",
    "parse_numbers",
    "propose_problems",
    "publish_known_error_article",
    "publish_workaround",
    "reopen_problem",
    "resolve_linked_incidents",
    "resolve_problem",
    "set_fix_change",
    "start_fix",
    "suggest_known_errors",
    "unlink_incident",
    "update_problem",
    "update_rca",
]
