"""Item descriptions are Markdown rendered by the platform's one renderer (`itsm.core.markdown`,
shared with knowledge) and sanitised: every HTML and Markdown payload of the shared XSS corpus,
typed into a description by an admin, reaches the item page and the API as inert markup."""

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from itsm.core import markdown

CORPUS = Path("/work/shared/testdata/xss/payloads.json")
PAYLOADS = [
    entry
    for entry in (json.loads(CORPUS.read_text()) if CORPUS.exists() else [])
    if {"html", "markdown"} & set(entry["contexts"])
]
SAFE_SCHEMES = {"", "http", "https", "mailto"}
ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code",
                "pre", "blockquote", "a", "img", "br", "hr", "table", "thead", "tbody", "tr", "th",
                "td", "s"}  # fmt: skip


class _Inspector(HTMLParser):
    """Collects what could run: unknown tags, event handlers, script-capable URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"attribute {name} on {tag}")
            if name in ("href", "src") and urlsplit((value or "").strip()).scheme.lower() not in SAFE_SCHEMES:
                self.problems.append(f"{name}={value!r}")


def problems_in(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


def description_part(page: str) -> str:
    start = page.index('<div class="prose">')
    return page[start + len('<div class="prose">') : page.index("</div>", start)]


@pytest.mark.skipif(not PAYLOADS, reason=f"XSS corpus not found at {CORPUS}")
@pytest.mark.parametrize("entry", PAYLOADS, ids=[f"xss{entry['id']}" for entry in PAYLOADS])
def test_rendered_description_carries_nothing_executable(entry):
    html = markdown.render(f"Intro\n\n{entry['payload']}\n\n- a [link](https://example.org) *too*")
    assert problems_in(html) == []
    assert "<script" not in html.lower()


@pytest.mark.skipif(not PAYLOADS, reason=f"XSS corpus not found at {CORPUS}")
def test_item_page_and_api_show_hostile_descriptions_inertly(make_item, client, api_as, requester):
    item = make_item(slug="hostile", name="Hostile")
    client.force_login(requester)
    api = api_as(requester)
    for entry in PAYLOADS:
        item.description = entry["payload"]
        item.save(update_fields=["description"])
        page = client.get(reverse("catalog:item", args=[item.slug])).content.decode()
        shown = description_part(page)
        assert problems_in(shown) == [], entry["id"]
        detail = api.get(f"/api/v1/catalog/items/{item.pk}/").json()
        assert problems_in(detail["description_html"]) == [], entry["id"]


def test_descriptions_use_the_shared_commonmark_renderer(make_item, client, requester):
    item = make_item(
        slug="rich",
        description="## Before you order\n\n| Model | RAM |\n| --- | --- |\n| Dev | 32 GB |\n\n"
        "1. Ask your manager\n2. Order\n\n[Guide](https://intranet.example/guide) `code`",
    )
    client.force_login(requester)
    shown = description_part(client.get(reverse("catalog:item", args=[item.slug])).content.decode())
    assert "<h2>Before you order</h2>" in shown and "<td>32 GB</td>" in shown and "<ol>" in shown
    assert 'rel="noopener noreferrer nofollow"' in shown and "<code>code</code>" in shown
