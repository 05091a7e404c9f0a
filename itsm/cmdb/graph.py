"""A CI's neighbourhood as a server-side SVG: what needs it on the left, what it needs on the right.

Drawn in Python so the page needs no JavaScript library and no CDN, and so it is the same
picture for every browser and in a saved page. Every piece of user text (names, classes)
goes through `format_html`, so a CI called `<script>` is drawn as those characters.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem

#: Neighbours drawn per side; the rest are summed up in a last "+ N more" box.
MAX_PER_SIDE = 10
NODE_WIDTH, NODE_HEIGHT, ROW = 210, 44, 58
COLUMNS = (16, 346, 676)  # x of "needed by", the CI, "needs"
TOP = 40  # room for the column headings
WIDTH = COLUMNS[2] + NODE_WIDTH + 16
NAME_CHARS = 28

#: Fill and stroke per badge colour, so the boxes read like the status badges.
PALETTE = {
    "green": ("#e7f5ec", "#2f8a4f"),
    "amber": ("#fdf3dc", "#a86b00"),
    "orange": ("#fde9dc", "#b4531a"),
    "red": ("#fbe4e4", "#b42323"),
    "blue": ("#e4eefb", "#2a5fb0"),
    "teal": ("#e0f4f3", "#1f7a76"),
    "grey": ("#eef0f2", "#5f6b76"),
}


@dataclass
class Node:
    """A box in the picture; `ci` is None for the "+ N more" box."""

    ci: ConfigurationItem | None
    x: int
    y: int
    kinds: list[str] = field(default_factory=list)
    more: int = 0


def neighbourhood_svg(
    ci: ConfigurationItem,
    outgoing: Iterable[CIRelationship],
    incoming: Iterable[CIRelationship],
    *,
    outgoing_total: int | None = None,
    incoming_total: int | None = None,
) -> SafeString:
    """The SVG for `ci`, `outgoing` relationships (target loaded) and `incoming` (source loaded).

    The lists may be cut short (a core switch has thousands of incoming edges); the totals
    then say how many there are, for the "+ N more" box.
    """
    needs = _side([(r.target, r.kind) for r in outgoing], COLUMNS[2], outgoing_total)
    needed_by = _side([(r.source, r.kind) for r in incoming], COLUMNS[0], incoming_total)
    rows = max(len(needs), len(needed_by), 1)
    height = TOP + rows * ROW
    centre = Node(ci, COLUMNS[1], TOP + (rows - 1) * ROW // 2)
    parts = [
        _edges(needed_by, centre, incoming=True),
        _edges(needs, centre, incoming=False),
        _nodes(needed_by),
        _nodes(needs),
        _node(centre, current=True),
    ]
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="ci-graph" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMidYMin meet" aria-labelledby="ci-graph-title ci-graph-desc" '
        'font-family="system-ui, sans-serif" font-size="13">'
        '<title id="ci-graph-title">Neighbourhood of {name}</title>'
        '<desc id="ci-graph-desc">{desc}</desc>'
        '<defs><marker id="ci-graph-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5f6b76"/>'
        "</marker></defs>"
        '<text x="{left}" y="20" fill="#5f6b76" font-weight="600">Needed by</text>'
        '<text x="{right}" y="20" fill="#5f6b76" font-weight="600">Needs</text>'
        "{body}</svg>",
        w=WIDTH,
        h=height,
        name=ci.name,
        desc=_description(ci, needed_by, needs),
        left=COLUMNS[0],
        right=COLUMNS[2],
        body=mark_safe("".join(parts)),  # each part was built with format_html
    )


def _side(pairs: list[tuple[ConfigurationItem, str]], x: int, total: int | None) -> list[Node]:
    """One box per neighbour (a CI related twice lists both kinds), then "+ N more"
    counting the relationships not drawn."""
    grouped: dict[int, Node] = {}
    for neighbour, kind in sorted(pairs, key=lambda pair: pair[0].name):
        grouped.setdefault(neighbour.pk, Node(neighbour, x, 0)).kinds.append(kind)
    nodes = list(grouped.values())
    total = len(pairs) if total is None else total
    shown = nodes if len(nodes) <= MAX_PER_SIDE and total <= len(pairs) else nodes[: MAX_PER_SIDE - 1]
    drawn = sum(len(node.kinds) for node in shown)
    nodes = shown if drawn >= total else [*shown, Node(None, x, 0, more=total - drawn)]
    for row, node in enumerate(nodes):
        node.y = TOP + row * ROW
    return nodes


def _edges(nodes: list[Node], centre: Node, *, incoming: bool) -> str:
    """Arrows point from the CI that needs to the CI that is needed; their ends on the
    centre box are spread over its height so that the arrowheads stay apart."""
    return format_html_join(
        "",
        "{}",
        (
            (
                _edge(
                    node, centre, centre.y + (index + 1) * NODE_HEIGHT // (len(nodes) + 1), incoming=incoming
                ),
            )
            for index, node in enumerate(nodes)
        ),
    )


def _edge(node: Node, centre: Node, centre_y: int, *, incoming: bool) -> SafeString:
    node_y = node.y + NODE_HEIGHT // 2
    if incoming:
        x1, y1, x2, y2 = node.x + NODE_WIDTH, node_y, centre.x, centre_y
    else:
        x1, y1, x2, y2 = centre.x + NODE_WIDTH, centre_y, node.x, node_y
    # The label sits nearer the neighbour, where the edges are still apart.
    near = 0.4 if incoming else 0.6
    label_x, label_y = x1 + (x2 - x1) * near, y1 + (y2 - y1) * near
    return format_html(
        '<g class="ci-graph-edge"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#8a949e" stroke-width="1.5"'
        ' marker-end="url(#ci-graph-arrow)"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#39424b" stroke="#fff" '
        'stroke-width="4" paint-order="stroke">{}</text></g>',
        x1,
        y1,
        x2,
        y2,
        round(label_x),
        round(label_y) - 5,
        ", ".join(_kind_label(kind) for kind in node.kinds),
    )


def _nodes(nodes: list[Node]) -> str:
    return format_html_join("", "{}", ((_node(node),) for node in nodes))


def _node(node: Node, *, current: bool = False) -> SafeString:
    if node.ci is None:
        return format_html(
            '<g class="ci-graph-more"><rect x="{}" y="{}" width="{}" height="{}" rx="8" fill="#fff" '
            'stroke="#8a949e" stroke-dasharray="4 3"/>'
            '<text x="{}" y="{}" fill="#39424b">+ {} more</text></g>',
            node.x,
            node.y,
            NODE_WIDTH,
            NODE_HEIGHT,
            node.x + 12,
            node.y + 27,
            node.more,
        )
    fill, stroke = PALETTE.get(node.ci.status_colour, PALETTE["grey"])
    box = format_html(
        "<title>{name} ({cls}, {status})</title>"
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" '
        'stroke-width="{sw}"/>'
        '<text x="{tx}" y="{ty}" fill="#1d2429" font-weight="{weight}">{short}</text>'
        '<text x="{tx}" y="{cy}" fill="#5f6b76" font-size="11">{cls}</text>',
        name=node.ci.name,
        cls=node.ci.get_ci_class_display(),
        status=node.ci.get_status_display(),
        x=node.x,
        y=node.y,
        w=NODE_WIDTH,
        h=NODE_HEIGHT,
        fill=fill,
        stroke=stroke,
        sw=3 if current else 1.5,
        tx=node.x + 12,
        ty=node.y + 19,
        cy=node.y + 35,
        weight=700 if current else 500,
        short=_shorten(node.ci.name),
    )
    if current:
        return format_html('<g class="ci-graph-node ci-graph-current" aria-current="true">{}</g>', box)
    return format_html('<a href="{}" class="ci-graph-node">{}</a>', node.ci.get_absolute_url(), box)


def _description(ci: ConfigurationItem, needed_by: list[Node], needs: list[Node]) -> str:
    def count(nodes: list[Node]) -> int:
        return sum(node.more or len(node.kinds) for node in nodes)

    return (
        f"{ci.name}: {count(needed_by)} relationships in, from the items that need it; "
        f"{count(needs)} out, to the items it needs."
    )


def _kind_label(kind: str) -> str:
    return RelationshipKind(kind).label.lower() if kind in RelationshipKind.values else kind


def _shorten(name: str) -> str:
    return name if len(name) <= NAME_CHARS else f"{name[: NAME_CHARS - 1]}…"
