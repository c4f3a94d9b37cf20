"""Server-rendered SVG charts for the organiser dashboard: horizontal bars and a day × hour heat strip.

They read the way the page does: in Persian the labels stand on the right and the bars grow
leftwards, the hours run from right to left, and digits are Persian. Nothing is mirrored with a
transform, so text is never flipped; the x positions are computed for the direction instead, and
the SVG's `direction` makes `text-anchor="start"` mean the reading start. Positions are percentages
of the width, so the charts stretch to a phone or a desk without shrinking their text.
Each chart carries a <title> and <desc> for screen readers; the page adds a table with the numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from bazaarche.jalali import format_date
from bazaarche.text import digits_for_language, is_persian
from booths.reports.dashboard import Bar, Dashboard

ROW = 30  # px per bar
BAR = 18  # px bar thickness
LABEL_CHARS = 24  # longer labels are cut with an ellipsis (the full label is the text's tooltip)
HEAT_LEVELS = 5


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def _cut(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class _Frame:
    """Mirrors x positions (in percent of the width) for right-to-left charts."""

    rtl: bool

    def x(self, start: float, width: float = 0) -> float:
        """The left edge of a box that begins `start` percent from the reading start."""
        return 100 - start - width if self.rtl else start

    def point(self, offset: float) -> float:
        return 100 - offset if self.rtl else offset

    @property
    def sign(self) -> int:
        return -1 if self.rtl else 1


def _open(chart_id: str, title: str, desc: str, height: int, rtl: bool, css: str) -> str:
    direction = "rtl" if rtl else "ltr"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" width="100%" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" direction="{direction}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _count(value: int) -> str:
    return digits_for_language(str(value))


def default_value_text(bar: Bar) -> str:
    """ "12", or "12 of 20 · 60%" for a bar with a total."""
    if bar.total is None:
        return _count(bar.value)
    text = gettext("%(value)s of %(total)s") % {"value": _count(bar.value), "total": _count(bar.total)}
    if bar.percent is not None:
        sign = "٪" if is_persian() else "%"
        text += f" · {digits_for_language(f'{bar.percent:.0f}')}{sign}"
    return text


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    rtl: bool,
    label_width: float = 36,
    value_width: float = 12,
    value_text: Callable[[Bar], str] | None = None,
    label_text: Callable[[Bar], str] | None = None,
) -> SafeString:
    """Horizontal bars, one row each. A bar with a total draws its total as a pale track behind it.
    The chart's description for screen readers lists every bar's label and value."""
    frame = _Frame(rtl)
    value_text = value_text or default_value_text
    label_text = label_text or (lambda bar: bar.label)
    desc = ", ".join(f"{label_text(bar)}: {value_text(bar)}" for bar in bars)
    scale = max([max(bar.value, bar.total or 0) for bar in bars] + [1])
    area_start = label_width + 1
    area = 100 - area_start - value_width
    height = max(len(bars), 1) * ROW + 4
    parts = [_open(chart_id, title, desc, height, rtl, "bars")]
    for index, bar in enumerate(bars):
        top = index * ROW + 2
        label = label_text(bar)
        parts.append(
            f'<text class="label" x="{_pct(frame.point(0))}" dx="{2 * frame.sign}" y="{top + ROW / 2}" '
            f'dominant-baseline="central" text-anchor="start"><title>{escape(label)}</title>{escape(_cut(label))}</text>'
        )
        bar_top = top + (ROW - BAR) / 2
        if bar.total is not None:
            width = area * bar.total / scale
            parts.append(
                f'<rect class="track" x="{_pct(frame.x(area_start, width))}" y="{bar_top}" '
                f'width="{_pct(width)}" height="{BAR}" rx="3"/>'
            )
        width = area * bar.value / scale
        parts.append(
            f'<rect class="bar" x="{_pct(frame.x(area_start, width))}" y="{bar_top}" '
            f'width="{_pct(width)}" height="{BAR}" rx="3"/>'
        )
        end = area_start + area * max(bar.value, bar.total or 0) / scale
        parts.append(
            f'<text class="value" x="{_pct(frame.point(end))}" dx="{4 * frame.sign}" y="{top + ROW / 2}" '
            f'dominant-baseline="central" text-anchor="start">{escape(value_text(bar))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def heat_level(value: int, highest: int) -> int:
    """0 for nothing, then 1–4 by share of the busiest cell."""
    if value <= 0 or highest <= 0:
        return 0
    return (
        min(HEAT_LEVELS - 1, 1 + (HEAT_LEVELS - 2) * value // highest) if value < highest else HEAT_LEVELS - 1
    )


def heat_strip(
    days: Sequence[datetime.date],
    hours: Sequence[int],
    counts: dict[tuple[datetime.date, int], int],
    *,
    chart_id: str,
    title: str,
    desc: str,
    rtl: bool,
    language: str | None = None,
    label_width: float = 24,
) -> SafeString:
    """Rows of days, columns of hours; the darker a cell, the more check-ins in that hour."""
    frame = _Frame(rtl)
    head = 22
    height = head + max(len(days), 1) * ROW + 4
    highest = max(counts.values(), default=0)
    cell = (100 - label_width - 1) / max(len(hours), 1)
    parts = [_open(chart_id, title, desc, height, rtl, "heat")]
    for column, hour in enumerate(hours):
        centre = label_width + 1 + cell * (column + 0.5)
        parts.append(
            f'<text class="axis" x="{_pct(frame.point(centre))}" y="{head - 6}" text-anchor="middle">'
            f"{escape(digits_for_language(str(hour), language))}</text>"
        )
    for row, day in enumerate(days):
        top = head + row * ROW
        label = format_date(day, "short", language)
        parts.append(
            f'<text class="label" x="{_pct(frame.point(0))}" dx="{2 * frame.sign}" y="{top + ROW / 2}" '
            f'dominant-baseline="central" text-anchor="start">{escape(label)}</text>'
        )
        for column, hour in enumerate(hours):
            n = counts.get((day, hour), 0)
            x = frame.x(label_width + 1 + cell * column, cell)
            tip = f"{label} {digits_for_language(f'{hour:02d}:00', language)}: {_count(n)}"
            parts.append(
                f'<rect class="heat-{heat_level(n, highest)}" x="{_pct(x)}" y="{top + 2}" '
                f'width="{_pct(cell)}" height="{ROW - 4}"><title>{escape(tip)}</title></rect>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _day_label(bar: Bar) -> str:
    return format_date(datetime.date.fromisoformat(bar.key), "short")


def dashboard_charts(data: Dashboard, *, rtl: bool) -> dict:
    """Every chart of the dashboard page, rendered for the active language."""
    return {
        **_application_charts(data, rtl),
        **_attendance_charts(data, rtl),
        "occupancy": _occupancy_charts(data, rtl),
        **_heat_chart(data, rtl),
    }


def _application_charts(data: Dashboard, rtl: bool) -> dict:
    """Who applied (status, county, category group) and which priority levels were served."""
    return {
        "status": bar_chart(
            data.by_status,
            chart_id="chart-status",
            title=gettext("Applications by status"),
            rtl=rtl,
        ),
        "county": bar_chart(
            data.by_county,
            chart_id="chart-county",
            title=gettext("Applications by the applicant's county"),
            rtl=rtl,
        ),
        "group": bar_chart(
            data.by_group,
            chart_id="chart-group",
            title=gettext("Applications by category group"),
            rtl=rtl,
            label_width=44,
        ),
        "priority": bar_chart(
            data.priority,
            chart_id="chart-priority",
            title=gettext("Priority groups served: placed out of applied"),
            rtl=rtl,
            label_width=24,
            value_width=30,
            label_text=lambda bar: gettext("Level %(level)s") % {"level": digits_for_language(bar.key)},
        ),
    }


def _attendance_charts(data: Dashboard, rtl: bool) -> dict:
    """Check-ins per day and per hour, and the booth-days nobody came to."""
    return {
        "checkins_day": bar_chart(
            [Bar(label="", value=n, key=day.isoformat()) for day, n in data.check_ins.by_day.items()],
            chart_id="chart-checkins-day",
            title=gettext("Check-ins per day"),
            rtl=rtl,
            label_width=28,
            label_text=_day_label,
        ),
        "checkins_hour": bar_chart(
            [
                Bar(label=f"{hour:02d}:00", value=n, key=str(hour))
                for hour, n in data.check_ins.by_hour.items()
            ],
            chart_id="chart-checkins-hour",
            title=gettext("Check-ins per hour of the day"),
            rtl=rtl,
            label_width=20,
            label_text=lambda bar: digits_for_language(bar.label),
        ),
        "no_shows": bar_chart(
            data.no_shows.by_day,
            chart_id="chart-no-shows",
            title=gettext("No-shows per day: booth-days missed out of assigned"),
            rtl=rtl,
            label_width=28,
            value_width=30,
            label_text=_day_label,
        ),
    }


def _occupancy_charts(data: Dashboard, rtl: bool) -> list:
    """(site, chart) for each site: its booths taken per day."""
    return [
        (
            site,
            bar_chart(
                site.days,
                chart_id=f"chart-occupancy-{index}",
                title=gettext("Occupancy of %(site)s per day") % {"site": site.site.title},
                rtl=rtl,
                label_width=28,
                value_width=30,
                label_text=_day_label,
            ),
        )
        for index, site in enumerate(data.occupancy)
    ]


def _heat_chart(data: Dashboard, rtl: bool) -> dict:
    """The day-by-hour heat strip of check-ins with the numbers behind it; None without check-ins."""
    check_ins = data.check_ins
    counts = check_ins.by_day_hour
    if not counts:
        return {"heat": None}
    days = sorted(check_ins.by_day)
    hours = list(range(min(check_ins.by_hour), max(check_ins.by_hour) + 1))
    busiest = max(check_ins.by_hour, key=check_ins.by_hour.get)
    return {
        "heat": heat_strip(
            days,
            hours,
            counts,
            chart_id="chart-heat",
            title=gettext("Check-ins per day and hour"),
            desc=gettext("Busiest hour: %(hour)s with %(n)s check-ins.")
            % {
                "hour": digits_for_language(f"{busiest:02d}:00"),
                "n": _count(max(check_ins.by_hour.values())),
            },
            rtl=rtl,
        ),
        "heat_hours": hours,
        "heat_rows": [
            {
                "day": day,
                "counts": [counts.get((day, hour), 0) for hour in hours],
                "total": check_ins.by_day[day],
            }
            for day in days
        ],
    }
