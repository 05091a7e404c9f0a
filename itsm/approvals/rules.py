"""How a stage's decisions add up. Pure arithmetic, no database, so every rule is easy to test.

One rule covers all four kinds: a stage needs a number of approvals (its *threshold*):

- any:      1
- all:      every approver
- count:    the stage's `required` (a quorum), 1 ≤ required ≤ approvers
- majority: more than half of the approvers (n // 2 + 1)

It **passes** as soon as approvals reach the threshold, and **fails** as soon as they can no
longer reach it: approvals + still-open requests < threshold. Undecided stages stay active.

Consequences: under "any" a rejection fails the stage only once nobody left could approve
(three approvers: the first two rejections leave it active, the third fails it); under "all"
the first rejection fails it; under "majority" of four (threshold 3) the second rejection
fails it; under "count" with required 2 of 5, the fourth rejection fails it.
"""

from dataclasses import dataclass

from itsm.approvals.choices import StageRule

PASSED, FAILED = "passed", "failed"


@dataclass(frozen=True)
class Tally:
    """The decisions of one stage: how many approvers, and how many approved and rejected."""

    total: int
    approved: int = 0
    rejected: int = 0

    @property
    def open(self) -> int:
        return self.total - self.approved - self.rejected


def threshold(rule: str, total: int, required: int | None = None) -> int:
    """The number of approvals the stage needs."""
    if rule == StageRule.ANY:
        return 1
    if rule == StageRule.ALL:
        return total
    if rule == StageRule.MAJORITY:
        return total // 2 + 1
    if rule == StageRule.COUNT:
        if required is None:
            raise ValueError("A 'count' stage needs `required`.")
        return required
    raise ValueError(f"Unknown stage rule {rule!r}.")


def evaluate(rule: str, tally: Tally, required: int | None = None) -> str | None:
    """PASSED, FAILED, or None while the stage is still undecided."""
    needed = threshold(rule, tally.total, required)
    if tally.approved >= needed:
        return PASSED
    if tally.approved + tally.open < needed:
        return FAILED
    return None
