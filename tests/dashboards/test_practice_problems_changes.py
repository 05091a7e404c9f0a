"""Problem and change boards: each figure against a hand-computed expectation on fixed data.

The period is 1–7 March 2026 in Paris: records opened at 23:30 UTC on the last day of February
(00:30 in Paris, 1 March) count; those opened at 23:30 UTC on 7 March (8 March in Paris) do not.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes import dashboard as change_board
from itsm.core.choices import Priority, StateCategory
from itsm.dashboards import registry
from problems import dashboard as problem_board
from tests.dashboards.practice_data import at, caused_by, change, incident, problem, scope
from tests.factories import TeamFactory


def figures(board: registry.Board) -> dict:
    return {figure.key: figure for figure in board.figures}


def table(board: registry.Board, key: str) -> list[tuple]:
    found = next(t for t in board.tables if t.key == key)
    return [(row.label, *row.values) for row in found.rows]


def numbers(records: registry.RecordList) -> set[str]:
    return set(records.queryset.values_list("number", flat=True))


@pytest.fixture
def problems(db, team):
    other = TeamFactory(name="Network")
    p1 = problem(
        opened=at(2),
        priority=Priority.CRITICAL,
        known_error_at=at(2, 16),
        state="root_cause_analysis",
        category=StateCategory.OPEN,
        assignment_group=team,
    )
    p2 = problem(
        opened=at(2) - timedelta(days=10),
        priority=Priority.MODERATE,
        known_error_at=at(4),
        state="resolved",
        category=StateCategory.RESOLVED,
        resolved_at=at(5),
    )
    from datetime import UTC, datetime

    p3 = problem(opened=datetime(2026, 2, 28, 23, 30, tzinfo=UTC), assignment_group=other)
    p4 = problem(opened=datetime(2026, 2, 28, 22, 30, tzinfo=UTC))
    p5 = problem(opened=at(3), state="cancelled", category=StateCategory.CANCELLED, resolved_at=at(3, 12))
    for _ in range(2):
        caused_by(incident(opened=at(2)), p1)
    caused_by(incident(opened=at(3)), p3)
    caused_by(incident(opened=at(3)), p2)
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "other": other}


def test_problem_figures(problems, manager):
    board = problem_board.build(scope(manager))
    f = figures(board)
    assert f["open"].value == 3  # p1, p3, p4 (p2 resolved, p5 cancelled)
    assert f["known_errors"].value == 1  # p1 (p2 is a known error but resolved)
    assert f["opened"].value == 3  # p1, p3 (00:30 in Paris on 1 March), p5 (cancelled, still opened)
    assert f["resolved"].value == 1  # p2; the cancelled p5 is not a resolution
    assert f["time_to_root_cause"].metric == 147.0  # (6 h + 288 h) / 2
    assert f["time_to_root_cause"].value == "147.0 h"
    assert table(board, "time_to_root_cause") == [("P1 - Critical", 1, 6.0), ("P3 - Moderate", 1, 288.0)]
    assert table(board, "linked_incidents") == [
        (f"{problems['p1'].number} A problem", 2),
        (f"{problems['p3'].number} A problem", 1),
    ]
    # every open problem of 2026 is over 90 days old by now
    assert table(board, "age") == [
        ("Under 7 days", 0),
        ("7–30 days", 0),
        ("30–90 days", 0),
        ("Over 90 days", 3),
    ]


def test_problem_drill_downs_list_exactly_the_counted_records(problems, manager):
    s = scope(manager)
    p = problems
    assert numbers(problem_board.records(s, "open", "")) == {p["p1"].number, p["p3"].number, p["p4"].number}
    assert numbers(problem_board.records(s, "opened", "")) == {p["p1"].number, p["p3"].number, p["p5"].number}
    assert numbers(problem_board.records(s, "resolved", "")) == {p["p2"].number}
    assert numbers(problem_board.records(s, "rooted", str(Priority.MODERATE))) == {p["p2"].number}
    assert numbers(problem_board.records(s, "age", "3")) == {p["p1"].number, p["p3"].number, p["p4"].number}
    assert len(numbers(problem_board.records(s, "incidents", str(p["p1"].pk)))) == 2
    assert problem_board.records(s, "age", "9") is None
    assert problem_board.records(s, "rooted", "x") is None
    assert problem_board.records(s, "nope", "") is None


def test_problem_filters_narrow_every_figure(problems, manager):
    f = figures(problem_board.build(scope(manager, teams=(problems["other"].pk,))))
    assert (f["open"].value, f["opened"].value, f["known_errors"].value) == (1, 1, 0)
    f = figures(problem_board.build(scope(manager, priority=Priority.CRITICAL)))
    assert (f["open"].value, f["time_to_root_cause"].metric) == (1, 6.0)


@pytest.fixture
def changes(db):
    from datetime import UTC, datetime

    now = timezone.now()
    c = {
        "c1": change(
            opened=at(2),
            resolved_at=at(3),
            close_code="successful",
            state="review",
            category=StateCategory.RESOLVED,
        ),
        "c2": change(
            opened=at(3),
            change_type="emergency",
            resolved_at=at(4),
            close_code="failed",
            state="review",
            category=StateCategory.RESOLVED,
        ),
        "c3": change(
            opened=at(5),
            resolved_at=at(6),
            close_code="backed_out",
            state="closed",
            category=StateCategory.CLOSED,
        ),
        "c4": change(
            opened=datetime(2026, 3, 6, 23, 30, tzinfo=UTC),
            change_type="standard",
            state="authorize",
            category=StateCategory.PENDING,
        ),
        "c5": change(opened=datetime(2026, 3, 7, 23, 30, tzinfo=UTC), change_type="emergency"),
        "c6": change(opened=at(4), state="cancelled", category=StateCategory.CANCELLED),
        "c7": change(
            opened=at(2) - timedelta(days=10),
            resolved_at=at(2),
            close_code="successful_with_issues",
            state="closed",
            category=StateCategory.CLOSED,
        ),
        "c8": change(
            opened=at(1) - timedelta(days=30),
            state="scheduled",
            category=StateCategory.OPEN,
            planned_start=now + timedelta(days=2),
        ),
        "c9": change(
            opened=at(1) - timedelta(days=30),
            state="scheduled",
            category=StateCategory.OPEN,
            planned_start=now + timedelta(days=20),
        ),
        "c10": change(
            opened=at(1) - timedelta(days=30),
            state="cancelled",
            category=StateCategory.CANCELLED,
            planned_start=now + timedelta(days=1),
        ),
    }
    caused_by(incident(opened=at(4, 12)), c["c2"])
    caused_by(incident(opened=at(4, 13)), c["c2"])
    return c


def test_change_figures(changes, manager):
    board = change_board.build(scope(manager))
    f = figures(board)
    assert f["opened"].value == 5  # c1, c2, c3, c4 (7 March 00:30 in Paris), c6 (cancelled); not c5
    assert (f["success_rate"].metric, f["success_rate"].value) == (50.0, "50.0 %")  # c1, c7 of c1, c2, c3, c7
    assert f["unsuccessful"].value == 2  # c2 failed, c3 backed out
    assert f["emergency_share"].metric == 20.0  # c2 of five (c5 opened on 8 March in Paris)
    assert f["caused_incidents"].value == 1  # c2
    assert f["cab_backlog"].value == 1  # c4
    assert f["upcoming"].value == 1  # c8; c9 is beyond 14 days, c10 is cancelled
    assert table(board, "volume_by_type") == [("Standard", 1), ("Normal", 3), ("Emergency", 1)]
    assert table(board, "outcomes") == [
        ("Successful", 1),
        ("Successful with issues", 1),
        ("Failed", 1),
        ("Backed out", 1),
    ]
    assert table(board, "causing_incidents") == [(f"{changes['c2'].number} A change", 2)]
    assert [row[0] for row in table(board, "upcoming")] == [f"{changes['c8'].number} A change"]


def test_change_drill_downs_list_exactly_the_counted_records(changes, manager):
    s = scope(manager)
    c = {key: value.number for key, value in changes.items()}
    assert numbers(change_board.records(s, "opened", "")) == {c["c1"], c["c2"], c["c3"], c["c4"], c["c6"]}
    assert numbers(change_board.records(s, "completed", "")) == {c["c1"], c["c2"], c["c3"], c["c7"]}
    assert numbers(change_board.records(s, "unsuccessful", "")) == {c["c2"], c["c3"]}
    assert numbers(change_board.records(s, "type", "emergency")) == {c["c2"]}
    assert numbers(change_board.records(s, "close_code", "backed_out")) == {c["c3"]}
    assert numbers(change_board.records(s, "caused_incidents", "")) == {c["c2"]}
    assert numbers(change_board.records(s, "cab_backlog", "")) == {c["c4"]}
    assert numbers(change_board.records(s, "upcoming", "")) == {c["c8"]}
    assert len(numbers(change_board.records(s, "incidents", str(changes["c2"].pk)))) == 2
    assert change_board.records(s, "type", "bogus") is None


def test_no_completed_change_gives_no_rate(db, manager):
    f = figures(change_board.build(scope(manager)))
    assert f["success_rate"].metric is None and f["success_rate"].value == "—"
