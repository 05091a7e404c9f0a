import pytest
from django.db import transaction

from itsm.core.exceptions import StaleVersion
from itsm.core.locking import lock_for_update, save_locked
from itsm.core.models import Task
from tests.factories import TaskFactory


@pytest.mark.django_db
def test_a_save_with_the_current_version_bumps_it():
    # given
    task = TaskFactory()
    # when
    with transaction.atomic():
        locked = lock_for_update(Task.objects.all(), task.pk, expected_version=1)
        locked.title = "New title"
        save_locked(locked, update_fields=["title"])
    # then
    task.refresh_from_db()
    assert (task.title, task.version) == ("New title", 2)


@pytest.mark.django_db
def test_a_stale_version_is_a_clear_conflict_and_changes_nothing():
    # given: someone else saved after we read version 1
    task = TaskFactory()
    with transaction.atomic():
        other = lock_for_update(Task.objects.all(), task.pk)
        save_locked(other, update_fields=[])
    # when / then
    with pytest.raises(StaleVersion) as excinfo, transaction.atomic():
        lock_for_update(Task.objects.all(), task.pk, expected_version=1)
    assert excinfo.value.current == 2
    assert "changed by someone else" in excinfo.value.message


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_a_programming_error():
    task = TaskFactory()
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        lock_for_update(Task.objects.all(), task.pk)
