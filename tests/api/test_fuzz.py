"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation of `/api/schema/`, as each role (requester, agent, manager, admin) with an API
token, on the WSGI application in-process over the demo data: no 5xx, and no response that
violates the schema. Deterministic (hypothesis derandomised) and bounded: `FUZZ_EXAMPLES`
examples per operation and role (default 3; CI keeps the run well under 4 minutes on 2 cores).
Path ids are drawn half from the ids that exist, so operations reach real records, not just 404.

Run alone: `.venv/bin/python -m pytest tests/api/test_fuzz.py -q -s` (prints the counts).
"""

import os
import time
from collections import Counter

import pytest
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
ROLES = ("requester", "agent", "manager", "admin")
#: Shaping parameters change the answer's shape on purpose (they are tested in test_records.py).
SHAPING = ("fields", "expand")


def build_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def in_process_requests():
    """WSGI requests in the test's thread must not close its connection (the test client's way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def describe(error) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(describe(inner) for inner in error.exceptions)
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " / ".join(lines[:3])[:300]


def fuzzer(operation, role, headers, ids, examples, statuses, failures):
    """A hypothesis test of one operation as one role; counts and collects instead of raising."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), real_id=st.sampled_from(ids), use_real=st.booleans())
    def run(case, real_id, use_real):
        if case.query:
            for name in SHAPING:
                case.query.pop(name, None)
        for name in list(case.path_parameters or {}):
            if use_real and name in ("id", "pk"):
                case.path_parameters[name] = real_id
        # A savepoint per request: on PostgreSQL one failed statement would otherwise abort the
        # test's transaction and turn every later request into a 500, hiding the real culprit.
        savepoint = transaction.savepoint()
        response = case.call(headers=headers)
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)
            failures.append(f"{role} {operation.label} {response.status_code}: {response.text[:300]}")
        else:
            transaction.savepoint_commit(savepoint)
        examples[role] += 1
        statuses[response.status_code // 100] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except (Exception, BaseExceptionGroup) as error:  # collect: one run reports every broken operation
            failures.append(f"{role} {operation.label} {response.status_code}: {describe(error)}")

    return run


@pytest.mark.django_db
def test_every_operation_as_every_role_gives_no_5xx_and_matches_the_schema(in_process_requests):
    from django.conf import settings as django_settings
    from django.contrib.auth import get_user_model

    from itsm.api.models import ApiToken
    from itsm.core.models import Task

    django_settings.API_RATE_LIMITS = {"token": "1000000/minute", "anonymous": "1000000/minute"}
    django_settings.ALLOWED_HOSTS = ["*"]
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects
    keys = {role: ApiToken.issue(users.get(username=role), f"fuzz {role}")[1] for role in ROLES}
    ids = sorted(Task.objects.values_list("pk", flat=True))[:40] or [1]

    schema = schemathesis.openapi.from_dict(build_schema())
    schema.app = get_wsgi_application()
    started = time.monotonic()
    operations, examples, statuses, failures = 0, Counter(), Counter(), []

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for role in ROLES:
            headers = {"Authorization": f"Token {keys[role]}"}
            run = fuzzer(operation, role, headers, ids, examples, statuses, failures)
            run()

    elapsed = time.monotonic() - started
    total = sum(examples.values())
    print(
        f"\nFUZZ: {operations} operations x {len(ROLES)} roles, {total} requests "
        f"({dict(examples)}), status classes {dict(sorted(statuses.items()))}, {elapsed:.0f} s"
    )
    unique = sorted(set(failures))
    first = f"first failure: {failures[0]}\n" if failures else ""
    assert not unique, f"{len(unique)} failing operation(s):\n{first}" + "\n".join(unique[:60])
