"""Cut quoted history and signatures from a reply, so the timeline shows what is new.

Mail clients quote in many ways; these are the common ones (Gmail and Apple "On … wrote:",
Outlook's "-----Original Message-----" and its From/Sent/To header block, Outlook on the
web's underscore rule, `>` quoting, localised attribution lines) and the usual signature
delimiters. The full message always stays on the inbound record.
"""

import re

_ATTRIBUTION = re.compile(
    r"^(on\s.{1,300}\swrote:?|am\s.{1,300}\sschrieb\s.{0,200}:|le\s.{1,300}\sa\sécrit\s?:"
    r"|el\s.{1,300}\sescribió:|op\s.{1,300}\sschreef\s.{0,200}:)\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|forwarded message)\s*-{2,}",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{20,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\*?(from|von|de)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\s*\*?(sent|date|gesendet|envoyé|to|an|à|subject|betreff)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(--\s?|sent from my .{1,40}|sent from (outlook|mail) for .{1,40}|get outlook for .{1,40}"
    r"|von meinem .{1,40} gesendet)$",
    re.IGNORECASE,
)


def strip_reply(text: str) -> str:
    """The new part of a reply; the whole text when nothing new would be left."""
    lines = text.split("\n")
    cut = _quote_start(lines)
    kept = lines[:cut]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    reply = "\n".join(kept).strip()
    return reply or _bottom_posted(lines) or text.strip()


def _bottom_posted(lines: list[str]) -> str:
    """A reply written under the quote: the unquoted lines after the attribution."""
    kept = [
        line for line in lines if not line.lstrip().startswith(">") and not _ATTRIBUTION.match(line.strip())
    ]
    return "\n".join(kept).strip()


def _quote_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        stripped = line.strip()
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else stripped
        two_line = stripped.lower().startswith("on ") and _ATTRIBUTION.match(joined)
        if _ATTRIBUTION.match(stripped) or two_line:
            return index
        if _ORIGINAL.match(stripped) or _SIGNATURE.match(stripped):
            return index
        if _RULE.match(stripped) and _header_block_follows(lines, index + 1):
            return index
        if _HEADER_FROM.match(stripped) and _header_block_follows(lines, index + 1, need=1):
            return index
        if stripped.startswith(">") and _only_quotes_follow(lines, index):
            return index
    return len(lines)


def _header_block_follows(lines: list[str], start: int, need: int = 2) -> bool:
    window = [line for line in lines[start : start + 5] if line.strip()]
    hits = sum(1 for line in window if _HEADER_FROM.match(line) or _HEADER_NEXT.match(line))
    return hits >= need


def _only_quotes_follow(lines: list[str], start: int) -> bool:
    rest = [line.strip() for line in lines[start:] if line.strip()]
    quoted = sum(1 for line in rest if line.startswith(">"))
    return quoted >= max(len(rest) - 3, 1)
