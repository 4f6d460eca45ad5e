"""Inline SVG charts drawn on the server: no script, no external file, nothing to fetch."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# Stage colours in workflow order; CLOSED grey so open work stands out.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#c7c7c7",
)  # fmt: skip


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" font-size="12">{body}</svg>'
    )


def percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f} %"


def coverage_bars(items: Sequence[tuple[str, int, int]], label: str) -> str:
    """One bar per (name, covered, total); the bar is the share, the text the counts."""
    left, width, row = 230, 360, 30
    parts = []
    for i, (name, covered, total) in enumerate(items):
        y = 10 + i * row
        share = covered / total if total else None
        filled = 0 if share is None else round(width * share)
        parts.append(
            f'<text x="0" y="{y + 14}">{escape(name)}</text>'
            f'<rect x="{left}" y="{y}" width="{width}" height="18" fill="#eee"/>'
            f'<rect class="bar" x="{left}" y="{y}" width="{filled}" height="18" fill="#c0392b"'
            f' data-covered="{covered}" data-total="{total}"/>'
            f'<text x="{left + width + 8}" y="{y + 14}">{percent(share)} ({covered}/{total})</text>'
        )
    return _svg(left + width + 130, 20 + row * len(items), "".join(parts), label)


def stacked_columns(
    columns: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], label: str
) -> str:
    """Columns (x label, one count per series) stacked bottom-up, with a legend."""
    top, plot_h, col_w, gap, left = 10, 200, 46, 24, 40
    peak = max([sum(values) for _, values in columns] + [1])
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + len(columns) * (col_w + gap)}"'
             f' y2="{top + plot_h}" stroke="#333"/>',
             f'<text x="0" y="{top + 10}">{peak}</text>',
             f'<text x="0" y="{top + plot_h}">0</text>']  # fmt: skip
    for i, (x_label, values) in enumerate(columns):
        x = left + 10 + i * (col_w + gap)
        y: float = top + plot_h
        for k, value in enumerate(values):
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            parts.append(
                f'<rect class="segment" x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(series[k])}: {value}'
                "</title></rect>"
            )
        total = sum(values)
        parts.append(f'<text x="{x}" y="{y - 4:.1f}">{total}</text>')
        parts.append(f'<text x="{x}" y="{top + plot_h + 16}">{escape(x_label)}</text>')
    legend_y = top + plot_h + 34
    for k, name in enumerate(series):
        x, y = left + (k % 4) * 150, legend_y + (k // 4) * 18
        parts.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{y + 10}">{escape(name)}</text>'
        )
    height = legend_y + 18 * ((len(series) + 3) // 4) + 8
    width = max(left + len(columns) * (col_w + gap) + 20, left + 600)
    return _svg(width, height, "".join(parts), label)


def ranking_bars(items: Sequence[tuple[str, float, str]], label: str) -> str:
    """Horizontal bars (name, value, caption), longest first as given."""
    left, width, row = 260, 300, 26
    peak = max([v for _, v, _ in items] + [1])
    parts = []
    for i, (name, value, caption) in enumerate(items):
        y = 8 + i * row
        w = round(width * value / peak)
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(name)}</text>'
            f'<rect class="rank" x="{left}" y="{y}" width="{w}" height="16" fill="#2c7fb8"/>'
            f'<text x="{left + w + 6}" y="{y + 13}">{escape(caption)}</text>'
        )
    return _svg(left + width + 220, 16 + row * max(len(items), 1), "".join(parts), label)
