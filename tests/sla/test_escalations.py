"""Escalation steps: each action, run once per clock and point, only when the point fired."""

import json

import pytest

from itsm.core.choices import Priority, StateCategory, TimelineKind
from itsm.core.models import TimelineEntry
from itsm.notifications.choices import Channel
from itsm.notifications.models import Notification, OutboxMessage
from itsm.sla.choices import ClockStage, EscalationAction, StopReason, Target, Trigger
from itsm.sla.models import EscalationStep
from itsm.sla.tasks import sweep
from tests.factories import TeamFactory, UserFactory
from tests.sla.conftest import T0, H, clock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    lead = UserFactory(username="lena.lead")
    members = [UserFactory(username="max.member"), UserFactory(username="mia.member")]
    group = TeamFactory(name="Desk", lead=lead)
    group.members.add(*members)
    return {
        "assignee": members[0],
        "lead": lead,
        "members": members,
        "group": group,
        "boss": UserFactory(username="mona.boss"),
        "watcher": UserFactory(username="walt.watcher"),
    }


@pytest.fixture
def escalating(frozen, define, new_task, people):
    """`escalating(action, trigger=..., percent=..., **step_fields)` returns a task whose
    definition (1 h, warnings at 50%) has that one step; the task is in the Desk group."""

    def make(action, *, trigger=Trigger.BREACH, percent=None, definition_fields=None, **fields):
        definition = define(Target.RESOLUTION, 1 * H, warning_thresholds=[50], **(definition_fields or {}))
        step = EscalationStep(
            definition=definition, trigger=trigger, percent=percent, action=action, **fields
        )
        step.full_clean()
        step.save()
        task = new_task(
            assignee=people["assignee"], assignment_group=people["group"], state_category=StateCategory.OPEN
        )
        task.watchers.add(people["watcher"])
        return task

    return make


def escalation_recipients() -> set[str]:
    return set(
        Notification.objects.filter(title__startswith="Escalation").values_list(
            "recipient__username", flat=True
        )
    )


def breach_now(frozen) -> None:
    frozen.move_to(T0 + 1 * H)
    sweep()
    sweep()


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (EscalationAction.NOTIFY_ASSIGNEE, {"max.member"}),
        (EscalationAction.NOTIFY_GROUP, {"max.member", "mia.member"}),
        (EscalationAction.NOTIFY_GROUP_LEAD, {"lena.lead"}),
        (EscalationAction.NOTIFY_WATCHERS, {"walt.watcher"}),
    ],
)
def test_notify_actions_reach_the_right_people_once(frozen, escalating, action, expected):
    # given
    escalating(action)
    # when
    breach_now(frozen)
    # then
    assert escalation_recipients() == expected
    assert Notification.objects.filter(title__startswith="Escalation").count() == len(expected)


def test_notify_a_named_manager(frozen, escalating, people):
    escalating(EscalationAction.NOTIFY_USER, user=people["boss"])
    breach_now(frozen)
    assert escalation_recipients() == {"mona.boss"}
    assert OutboxMessage.objects.filter(to_address=people["boss"].email).count() == 1


def test_a_warning_step_runs_at_its_threshold_only(frozen, escalating, people):
    # given
    escalating(EscalationAction.NOTIFY_USER, trigger=Trigger.WARNING, percent=50, user=people["boss"])
    # when: the 50% point
    frozen.move_to(T0 + H / 2)
    sweep()
    # then
    assert escalation_recipients() == {"mona.boss"}
    # when: the breach
    breach_now(frozen)
    # then: nothing more for the warning step
    assert Notification.objects.filter(title__startswith="Escalation").count() == 1


def test_reassign_to_a_group_restarts_the_ola_and_writes_the_timeline(frozen, escalating, define, people):
    # given
    escalations = TeamFactory(name="Escalations")
    define(Target.OLA, 8 * H)
    task = escalating(EscalationAction.REASSIGN_GROUP, team=escalations)
    version = task.version
    # when
    breach_now(frozen)
    # then
    task.refresh_from_db()
    assert (task.assignment_group, task.assignee, task.version) == (escalations, None, version + 1)
    entry = TimelineEntry.objects.get(task=task, action="sla.escalation_reassigned")
    assert entry.actor is None and entry.changes["assignment_group"]["new"]["label"] == "Escalations"
    old, new = task.sla_clocks.filter(target=Target.OLA).order_by("pk")
    assert (old.stop_reason, new.team, new.stage) == (StopReason.HANDED_OVER, escalations, ClockStage.RUNNING)


def test_raise_priority_re_targets_the_clocks(frozen, escalating, define):
    # given: a P2 definition exists next to the P3 one the task starts on
    task = escalating(EscalationAction.RAISE_PRIORITY, definition_fields={"priorities": [Priority.MODERATE]})
    p2 = define(Target.RESOLUTION, 8 * H, priorities=[Priority.HIGH], name="P2")
    # when
    breach_now(frozen)
    # then
    task.refresh_from_db()
    assert task.priority == Priority.HIGH
    clock = clock_of(task)
    assert clock.definition == p2
    assert clock.breached_at == T0 + 1 * H  # the breach of the first target stays recorded
    assert TimelineEntry.objects.filter(task=task, action="sla.escalation_priority_raised").count() == 1


def test_raise_priority_stops_at_critical(frozen, escalating):
    task = escalating(EscalationAction.RAISE_PRIORITY)
    task.priority = Priority.CRITICAL
    task.save()
    breach_now(frozen)
    task.refresh_from_db()
    assert task.priority == Priority.CRITICAL
    assert not TimelineEntry.objects.filter(action="sla.escalation_priority_raised").exists()


def test_add_a_work_note(frozen, escalating):
    task = escalating(EscalationAction.ADD_WORK_NOTE, note="Call the customer now.")
    breach_now(frozen)
    note = TimelineEntry.objects.get(task=task, kind=TimelineKind.WORK_NOTE)
    assert (note.body, note.actor, note.is_public) == ("Call the customer now.", None, False)


def test_call_a_webhook_queues_one_outbox_row(frozen, escalating):
    # given
    task = escalating(EscalationAction.CALL_WEBHOOK, webhook_url="https://hooks.example.org/sla")
    # when
    breach_now(frozen)
    # then
    row = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    payload = json.loads(row.body_text)
    assert row.to_address == "https://hooks.example.org/sla"
    assert payload["event"] == "sla.breached" and payload["task"]["number"] == task.number
    assert row.dedupe_key.startswith(f"sla:{clock_of(task, open_only=False).pk}:100:step")


def test_steps_of_a_clock_that_did_not_fire_never_run(frozen, escalating, people):
    escalating(EscalationAction.NOTIFY_USER, user=people["boss"])
    frozen.move_to(T0 + H / 2)
    sweep()
    assert escalation_recipients() == set()
