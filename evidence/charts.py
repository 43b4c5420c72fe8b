"""Server-side SVG geometry for the dashboard and self-assessment charts (no JavaScript, CSP-safe).

Functions take already aggregated rows (a few dozen at most) and return the coordinates the
templates in ``evidence/includes/`` draw; every chart is followed by a data table.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from core.formats import decimals_needed

# Bar charts put each label above its bar, in full (a truncated label would not match the
# link's accessible name, and the full width is what a phone has): one row is a line of
# text, the bar, and a gap.
LABEL_LINE = 15
BAR_HEIGHT = 18
GAP = 11
ROW = LABEL_LINE + BAR_HEIGHT + GAP
BAR_AREA = 300
CHART_WIDTH = BAR_AREA + 60
# Longer labels are drawn narrower to fit the chart's width (about 7 units a character).
LABEL_FITS = 50


def bar_chart(
    rows,
    *,
    library_url: str,
    base_query: dict | None = None,
    limit: int | None = None,
    keep: str = "first",
    skip_empty: bool = False,
) -> dict:
    """Horizontal bars; each bar links to the library filtered to that bar (plus the page's filters).

    ``bars`` holds every row (for the data table); the picture draws ``drawn``: all of them, or
    with ``limit`` the first (``keep="first"``, e.g. the largest) or the last (``keep="last"``,
    e.g. the latest quarters) ``limit`` rows, so that a long list stays a short picture;
    ``skip_empty`` leaves the rows without a value out of the picture (not out of the table).
    ``decimals``: the one precision every value of the chart is shown with."""
    base = {k: v for k, v in (base_query or {}).items() if v}
    shown = [row for row in rows if row.value] if skip_empty else list(rows)
    if limit is not None and len(shown) > limit:
        shown = shown[-limit:] if keep == "last" else shown[:limit]
    top = max((float(r.value or 0) for r in shown), default=0) or 1

    def bar(i, row) -> dict:
        width = round(BAR_AREA * float(row.value or 0) / top, 1)
        query = dict(base)
        if row.url_query:
            for part in row.url_query.split("&"):
                key, _sep, value = part.partition("=")
                query[key] = value
        top_y = i * ROW
        return {
            "label": row.label,
            "value": row.value,
            "label_y": top_y + LABEL_LINE - 3,
            "label_length": CHART_WIDTH - 10 if len(str(row.label)) > LABEL_FITS else None,
            "y": top_y + LABEL_LINE,
            "text_y": top_y + LABEL_LINE + BAR_HEIGHT - 4,
            "width": max(width, 1 if row.value else 0),
            "value_x": width + 6,
            "href": f"{library_url}?{urlencode(query)}" if row.url_query else "",
        }

    drawn = [bar(i, row) for i, row in enumerate(shown)]
    return {
        "bars": [bar(i, row) for i, row in enumerate(rows)],
        "drawn": drawn,
        "hidden": len(rows) - len(drawn),
        "decimals": decimals_needed(row.value for row in rows),
        "height": max(len(drawn) * ROW - GAP, ROW),
        "width": CHART_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def target_chart(quarters: list[dict]) -> dict:
    """Vertical pairs of bars per quarter: actual (filled) and target (outlined)."""
    top = max([float(q["actual"] or 0) for q in quarters] + [float(q["target"] or 0) for q in quarters] + [0]) or 1
    height, slot = 160, 70
    groups = []
    for i, q in enumerate(quarters):
        actual_h = round(height * float(q["actual"] or 0) / top, 1)
        target_h = round(height * float(q["target"] or 0) / top, 1)
        x = 10 + i * slot
        groups.append(
            {
                **q,
                "x": x,
                "actual_y": 20 + height - actual_h,
                "actual_h": actual_h,
                "target_x": x + 26,
                "target_y": 20 + height - target_h,
                "target_h": target_h,
                "label_x": x + 24,
            }
        )
    return {
        "groups": groups,
        "width": 20 + len(quarters) * slot,
        "height": height + 50,
        "base_y": height + 20,
        "label_y": height + 38,
    }


def radar(labels: list[str], series: list[dict], *, maximum: float = 5.0) -> dict:
    """A radar chart: one axis per dimension; ``series`` = [{"name", "values", "css"}]. The
    canvas is wider than tall so that the axis labels left and right have room."""
    n = max(len(labels), 3)
    width, height, radius = 640, 390, 130
    cx, cy = width / 2, height / 2

    def point(i, value):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (float(value or 0) / maximum)
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    axes = []
    for i, label in enumerate(labels):
        x, y = point(i, maximum)
        lx, ly = point(i, maximum * 1.15)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        if anchor == "middle":
            ly += -6 if ly < cy else 16
        axes.append({"x": x, "y": y, "label": label, "lx": lx, "ly": ly, "anchor": anchor})
    rings = []
    for level in range(1, int(maximum) + 1):
        rings.append(" ".join(f"{x},{y}" for x, y in (point(i, level) for i in range(len(labels)))))
    shapes = []
    for s in series:
        pts = " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(s["values"])))
        shapes.append({**s, "points": pts})
    return {"width": width, "height": height, "cx": cx, "cy": cy, "axes": axes, "rings": rings, "shapes": shapes}
