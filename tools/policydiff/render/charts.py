"""Charts drawn at build time as inline SVG (no script, nothing from another host): a policy's
changes over time (when, how big, how significant) on its timeline, and a calendar of the
changes of every policy on the home page.

Significance is told by shape as well as colour (▲ major, ● minor, ■ trivial), so the charts
read in grey print and for colour-blind readers; colours are CSS custom properties with a
dark-mode value (`policy-diff.css`), text is `currentColor`. Each chart has a title and a
description for screen readers, each mark a `<title>` (its tooltip), and the numbers are
in a table beside it: the timeline's own table, or the calendar's table of counts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from ..escape import html_text
from ..history import Change, PolicyHistory
from ..history.significance import LEVELS, displayed_significance
from ..wording import SIGNIFICANCE_SHORT, day, shortened

WIDTH, HEIGHT = 720, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 34
MONTHS = "JFMAMJJASOND"


def _marker(level: str, x: float, y: float) -> str:
    if level == "major":
        return f'<path class="pd-mark-major" d="M{x:.1f} {y - 6:.1f}l6 10.5h-12z"/>'
    if level == "minor":
        return f'<circle class="pd-mark-minor" cx="{x:.1f}" cy="{y:.1f}" r="4.5"/>'
    return f'<rect class="pd-mark-trivial" x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6"/>'


def _legend(x: float, y: float) -> str:
    parts = []
    for level in reversed(LEVELS):
        parts.append(_marker(level, x + 6, y - 4))
        parts.append(f'<text x="{x + 15:.1f}" y="{y:.1f}">{SIGNIFICANCE_SHORT[level]}</text>')
        x += 78
    return "".join(parts)


def _changed_words(change: Change) -> int:
    summary = change.diff.summary
    return max(summary.words_added, summary.words_removed)


def _counts(changes: Sequence[Change]) -> str:
    counts = Counter(displayed_significance(c) for c in changes)
    return ", ".join(f"{counts[level]} {level}" for level in reversed(LEVELS) if counts[level])


def timeline_chart(history: PolicyHistory, page: str) -> str:
    """The policy's changes on a time axis: a bar as tall as the words changed (log scale),
    topped by the significance's marker. Empty when the policy has no change."""
    changes = history.changes
    if not changes:
        return ""
    start = history.periods[0].start
    end = max(changes[-1].published, history.periods[-1].end)
    first_year, last_year = start.year, end.year + 1
    t0 = datetime(first_year, 1, 1, tzinfo=start.tzinfo).timestamp()
    t1 = datetime(last_year, 1, 1, tzinfo=start.tzinfo).timestamp()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    top_words = max(max(_changed_words(c) for c in changes), 10)
    scale = math.log10(top_words + 1)

    def x_of(moment: datetime) -> float:
        return LEFT + (moment.timestamp() - t0) / (t1 - t0) * plot_w

    def y_of(words: int) -> float:
        return base - max(math.log10(words + 1) / scale, 0.04) * (plot_h - 10)

    parts = [f'<line class="pd-axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>']
    step = max(1, math.ceil((last_year - first_year) / 12))
    for year in range(first_year, last_year + 1, step):
        x = x_of(datetime(year, 1, 1, tzinfo=start.tzinfo))
        parts.append(f'<line class="pd-grid" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{base + 4}"/>')
        if year < last_year or year == first_year:
            parts.append(f'<text x="{x + 3:.1f}" y="{base + 15}">{year}</text>')
    for words in (10, 100, 1000, 10000):
        if words <= top_words * 1.5:
            y = y_of(words)
            parts.append(f'<text class="pd-tick" x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{words:,}</text>')
            parts.append(f'<line class="pd-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
    for change in changes:
        level = displayed_significance(change)
        x, y = x_of(change.published), y_of(_changed_words(change))
        tip = f"{day(change.published)} · {SIGNIFICANCE_SHORT[level]} · {_changed_words(change):,} words: "
        tip += shortened(change.headline, 200)
        parts.append(
            f'<g class="pd-change pd-change-{level}"><title>{html_text(tip)}</title>'
            f'<line class="pd-bar" x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{y:.1f}"/>{_marker(level, x, y)}</g>'
        )
    parts.append(_legend(LEFT, HEIGHT - 4))
    parts.append(
        f'<text class="pd-tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">words changed (log scale)</text>'
    )
    title = f"Changes of the {history.name} over time"
    description = (
        f"{len(changes)} changes from {day(changes[0].published)} to {day(changes[-1].published)}: "
        f"{_counts(changes)}. Each bar is one change, as tall as the words it changed (log scale); "
        "its marker tells its significance (triangle major, circle minor, square trivial). "
        "The table below lists the same changes."
    )
    return _figure("pd-timeline-chart", title, description, WIDTH, HEIGHT, parts)


def calendar_chart(histories: Sequence[PolicyHistory], page_src: str) -> str:
    """Every policy's changes by month: one row per year, a cell per month shaded by how many
    changes it saw, a triangle on months with a major one; a table of the counts below."""
    changes = [(c, h) for h in histories for c in h.changes]
    if not changes:
        return ""
    by_month: dict[tuple[int, int], list[tuple[Change, PolicyHistory]]] = defaultdict(list)
    for change, history in changes:
        by_month[(change.published.year, change.published.month)].append((change, history))
    years = list(range(min(y for y, _ in by_month), max(y for y, _ in by_month) + 1))
    cell, gap, left, top = 26, 3, 44, 22
    width = left + 12 * (cell + gap) + 150
    height = top + len(years) * (cell + gap) + 26
    parts = [
        f'<text class="pd-tick" x="{left + m * (cell + gap) + cell / 2:.1f}" y="{top - 7}" '
        f'text-anchor="middle">{MONTHS[m]}</text>'
        for m in range(12)
    ]
    for row, year in enumerate(years):
        y = top + row * (cell + gap)
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">{year}</text>')
        for month in range(1, 13):
            found = by_month.get((year, month), [])
            x = left + (month - 1) * (cell + gap)
            shade = 0 if not found else 1 if len(found) == 1 else 2 if len(found) <= 3 else 3
            majors = sum(1 for c, _ in found if displayed_significance(c) == "major")
            tip = f"{year}-{month:02d}: " + (
                f"{len(found)} change{'s' if len(found) > 1 else ''} ({_counts([c for c, _ in found])}) — "
                + ", ".join(sorted({h.name for _, h in found}))
                if found
                else "no change"
            )
            mark = _marker("major", x + cell / 2, y + cell / 2 + 1) if majors else ""
            count = (
                f'<text class="pd-count" x="{x + cell - 3}" y="{y + cell - 3}" text-anchor="end">{len(found)}</text>'
                if len(found) > 1
                else ""
            )
            parts.append(
                f'<g class="pd-month"><title>{html_text(shortened(tip, 300))}</title>'
                f'<rect class="pd-shade-{shade}" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3"/>'
                f"{mark}{count}</g>"
            )
    legend_x = left + 12 * (cell + gap) + 12
    parts.append(_marker("major", legend_x + 6, top + 10))
    parts.append(f'<text x="{legend_x + 15}" y="{top + 14}">a major change</text>')
    for i, label in enumerate(("1 change", "2–3", "4 or more")):
        y = top + 28 + i * 20
        parts.append(f'<rect class="pd-shade-{i + 1}" x="{legend_x}" y="{y}" width="12" height="12" rx="2"/>')
        parts.append(f'<text x="{legend_x + 18}" y="{y + 10}">{label}</text>')
    all_changes = [c for c, _ in changes]
    title = "Changes of every tracked policy by month"
    description = (
        f"{len(changes)} changes of {len(histories)} policies from {years[0]} to {years[-1]}: {_counts(all_changes)}. "
        "One row per year, one cell per month, darker for more changes; a triangle marks a month with a major "
        "change. The table of counts follows."
    )
    figure = _figure("pd-calendar-chart", title, description, width, height, parts)
    rows = ["| Month | Changes | Major | Policies |", "|---|---|---|---|"]
    for (year, month), found in sorted(by_month.items(), reverse=True):
        majors = sum(1 for c, _ in found if displayed_significance(c) == "major")
        names = ", ".join(sorted({h.name for _, h in found}))
        rows.append(f"| {year}-{month:02d} | {len(found)} | {majors} | {html_text(names)} |")
    table = "".join(f"    {row}\n" for row in rows)
    return figure + f'??? note "The calendar’s numbers"\n\n{table}\n'


def _figure(css_id: str, title: str, description: str, width: int, height: int, parts: list[str]) -> str:
    """One raw HTML block (a single line: a blank line would end it in Markdown)."""
    svg = (
        f'<svg class="pd-chart-svg" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-labelledby="{css_id}-title {css_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{css_id}-title">{html_text(title)}</title><desc id="{css_id}-desc">{html_text(description)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
    caption = f"<figcaption>{html_text(description)}</figcaption>"
    return f'\n<figure class="pd-chart" id="{css_id}">{svg}{caption}</figure>\n\n'
