"""The change write path. Pages, API, Celery tasks and other practices all call these.

Other practices import only this module (tests/test_architecture.py): the catalog's
standard-change hook calls `create_standard_change_for_item`.
"""

from changes.services.cab import agenda, cab_summary, on_cab_decision, policy_for, set_cab_date, stage_specs
from changes.services.catalog import create_standard_change_for_item
from changes.services.change_tasks import create_change_task, move_change_task
from changes.services.creation import EDITABLE_FIELDS, create_change, create_from_template, update_change
from changes.services.links import (
    caused_incidents,
    fixed_problems,
    impact_summary,
    link_caused_incident,
    link_fixed_problem,
)
from changes.services.review import ActionSpec, add_follow_up, complete_follow_up, record_review
from changes.services.risk import assess_risk, evaluate, history_evidence, level_for, questionnaire
from changes.services.transitions import (
    MOVES,
    assess_change,
    cancel_change,
    close_change,
    complete_change,
    implement_change,
    request_authorization,
    rework_change,
    schedule_change,
)

__all__ = [
    "EDITABLE_FIELDS",
    "MOVES",
    "ActionSpec",
    "add_follow_up",
    "agenda",
    "assess_change",
    "assess_risk",
    "cab_summary",
    "cancel_change",
    "caused_incidents",
    "close_change",
    "complete_change",
    "complete_follow_up",
    "create_change",
    "create_change_task",
    "create_from_template",
    "create_standard_change_for_item",
    "evaluate",
    "fixed_problems",
    "history_evidence",
    "impact_summary",
    "implement_change",
    "level_for",
    "link_caused_incident",
    "link_fixed_problem",
    "move_change_task",
    "on_cab_decision",
    "policy_for",
    "questionnaire",
    "record_review",
    "request_authorization",
    "rework_change",
    "schedule_change",
    "set_cab_date",
    "stage_specs",
    "update_change",
]
