import pytest

from itsm.core.choices import TimelineKind
from itsm.core.services.timeline import MASK, record_field_changes, record_state_change
from tests.factories import TaskFactory, TeamFactory


@pytest.mark.django_db
def test_field_changes_keep_old_and_new_values_of_changed_fields_only(agent):
    # given
    task = TaskFactory()
    team = TeamFactory(name="Network")
    # when
    entry = record_field_changes(
        task,
        "incident.updated",
        actor=agent,
        before={"priority": 3, "assignment_group": None, "title": "Same"},
        after={"priority": 1, "assignment_group": team, "title": "Same"},
    )
    # then
    assert entry.kind == TimelineKind.FIELD_CHANGE
    assert entry.changes == {
        "priority": {"old": 3, "new": 1},
        "assignment_group": {"old": None, "new": {"id": team.pk, "label": "Network"}},
    }
    assert entry.actor == agent and not entry.is_public


@pytest.mark.django_db
def test_no_entry_when_nothing_changed(agent):
    task = TaskFactory()
    assert record_field_changes(task, "x.updated", actor=agent, before={"a": 1}, after={"a": 1}) is None
    assert task.timeline.count() == 0


@pytest.mark.django_db
def test_sensitive_values_are_masked(agent):
    task = TaskFactory()
    entry = record_field_changes(
        task, "x.updated", actor=agent, before={"password": "a"}, after={"password": "b"}
    )
    assert entry.changes == {"password": {"old": MASK, "new": MASK}}


@pytest.mark.django_db
def test_state_changes_are_public_so_requesters_follow_progress():
    task = TaskFactory()
    entry = record_state_change(task, "incident.resolved", actor=None, old="new", new="resolved")
    assert entry.is_public and entry.kind == TimelineKind.STATE_CHANGE
    assert entry.changes == {"state": {"old": "new", "new": "resolved"}}
