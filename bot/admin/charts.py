"""Small SVG charts drawn on the server: no script, no CDN, readable on a phone."""

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

BAR_HEIGHT = 22
LABEL_WIDTH = 150
WIDTH = 360


def bars(items: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), longest value full width."""
    if not items:
        return Markup("")
    top = max(value for _, value in items) or 1
    height = BAR_HEIGHT * len(items) + 4
    room = WIDTH - LABEL_WIDTH - 50
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for number, (label, value) in enumerate(items):
        y = number * BAR_HEIGHT + 2
        length = max(1.0, room * value / top) if value else 0
        short = label if len(label) <= 24 else label[:23] + "…"
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 6}"'
            f' rx="3"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _weekly(points: dict[date, int], first: date, last: date) -> list[tuple[date, int]]:
    start = first - timedelta(days=first.weekday())
    weeks: list[tuple[date, int]] = []
    while start <= last:
        weeks.append((start, sum(points.get(start + timedelta(days=n), 0) for n in range(7))))
        start += timedelta(days=7)
    return weeks


def columns_by_day(points: list[tuple[date, int]], first: date, last: date, *,
                   title: str) -> Markup:
    """Columns over the period: one a day, or one a week (from Monday) beyond 92 days."""
    by_day = dict(points)
    if (last - first).days > 92:
        series, step = _weekly(by_day, first, last), "tuần từ "
    else:
        series = [(first + timedelta(days=n), by_day.get(first + timedelta(days=n), 0))
                  for n in range((last - first).days + 1)]
        step = ""
    top = max((count for _, count in series), default=0) or 1
    height, bottom = 140, 120
    width = WIDTH / max(1, len(series))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
             f'<line x1="0" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" class="axis"/>']
    for number, (day, count) in enumerate(series):
        tall = (bottom - 10) * count / top
        parts.append(f'<rect x="{number * width + 0.5:.1f}" y="{bottom - tall:.1f}" '
                     f'width="{max(0.5, width - 1):.1f}" height="{tall:.1f}"><title>'
                     f'{step}{day:%d/%m}: {count}</title></rect>')
    parts.append(f'<text x="0" y="{height - 4}">{step}{series[0][0]:%d/%m/%Y}</text>'
                 f'<text x="{WIDTH}" y="{height - 4}" text-anchor="end">'
                 f'{series[-1][0]:%d/%m/%Y}</text>'
                 f'<text x="{WIDTH}" y="12" text-anchor="end">cao nhất: {top}</text></svg>')
    return Markup("".join(parts))
