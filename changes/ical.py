"""An RFC 5545 iCalendar writer for the change calendar feed. Pure Python: no Django.

What calendar apps are strict about, and this module gets right: CRLF line ends; lines
folded at 75 octets (of UTF-8, never inside a character) with a space starting each
continuation; TEXT values escaped (backslash, semicolon, comma, newline); a stable UID per
event; DTSTAMP and every instant in UTC (`...Z`), so no VTIMEZONE is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

CRLF = "\r\n"
#: Octets per line before folding (RFC 5545 §3.1), line break excluded.
LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    """One VEVENT. `status` is TENTATIVE, CONFIRMED or CANCELLED."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    url: str = ""
    status: str = "CONFIRMED"
    categories: tuple[str, ...] = field(default=())
    last_modified: datetime | None = None
    sequence: int = 0


def calendar(events: Iterable[Event], *, name: str, product: str, stamp: datetime) -> str:
    """The whole VCALENDAR text (CRLF line ends, folded)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape(product)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines += _event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def _event_lines(event: Event, stamp: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape(event.uid)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape(event.summary)}",
        f"STATUS:{event.status}",
        f"SEQUENCE:{int(event.sequence)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.url:
        lines.append(f"URL;VALUE=URI:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape(category) for category in event.categories))
    if event.last_modified:
        lines.append(f"LAST-MODIFIED:{utc_stamp(event.last_modified)}")
    lines.append("END:VEVENT")
    return lines


def utc_stamp(value: datetime) -> str:
    """`20250602T080000Z`: an aware datetime in UTC, to the second."""
    if value.tzinfo is None:
        raise ValueError("iCalendar instants must be time-zone aware.")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma escaped; newlines as \\n;
    other control characters dropped (they are not allowed in a content line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return "".join(char for char in text if char == "\t" or ord(char) >= 32 and ord(char) != 127)


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character;
    each continuation starts with one space (which counts towards its 75)."""
    pieces, current, size, limit = [], [], 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def unfold(text: str) -> list[str]:
    """The content lines of an iCalendar text (for tests and for reading a feed back)."""
    return text.replace(CRLF + " ", "").split(CRLF)[:-1]
