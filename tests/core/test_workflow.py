from types import SimpleNamespace

import pytest

from itsm.core.choices import StateCategory
from itsm.core.exceptions import TransitionNotAllowed
from itsm.core.workflow import State, Transition, Workflow


def needs_resolution_code(record):
    return None if getattr(record, "resolution_code", "") else "Give a resolution code first."


FLOW = Workflow(
    states=[
        State("new", "New", StateCategory.NEW),
        State("in_progress", "In progress", StateCategory.OPEN),
        State("resolved", "Resolved", StateCategory.RESOLVED),
    ],
    transitions=[
        Transition("start", "Start work", sources=("new",), target="in_progress"),
        Transition(
            "resolve",
            "Resolve",
            sources=("new", "in_progress"),
            target="resolved",
            guards=(needs_resolution_code,),
        ),
    ],
    initial="new",
)


def record(state="new", **fields):
    return SimpleNamespace(state=state, state_category=FLOW.category_of(state), **fields)


def test_apply_moves_state_and_category():
    # given
    incident = record()
    # when
    old, new = FLOW.apply(incident, "start")
    # then
    assert (old, new) == ("new", "in_progress")
    assert incident.state_category == StateCategory.OPEN


def test_a_transition_from_the_wrong_state_says_why():
    incident = record("resolved")
    with pytest.raises(
        TransitionNotAllowed, match="“Start work” is not possible while the record is resolved"
    ):
        FLOW.check(incident, "start")


def test_a_failing_guard_gives_its_reason_and_leaves_the_record_alone():
    incident = record("in_progress")
    with pytest.raises(TransitionNotAllowed, match="resolution code"):
        FLOW.apply(incident, "resolve")
    assert incident.state == "in_progress"


def test_unknown_transition_is_refused():
    with pytest.raises(TransitionNotAllowed, match="no transition called 'explode'"):
        FLOW.check(record(), "explode")


def test_available_lists_only_moves_that_would_pass():
    assert [t.name for t in FLOW.available(record("new"))] == ["start"]
    assert [t.name for t in FLOW.available(record("new", resolution_code="fixed"))] == ["start", "resolve"]


def test_a_table_naming_an_unknown_state_is_rejected_at_import():
    with pytest.raises(ValueError, match="unknown state 'gone'"):
        Workflow(
            states=[State("new", "New", StateCategory.NEW)],
            transitions=[Transition("drop", "Drop", sources=("new",), target="gone")],
            initial="new",
        )


def test_moves_that_need_input_are_offered_but_refused_without_it():
    flow = Workflow(
        states=[State("open", "Open", StateCategory.OPEN), State("held", "Held", StateCategory.PENDING)],
        transitions=[
            Transition(
                "hold",
                "Hold",
                sources=("open",),
                target="held",
                requires=(lambda r: None if r.reason else "Why?",),
            )
        ],
        initial="open",
    )
    record = SimpleNamespace(state="open", state_category=StateCategory.OPEN, reason="")
    assert [t.name for t in flow.available(record)] == ["hold"]
    with pytest.raises(TransitionNotAllowed, match="Why"):
        flow.check(record, "hold")
