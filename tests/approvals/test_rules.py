"""The stage rule arithmetic (pure): pass at the threshold, fail once it is out of reach."""

import pytest

from itsm.approvals.rules import FAILED, PASSED, Tally, evaluate, threshold


@pytest.mark.parametrize(
    ("rule", "total", "required", "expected"),
    [
        ("any", 3, None, 1),
        ("all", 3, None, 3),
        ("majority", 4, None, 3),
        ("majority", 5, None, 3),
        ("count", 5, 2, 2),
    ],
)
def test_threshold(rule, total, required, expected):
    assert threshold(rule, total, required) == expected


@pytest.mark.parametrize(
    ("rule", "required", "tally", "expected"),
    [
        # any: one approval passes; rejections fail only when nobody is left who could approve
        ("any", None, Tally(3, approved=1), PASSED),
        ("any", None, Tally(3, rejected=1), None),
        ("any", None, Tally(3, rejected=2), None),
        ("any", None, Tally(3, rejected=3), FAILED),
        ("any", None, Tally(3, approved=1, rejected=2), PASSED),
        # all: every approval; the first rejection fails
        ("all", None, Tally(3, approved=2), None),
        ("all", None, Tally(3, approved=3), PASSED),
        ("all", None, Tally(3, approved=2, rejected=1), FAILED),
        ("all", None, Tally(3, rejected=1), FAILED),
        # count 2 of 5: passes at two approvals, fails at the fourth rejection
        ("count", 2, Tally(5, approved=1, rejected=2), None),
        ("count", 2, Tally(5, approved=2), PASSED),
        ("count", 2, Tally(5, rejected=3), None),
        ("count", 2, Tally(5, rejected=4), FAILED),
        # majority of 4 (needs 3): the second rejection fails; of 5 (needs 3): the third
        ("majority", None, Tally(4, approved=2, rejected=1), None),
        ("majority", None, Tally(4, approved=3), PASSED),
        ("majority", None, Tally(4, rejected=2), FAILED),
        ("majority", None, Tally(5, approved=2, rejected=2), None),
        ("majority", None, Tally(5, rejected=3), FAILED),
    ],
)
def test_evaluate(rule, required, tally, expected):
    assert evaluate(rule, tally, required) == expected


def test_unknown_rule_and_count_without_required_are_errors():
    with pytest.raises(ValueError):
        threshold("most", 3)
    with pytest.raises(ValueError):
        threshold("count", 3)
