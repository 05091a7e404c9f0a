"""Server-side SVG geometry: the view computes rectangles, the template draws them (no JavaScript).

Series are told apart by fill pattern as well as colour, and every chart comes with a table.
"""

from collections.abc import Sequence

WIDTH = 640
HEIGHT = 200
PAD_BOTTOM = 20


def columns(rows: Sequence[tuple], series: tuple[str, str], width: int = WIDTH, height: int = HEIGHT) -> dict:
    """Paired columns per row (label, first, second) on one scale: the largest value reaches the top."""
    largest = max((max(a, b) for _, a, b in rows), default=0) or 1
    slot = width / max(len(rows), 1)
    bar = max(slot / 2 - 1, 1)
    plot = height - PAD_BOTTOM
    bars = []
    for index, (label, first, second) in enumerate(rows):
        x = index * slot
        for offset, (name, value) in enumerate(((series[0], first), (series[1], second))):
            h = plot * value / largest
            bars.append(
                {
                    "x": round(x + offset * bar, 2),
                    "y": round(plot - h, 2),
                    "width": round(bar, 2),
                    "height": round(h, 2),
                    "series": offset,
                    "title": f"{label}: {name} {value}",
                }
            )
    step = max(len(rows) // 6, 1)
    ticks = [{"x": round(i * slot, 2), "label": str(rows[i][0])} for i in range(0, len(rows), step)]
    return {
        "width": width,
        "height": height,
        "plot": plot,
        "bars": bars,
        "ticks": ticks,
        "largest": largest,
        "series": series,
    }
