"""Printable QR posters (A4, PDF and PNG) for an exhibition or a site, linking to its public page.

The text is shaped with Pillow's libraqm layout (HarfBuzz and FriBiDi), so Persian letters join
and run right to left; dates are Jalali with Persian digits; the QR code holds the page's absolute
address and fills a third of the sheet, so it scans from a few steps away.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from bazaarche.jalali import format_date_range, format_time, month_name
from bazaarche.text import digits_for_language, is_persian

from .models import Exhibition, Site
from .schedule import same_hours_every_day, schedule_for, week_order, weekly_label

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

DPI = 150
WIDTH, HEIGHT = 1240, 1754  # A4 (210 × 297 mm) at 150 dpi
MARGIN = 90
BRAND = (15, 118, 110)
ACCENT = (180, 83, 9)
INK = (31, 41, 55)
MUTED = (107, 114, 128)
WHITE = (255, 255, 255)
FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


@dataclass
class PosterText:
    """What a poster says, already in the language it is printed in."""

    title: str
    kicker: str
    dates: str
    lines: list[str] = field(default_factory=list)
    url: str = ""


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    name = "Vazirmatn-Bold.ttf" if bold else "Vazirmatn-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=ImageFont.Layout.RAQM)


def _layout() -> dict:
    if is_persian():
        return {"direction": "rtl", "language": "fa"}
    return {"direction": "ltr", "language": "en"}


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break text into lines no wider than width, measured as shaped text."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate, **_layout()) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _centred(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: ImageFont.FreeTypeFont,
    fill,
    width: int = WIDTH - 2 * MARGIN,
    max_lines: int = 3,
    layout: dict | None = None,
) -> int:
    """Draw wrapped, centred lines from y down; returns the y below them."""
    step = round(font.size * 1.55)
    lines = _wrap(text, font, width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    for line in lines:
        draw.text((WIDTH // 2, y), line, font=font, fill=fill, anchor="ma", **(layout or _layout()))
        y += step
    return y


def qr_image(url: str, size: int) -> PILImage.Image:
    """A QR code of url, scaled to whole pixels per module and at most size wide."""
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    scale = max(1, size // image.width)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def render(text: PosterText) -> PILImage.Image:
    """The A4 poster as an RGB image."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)

    # The band with the title.
    title_font = _font(76, bold=True)
    title_lines = _wrap(text.title, title_font, WIDTH - 2 * MARGIN)[:3]
    band = 150 + len(title_lines) * round(76 * 1.55)
    draw.rectangle((0, 0, WIDTH, band), fill=BRAND)
    y = 70
    y = _centred(draw, y, text.kicker, _font(38), WHITE, max_lines=2)
    y += 10
    _centred(draw, y, text.title, title_font, WHITE)

    y = band + 50
    y = _centred(draw, y, text.dates, _font(54, bold=True), ACCENT, max_lines=2)
    line_font = _font(38)
    for line in text.lines[:6]:
        y = _centred(draw, y, line, line_font, INK, max_lines=2)

    # The QR code, as large as the room left allows.
    footer = 230
    room = min(HEIGHT - footer - y - 40, 880)
    code = qr_image(text.url, room)
    x = (WIDTH - code.width) // 2
    image.paste(code, (x, y + 20))
    y += 20 + code.height + 20

    y = _centred(
        draw, y, gettext("Scan with your phone's camera for the schedule and the booths."), _font(36), INK
    )
    # The address is Latin and must read left to right whatever the language.
    _centred(draw, y, text.url, _font(28), MUTED, layout={"direction": "ltr", "language": "en"})
    _centred(
        draw,
        HEIGHT - 90,
        gettext("Directorate General of Cooperatives, Labour and Social Welfare"),
        _font(30),
        MUTED,
        max_lines=1,
    )
    return image


def _hours_line(site: Site) -> str:
    hours = week_order(list(site.hours.all()))
    if not hours:
        return ""
    label = weekly_label(hours)
    first = hours[0]
    span = gettext("%(opens)s to %(closes)s") % {
        "opens": format_time(first.opens),
        "closes": format_time(first.closes),
    }
    if same_hours_every_day(hours):
        return gettext("Every day, %(span)s") % {"span": span}
    if label and len({(h.opens, h.closes) for h in hours}) == 1:
        return f"{label}، {span}" if is_persian() else f"{label}, {span}"
    return label


# The size of the poster's text lines (render's line font), and how many rows a line of closures may
# take: past that, the dates are cut short with "and N more days" (the site's page lists them all).
LINE_SIZE = 38
CLOSURE_ROWS = 2


