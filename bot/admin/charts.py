"""Small SVG charts drawn on the server: no script, no CDN, readable on a phone."""

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

from bot.admin.report import written

ROW_HEIGHT = 38  # a label's line, then its bar
BAR_HEIGHT = 16
WIDTH = 360
LABEL_CHARACTERS = 58  # what the chart's width holds at its font size


def bars(items: Sequence[tuple[str, float]], *, title: str, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), longest value full width; each label on its
    own line above its bar, whole: "Phường Hồng Hà (chưa rõ thôn, tổ dân phố)" cut to fit
    beside a bar said nothing on a phone, where no mouse shows the full one."""
    if not items:
        return Markup("")
    top = max(value for _, value in items) or 1
    height = ROW_HEIGHT * len(items) + 4
    room = WIDTH - 70
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for number, (label, value) in enumerate(items):
        y = number * ROW_HEIGHT + 2
        length = max(1.0, room * value / top) if value else 0
        short = label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1] + "…"
        shown = f"{written(value)}{unit}"
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(short)}</text>'
            f'<rect x="0" y="{y + 18}" width="{length:.1f}" height="{BAR_HEIGHT}"'
            f' rx="3"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{length + 4:.1f}" y="{y + 31}">{escape(shown)}</text>')
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
                 f'<text x="{WIDTH}" y="12" text-anchor="end">cao nhất: {written(top)}</text>'
                 f'</svg>')
    return Markup("".join(parts))
