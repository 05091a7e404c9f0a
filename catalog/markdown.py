"""A small Markdown subset for item descriptions, sanitised with nh3.

Paragraphs, `#` headings, `-`/`*` bullet lists, `1.` numbered lists, **bold**, *italic*,
`code` and [links](https://...). The text is HTML-escaped before it is converted, and the
result passes through nh3's allow-list, so an admin's description can never carry a script.
"""

import html
import re

import nh3

TAGS = {"p", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "a", "br"}
ATTRIBUTES = {"a": {"href", "title"}}
INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![*\w])\*([^*]+)\*(?!\*)"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\(((?:https?://|/)[^\s)]+)\)"), r'<a href="\2">\1</a>'),
]
LIST_ITEM = re.compile(r"^\s*(?:[-*]|(\d+)\.)\s+(.*)$")
HEADING = re.compile(r"^(#{1,3})\s+(.*)$")


def render(text: str) -> str:
    """Safe HTML for `text`."""
    blocks = re.split(r"\n\s*\n", (text or "").strip())
    rendered = "".join(_block(block) for block in blocks if block.strip())
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, link_rel="noopener noreferrer nofollow")


def _block(block: str) -> str:
    lines = block.strip().splitlines()
    heading = HEADING.match(lines[0])
    if heading and len(lines) == 1:
        level = "h3" if len(heading.group(1)) <= 2 else "h4"
        return f"<{level}>{_inline(heading.group(2))}</{level}>"
    items = [LIST_ITEM.match(line) for line in lines]
    if all(items):
        tag = "ol" if items[0].group(1) else "ul"
        return f"<{tag}>" + "".join(f"<li>{_inline(m.group(2))}</li>" for m in items) + f"</{tag}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    for pattern, replacement in INLINE:
        text = pattern.sub(replacement, text)
    return text
