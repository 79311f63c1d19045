"""Bar charts drawn on the server as SVG: no script, no style attribute (the site's
Content-Security-Policy allows neither inline), colours from classes in office.css.

Each chart is an image for assistive technology (`role="img"`, named by its `<title>` and
described by its `<desc>`); the page puts the same numbers in a table beside it. Every text
is escaped here; the result is marked safe for the template.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

# Small enough that a phone shows the text at a readable size once the chart is scaled down.
WIDTH = 480
LABEL_WIDTH = 180
VALUE_ROOM = 100  # right of the longest bar, for its figure
BAR = 18
GAP = 6
ROW_GAP = 14
TOP = 8
LEGEND = 24
LABEL_CHARS = 20

_ids = itertools.count(1)


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int, ...]  # one per series
    # The figure written after each bar; the value itself when empty.
    texts: tuple[str, ...] = ()


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(
    *,
    title: str,
    description: str,
    rows: Sequence[Row],
    series: Sequence[str],
    number: Callable[[int], str] = str,
) -> SafeString:
    """Horizontal bars, one group per row and one bar per series, scaled to the largest.

    `number` writes a value (a count, an amount of money in the reader's language).
    """
    chart_id = f"chart-{next(_ids)}"
    top = TOP + (LEGEND if len(series) > 1 else 0)
    group = len(series) * BAR + (len(series) - 1) * GAP
    height = top + max(1, len(rows)) * (group + ROW_GAP) + TOP
    largest = max((abs(v) for row in rows for v in row.values), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    if len(series) > 1:
        x = LABEL_WIDTH
        for index, name in enumerate(series):
            parts.append(
                f'<rect class="bar series-{index}" x="{x}" y="{TOP}" width="12" height="12"/>'
                f'<text class="legend" x="{x + 16}" y="{TOP + 11}">{escape(name)}</text>'
            )
            x += 24 + 8 * len(name)  # about a character's width at the legend's size
    y = top
    for row in rows:
        label_y = y + group / 2 + 5
        parts.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{label_y:.0f}"'
            f' text-anchor="end">{escape(_short(row.label))}</text>'
        )
        for index, value in enumerate(row.values):
            width = round(room * max(value, 0) / largest)
            bar_y = y + index * (BAR + GAP)
            text = row.texts[index] if index < len(row.texts) else number(value)
            parts.append(
                f'<rect class="bar series-{index}" x="{LABEL_WIDTH}" y="{bar_y}"'
                f' width="{max(width, 1) if value else 0}" height="{BAR}"/>'
                f'<text class="figure" x="{LABEL_WIDTH + width + 6}"'
                f' y="{bar_y + BAR - 4}">{escape(text)}</text>'
            )
        y += group + ROW_GAP
    parts.append(
        f'<line class="axis" x1="{LABEL_WIDTH}" y1="{top - 4}" x2="{LABEL_WIDTH}"'
        f" y2={quoteattr(str(height - TOP))}/>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