def _days_by_month(days: list[datetime.date]) -> str:
    """Days compactly, by month of the language's calendar: «۲۰، ۲۷ آذر و ۴ دی» / "11, 18 December"."""
    import jdatetime

    months: list[tuple[tuple[int, int], list[int]]] = []
    for day in days:
        if is_persian():
            jalali = jdatetime.date.fromgregorian(date=day)
            key, number = (jalali.year, jalali.month), jalali.day
        else:
            key, number = (day.year, day.month), day.day
        if months and months[-1][0] == key:
            months[-1][1].append(number)
        else:
            months.append((key, [number]))
    # Not "·" between months: beside a digit it reads as a Persian zero.
    text = gettext(" and ").join(
        gettext(", ").join(str(n) for n in numbers) + " " + month_name(key[1]) for key, numbers in months
    )
    return digits_for_language(text)


def _fitting(days: list[datetime.date], line: Callable[[list[datetime.date]], str]) -> str:
    """line(days) for as many of the days as fit in CLOSURE_ROWS rows, the rest counted at the end."""
    font = _font(LINE_SIZE)
    width = WIDTH - 2 * MARGIN
    for shown in range(len(days), 1, -1):
        text = line(days[:shown])
        rest = len(days) - shown
        if rest:
            text = ngettext("%(days)s and %(n)s more day", "%(days)s and %(n)s more days", rest) % {
                "days": text,
                "n": digits_for_language(str(rest)),
            }
        if len(_wrap(text, font, width)) <= CLOSURE_ROWS:
            return text
    rest = len(days) - 1
    first = line(days[:1])
    if not rest:
        return first
    return ngettext("%(days)s and %(n)s more day", "%(days)s and %(n)s more days", rest) % {
        "days": first,
        "n": digits_for_language(str(rest)),
    }


def _exception_lines(site: Site, today: datetime.date) -> list[str]:
    """Closures and changed hours from today on, so a poster never says «every day» of a closed day."""
    schedule = schedule_for(site)
    lines = []
    closed = [e.date for e in schedule.closures if e.date >= today]
    if closed:
        lines.append(
            _fitting(closed, lambda days: gettext("Closed: %(days)s") % {"days": _days_by_month(days)})
        )
    hours_on = {
        day.date: gettext("%(opens)s to %(closes)s")
        % {"opens": format_time(day.opens), "closes": format_time(day.closes)}
        for day in schedule.open_days
        if day.exception is not None and day.date >= today
    }
    if hours_on:
        comma = "، " if is_persian() else ", "

        def other_hours(days: list[datetime.date]) -> str:
            by_hours: dict[str, list[datetime.date]] = {}
            for day in days:
                by_hours.setdefault(hours_on[day], []).append(day)
            spans = gettext("; ").join(
                f"{_days_by_month(group)}{comma}{hours}" for hours, group in by_hours.items()
            )
            return gettext("Other hours: %(days)s") % {"days": spans}

        lines.append(_fitting(list(hours_on), other_hours))
    return lines


def site_text(site: Site, url: str, today: datetime.date | None = None) -> PosterText:
    comma = "، " if is_persian() else ", "
    lines = [f"{site.venue.name}{comma}{site.county.name}"]
    if site.venue.address:
        lines.append(site.venue.address)
    hours = _hours_line(site)
    if hours:
        lines.append(hours)
    lines.extend(_exception_lines(site, today or timezone.localdate()))
    return PosterText(
        title=site.title,
        kicker=site.exhibition.title,
        dates=format_date_range(site.start_date, site.end_date),
        lines=lines,
        url=url,
    )


def exhibition_text(exhibition: Exhibition, sites: Iterable[Site], url: str) -> PosterText:
    sites = [s for s in sites if s.status == Site.Status.ACTIVE]
    dates = ""
    if sites:
        dates = format_date_range(min(s.start_date for s in sites), max(s.end_date for s in sites))
    lines = [f"{s.county.name}: {format_date_range(s.start_date, s.end_date)}" for s in sites[:6]]
    if len(sites) > 6:
        lines[-1] = gettext("and %(n)s more sites") % {"n": digits_for_language(str(len(sites) - 5))}
    return PosterText(
        title=exhibition.title, kicker=exhibition.province.name, dates=dates, lines=lines, url=url
    )


def png_bytes(image: PILImage.Image) -> bytes:
    buffer = io.BytesIO()
    # optimize=True would take half a second for a few kilobytes; the view caches the result anyway.
    image.save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def pdf_bytes(image: PILImage.Image) -> bytes:
    """One A4 page: the image at 150 dpi fills 210 × 297 mm."""
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=DPI, title="Bazaarche poster")
    return buffer.getvalue()
