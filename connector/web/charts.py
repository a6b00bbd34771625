"""Charts drawn on the server as SVG (no script, no CDN): horizontal bars and a line over time.

Every label is escaped; colours come from CSS classes so the page's style sheet (screen and print) rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

BAR_HEIGHT = 22
LABEL_WIDTH = 190
VALUE_WIDTH = 110
WIDTH = 640


def _fmt(value: Decimal, unit: str) -> str:
    if unit == "money":
        return f"${value:,.2f}"
    if unit == "percent":
        return f"{value:.2f}%"
    return f"{value:,}"


def bar_chart(
    title: str, rows: Sequence[tuple[str, Decimal]], *, unit: str = "money", css: str = "bar"
) -> Markup:
    """A horizontal bar chart: one labelled bar per row, the value printed beside it."""
    if not rows:
        return Markup("")
    height = 30 + BAR_HEIGHT * len(rows) + 8
    top = max((abs(v) for _, v in rows), default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text class="chart-title" x="0" y="16">{escape(title)}</text>'
    ]
    for index, (label, value) in enumerate(rows):
        y = 30 + index * BAR_HEIGHT
        length = int(span * abs(value) / top)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(short)}'
            f"<title>{escape(label)}</title></text>"
            f'<rect class="{escape(css)}" x="{LABEL_WIDTH}" y="{y + 3}" '
            f'width="{max(length, 1)}" height="16"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6}" y="{y + 15}">'
            f"{escape(_fmt(value, unit))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    title: str, points: Sequence[tuple[str, Decimal | None]], *, unit: str = "money", height: int = 180
) -> Markup:
    """A line over time (x labels as given, e.g. dates); gaps where a value is None."""
    known = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if not known:
        return Markup("")
    left, right, top_pad, bottom = 70, 20, 28, 30
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    low = min(Decimal(0), *(v for _, v in known))
    high = max(v for _, v in known)
    if high == low:
        high = low + 1
    step = plot_w / max(len(points) - 1, 1)

    def xy(i: int, v: Decimal) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h - float((v - low) / (high - low)) * plot_h

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text class="chart-title" x="0" y="16">{escape(title)}</text>'
        f'<line class="axis" x1="{left}" y1="{top_pad + plot_h}" '
        f'x2="{WIDTH - right}" y2="{top_pad + plot_h}"/>'
        f'<text class="chart-label" x="{left - 6}" y="{top_pad + 4}" text-anchor="end">'
        f"{escape(_fmt(high, unit))}</text>"
        f'<text class="chart-label" x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end">'
        f"{escape(_fmt(low, unit))}</text>"
    ]
    path = " ".join(
        f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (x, y) in enumerate(xy(i, v) for i, v in known)
    )
    parts.append(f'<path class="line" d="{path}"/>')
    for i, v in known:
        x, y = xy(i, v)
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(points[i][0])}: '
            f"{escape(_fmt(v, unit))}</title></circle>"
        )
    for i in sorted({0, len(points) - 1}):
        x = left + i * step
        anchor = "start" if i == 0 and len(points) > 1 else "end"
        parts.append(
            f'<text class="chart-label" x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}">'
            f"{escape(points[i][0])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
