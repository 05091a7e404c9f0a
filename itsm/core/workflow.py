"""A declarative workflow: states with a category, named transitions, guards.

Each practice declares its table in `workflow.py`; its services call `check` before
mutating and `apply` to move. Templates and the API ask `available` for the buttons.

    INCIDENT_FLOW = Workflow(
        states=[State("new", "New", StateCategory.NEW), ...],
        transitions=[Transition("resolve", "Resolve", sources=("in_progress",), target="resolved",
                                guards=(needs_resolution_code,))],
        initial="new",
    )
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from itsm.core.choices import StateCategory
from itsm.core.exceptions import TransitionNotAllowed

#: A guard returns None when the move is allowed, or the reason why it is not.
Guard = Callable[[Any], str | None]


@dataclass(frozen=True)
class State:
    value: str
    label: str
    category: StateCategory


@dataclass(frozen=True)
class Transition:
    """A named move. `guards` check the record; `requires` check what the caller must supply
    with the move (a hold reason, resolution notes), so `available` offers the move and its
    form, while `check` refuses it without the input."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    guards: tuple[Guard, ...] = field(default=())
    requires: tuple[Guard, ...] = field(default=())

    def blocked_reason(self, record: Any, *, with_inputs: bool = True) -> str | None:
        checks = (*self.guards, *self.requires) if with_inputs else self.guards
        for guard in checks:
            reason = guard(record)
            if reason:
                return reason
        return None


class Workflow:
    """States and allowed moves of one kind of record."""

    def __init__(self, *, states: Iterable[State], transitions: Iterable[Transition], initial: str):
        self.states = {state.value: state for state in states}
        self.transitions = {transition.name: transition for transition in transitions}
        self.initial = initial
        self._validate()

    def _validate(self) -> None:
        if self.initial not in self.states:
            raise ValueError(f"initial state {self.initial!r} is not declared")
        for transition in self.transitions.values():
            for value in (*transition.sources, transition.target):
                if value not in self.states:
                    raise ValueError(f"transition {transition.name!r} uses unknown state {value!r}")

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(state.value, state.label) for state in self.states.values()]

    def category_of(self, value: str) -> StateCategory:
        return self.states[value].category

    def label_of(self, value: str) -> str:
        state = self.states.get(value)
        return state.label if state else value

    def available(self, record: Any) -> list[Transition]:
        """Transitions the record may take now (source matches and every record guard passes)."""
        return [
            transition
            for transition in self.transitions.values()
            if record.state in transition.sources
            and transition.blocked_reason(record, with_inputs=False) is None
        ]

    def check(self, record: Any, name: str) -> Transition:
        """The transition called `name`, or TransitionNotAllowed saying why not."""
        transition = self.transitions.get(name)
        if transition is None:
            raise TransitionNotAllowed(f"There is no transition called {name!r}.")
        if record.state not in transition.sources:
            raise TransitionNotAllowed(
                f"“{transition.label}” is not possible while the record is "
                f"{self.label_of(record.state).lower()}."
            )
        reason = transition.blocked_reason(record)
        if reason:
            raise TransitionNotAllowed(reason)
        return transition

    def apply(self, record: Any, name: str) -> tuple[str, str]:
        """Check and move the record in memory; returns (old state, new state). The caller saves."""
        transition = self.check(record, name)
        old = record.state
        record.state = transition.target
        record.state_category = self.category_of(transition.target)
        return old, transition.target
