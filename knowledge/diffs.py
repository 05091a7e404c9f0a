"""Differences between two article versions, line by line, for the version compare page."""

import difflib
from dataclasses import dataclass

from knowledge.models import ArticleVersion


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "gap"
    text: str


def diff_versions(old: ArticleVersion, new: ArticleVersion, *, context: int = 3) -> dict[str, list[DiffLine]]:
    """Per field (title, summary, body), the changed lines with some context."""
    return {
        field: _diff(getattr(old, field), getattr(new, field), context)
        for field in ("title", "summary", "body")
    }


def _diff(old: str, new: str, context: int) -> list[DiffLine]:
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("gap", "…"))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines
