"""HTML mail bodies as plain text: what an HTML-only message says, without any of its markup.

The result is text, never HTML: scripts, styles and event handlers are dropped with their
tags, entities are decoded, and pages escape the text like any other user input.
"""

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "math"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "form", "address",
}  # fmt: skip
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif self._skipping:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self._links.append(href if href.lower().startswith(_SAFE_SCHEMES) else None)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(self._skipping - 1, 0)
        elif self._skipping:
            return
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        elif tag == "a" and self._links:
            href = self._links.pop()
            if href and not href.startswith("mailto:"):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body (links kept as `text (url)`)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort for pathological input
        return re.sub(r"<[^>]*>", " ", html)
    return tidy("".join(parser.parts))


def tidy(text: str) -> str:
    """Collapse runs of spaces inside lines and of blank lines; trim."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
