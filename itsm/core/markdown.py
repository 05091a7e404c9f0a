"""Markdown for every practice (knowledge articles, catalog item descriptions): CommonMark
rendered by markdown-it-py, then sanitised by nh3.

Two layers, so one mistake never reaches a browser: markdown-it runs with raw HTML off (a
`<script>` typed into an article is text) and refuses `javascript:`/`vbscript:`/`data:` link
targets; nh3 then keeps only the tags and attributes the renderer itself writes, only
http(s)/mailto/relative URLs, and adds `rel` to links.
"""

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "img",
    "br",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "s",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: Table cells carry `text-align` only; code blocks only a `language-xxx` class.
_ALIGN = re.compile(r"^text-align:(left|right|center)$")
_LANG = re.compile(r"^language-[\w+-]{1,30}$")

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        return value if _ALIGN.match(value.replace(" ", "")) else None
    if attribute == "class":
        return value if _LANG.match(value) else None
    return value


def render(text: str) -> str:
    """Safe HTML for Markdown `text`."""
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """The words of a Markdown text without markup, for snippets and diffs of meaning."""
    html = _md.render(text or "")
    return re.sub(r"\s+", " ", unescape(nh3.clean(html, tags=set()))).strip()
