import re
import threading

import pytest
from django.db import connection, transaction

from itsm.core.choices import TaskKind
from itsm.core.services.numbering import next_number
from tests.conftest import require_or_skip


@pytest.mark.django_db
def test_numbers_have_the_kind_prefix_and_seven_digits():
    # when
    first = next_number(TaskKind.INCIDENT)
    second = next_number(TaskKind.INCIDENT)
    # then (PostgreSQL sequences are not rolled back between tests, so compare, don't pin)
    assert re.fullmatch(r"INC\d{7}", first)
    assert int(second[3:]) == int(first[3:]) + 1
    assert int(first[3:]) >= 1001


@pytest.mark.django_db
def test_each_kind_counts_on_its_own():
    # given
    problem = next_number(TaskKind.PROBLEM)
    # when
    for _ in range(3):
        next_number(TaskKind.INCIDENT)
    # then
    assert int(next_number(TaskKind.PROBLEM)[3:]) == int(problem[3:]) + 1
    assert re.fullmatch(r"RITM\d{7}", next_number(TaskKind.REQUEST_ITEM))
    assert re.fullmatch(r"TASK\d{7}", next_number(TaskKind.FULFILMENT_TASK))
    assert re.fullmatch(r"CHG\d{7}", next_number(TaskKind.CHANGE))


@pytest.mark.django_db
def test_a_rolled_back_creation_may_leave_a_gap_but_never_a_duplicate():
    # given
    first = next_number(TaskKind.CHANGE)
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(TaskKind.CHANGE)
        raise RuntimeError("creation failed")
    after = next_number(TaskKind.CHANGE)
    # then
    assert after > first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creators_never_get_the_same_number():
    if connection.vendor != "postgresql":
        require_or_skip("postgres", "needs PostgreSQL (set DATABASE_URL=postgres://...)")
    # given
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def create_many():
        try:
            barrier.wait()
            for _ in range(25):
                with transaction.atomic():
                    number = next_number(TaskKind.INCIDENT)
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=create_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert not errors
    assert len(numbers) == 200
    assert len(set(numbers)) == 200
