"""Server-rendered inline SVG charts (no JavaScript, nothing fetched from the network)."""

from __future__ import annotations

from decimal import Decimal
from html import escape


def _num(v) -> float:
    return float(v) if isinstance(v, int | float | Decimal) else 0.0


def _fmt(v) -> str:
    v = _num(v)
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.2f}"


def trend(
    title: str,
    labels: list[str],
    values: list,
    *,
    kind: str = "line",
    unit: str = "",
    width: int = 560,
    height: int = 220,
) -> str:
    """A line or bar chart of one series over periods, with axis labels and a <title> per point for screen
    readers and hover. Missing values (None) leave a gap."""
    left, right, top, bottom = 64, 16, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [_num(v) for v in values if v is not None]
    whole = all(isinstance(v, int) for v in values if v is not None)  # counts: no fractional tick labels
    top_value = max(present + [0.0]) or 1.0
    n = max(len(labels), 1)
    step = plot_w / n
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{left}" y="16" class="chart-title">{escape(title)}{f"（{escape(unit)}）" if unit else ""}</text>',
    ]
    for i in range(5):  # grid lines and y labels
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{f"{round(top_value * i / 4):,}" if whole else _fmt(top_value * i / 4)}</text>'
        )
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        cx = left + step * i + step / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 14}" text-anchor="middle" class="axis">{escape(label)}</text>'
        )
        if value is None:
            continue
        h = plot_h * _num(value) / top_value
        y = top + plot_h - h
        tip = f"<title>{escape(label)}：{_fmt(value)}{escape(unit)}</title>"
        if kind == "bar":
            bw = max(step * 0.6, 2)
            parts.append(
                f'<rect x="{cx - bw / 2:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" class="bar">{tip}</rect>'
            )
        else:
            points.append(f"{cx:.1f},{y:.1f}")
            parts.append(f'<circle cx="{cx:.1f}" cy="{y:.1f}" r="3.5" class="dot">{tip}</circle>')
    if kind != "bar" and len(points) > 1:
        parts.insert(2, f'<polyline points="{" ".join(points)}" class="line" fill="none"/>')
    if not present:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" class="axis">暂无数据</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
