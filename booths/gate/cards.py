"""Printable passes: an A6 card as PNG (big QR, shaped right-to-left Persian) and a site's passes as one PDF.

A card is 1240 × 1754 pixels, A6 at 300 dpi, so four of them tile an A4 page exactly: the PDF puts
four passes on each A4 page with their frames as cutting lines. Text is laid out by Pillow with
raqm (HarfBuzz shaping and FriBiDi ordering), so Persian letters join and runs read right to left.
Fonts, the empty card and a site's header are made once and reused: most of a card's time is the
QR and the PNG encoding, as for a bare QR image.
"""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from bazaarche.jalali import JALALI_MONTHS_FA
from bazaarche.text import digits_for_language, to_persian_digits
from booths.gate.passes import grouped, valid_days
from booths.plans.prices import price_text

if TYPE_CHECKING:
    from PIL import Image as PILImage

    from booths.models import Pass

WIDTH, HEIGHT = 1240, 1754  # A6 portrait at 300 dpi; 2 × 2 of them are an A4 page at 300 dpi
# Cards are drawn four black pixels right of a canvas's left edge: those four pixels are, packed two bits
# to the pixel, the zero filter byte that starts each row of the PNG (see `png_bytes`).
PAD = 4
CENTRE = PAD + WIDTH // 2
# Grey levels 0–255 to the four of a 2-bit PNG (black, dark grey, light grey, white), and back.
_TO_2_BITS = [round(v * 3 / 255) for v in range(256)]
_FROM_2_BITS = [min(v, 3) * 85 for v in range(256)]
WHITE = 3  # white on a canvas, which holds grey levels 0–3
DPI = 300
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
QR_SIZE = 800  # pixels the QR takes on the card, quiet zone included (about 68 mm)
HEADER_HEIGHT = 250
MARGIN = 70
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


@dataclass(frozen=True)
class Card:
    """What a pass shows, as text in the card's language."""

    code: str
    site_title: str
    business_name: str
    holder_name: str
    holder_role: str
    booth: str
    days: str
    language: str = "fa"
    # What the booth costs the vendor, for the pass page; the printed card leaves it out (see card_canvas).
    price: str = ""

    @property
    def direction(self) -> str:
        return "rtl" if self.language == "fa" else "ltr"


def card_for(pass_obj: Pass, language: str = "fa") -> Card:
    """The card of a pass; reads the prefetched assignments of `booths.passes.live_passes`."""
    application = pass_obj.application
    vendor = application.vendor
    assignments = list(application.assignments.all())
    with translation.override(language):
        booths, prices = [], []
        for assignment in assignments:
            if assignment.booth.price not in prices:
                prices.append(assignment.booth.price)
            label = gettext("Booth %(booth)s · %(hall)s") % {
                "booth": assignment.booth.code,
                "hall": assignment.booth.hall.name,
            }
            if label not in booths:
                booths.append(label)
        if pass_obj.holder == pass_obj.Holder.VENDOR:
            role = gettext("Vendor")
            name = pass_obj.holder_name or vendor.full_name
        else:
            role = gettext("Helper")
            name = pass_obj.holder_name or gettext("Helper of %(vendor)s") % {"vendor": vendor.full_name}
        site_title = pass_obj.site.title
        no_booth = gettext("No booth assigned")
        # Every text a person reads has the card language's digits; the code stays as issued (QR, gate).
        shown = digits_for_language
        return Card(
            code=pass_obj.code,
            site_title=shown(site_title, language),
            business_name=shown(vendor.business_name or vendor.full_name, language),
            holder_name=shown(name, language),
            holder_role=role,
            booth=shown(" / ".join(booths), language) or no_booth,
            days=days_text(valid_days(pass_obj), language),
            language=language,
            price=" / ".join(price_text(price, language) for price in prices),
        )


def days_text(days: Iterable[datetime.date], language: str = "fa") -> str:
    """Days as a reader counts them: "۲۶ تا ۲۸، ۳۰ آبان ۱۴۰۴" (Jalali, Persian digits) or "17–19, 21 Nov 2025"."""
    days = sorted(set(days))
    if not days:
        return ""
    persian = language == "fa"
    if persian:
        import jdatetime

        parts = [jdatetime.date.fromgregorian(date=d) for d in days]
        month_names = JALALI_MONTHS_FA
    else:
        parts = days
        month_names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    comma, until = ("، ", " تا ") if persian else (", ", "–")
    groups: list[str] = []
    i = 0
    by_month: list[tuple[tuple[int, int], list[str]]] = []
    while i < len(parts):
        # A run of consecutive days in one month is written "first to last".
        j = i
        while (
            j + 1 < len(parts)
            and days[j + 1] - days[j] == datetime.timedelta(days=1)
            and (parts[j + 1].year, parts[j + 1].month) == (parts[i].year, parts[i].month)
        ):
            j += 1
        run = str(parts[i].day) if j == i else f"{parts[i].day}{until}{parts[j].day}"
        month = (parts[i].year, parts[i].month)
        if by_month and by_month[-1][0] == month:
            by_month[-1][1].append(run)
        else:
            by_month.append((month, [run]))
        i = j + 1
    years = {year for (year, _month), _runs in by_month}
    for n, ((year, month), runs) in enumerate(by_month):
        text = f"{comma.join(runs)} {month_names[month - 1]}"
        if len(years) > 1 or n == len(by_month) - 1:
            text += f" {year}"
        groups.append(text)
    text = comma.join(groups)
    return to_persian_digits(text) if persian else text


# --- drawing -------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(weight: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(
        str(FONT_DIR / f"Vazirmatn-{weight}.ttf"), size, layout_engine=ImageFont.Layout.RAQM
    )


@lru_cache(maxsize=1024)
def _fitting_size(text: str, weight: str, size: int, width: int, direction: str, language: str) -> int:
    """The largest font size up to `size` in which `text` fits on one line of `width` pixels."""
    layout = {"direction": direction, "language": language}
    while size > 28 and _font(weight, size).getlength(text, **layout) > width:
        size -= 4
    return size


@lru_cache(maxsize=256)
def _lines(text: str, weight: str, size: int, width: int, direction: str, language: str) -> tuple[str, ...]:
    """At most two lines of at most `width` pixels, broken at spaces."""
    font, layout = _font(weight, size), {"direction": direction, "language": language}
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}", **layout) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return tuple(lines)


@lru_cache(maxsize=4)
def _blank(language: str) -> PILImage.Image:
    """The empty card: frame (the cutting line), header band and the fixed labels."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (PAD + WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    image.paste(0, (0, 0, PAD, HEIGHT))
    draw.rectangle((PAD, 0, PAD + WIDTH - 1, HEIGHT - 1), outline=90, width=2)  # the cutting line
    draw.rectangle((PAD + 10, 10, PAD + WIDTH - 11, HEADER_HEIGHT), fill=30)
    layout = {"direction": "rtl" if language == "fa" else "ltr", "language": language}
    with translation.override(language):
        manual = gettext("Code for entry by hand")
    draw.text((CENTRE, HEIGHT - 170), manual, font=_font("Regular", 30), fill=90, anchor="ms", **layout)
    return image


@lru_cache(maxsize=16)
def _with_site(site_title: str, language: str) -> PILImage.Image:
    """The empty card with the site's title in the header: the same for every pass of a site."""
    from PIL import ImageDraw

    image = _blank(language).copy()
    layout = {"direction": "rtl" if language == "fa" else "ltr", "language": language}
    font = _font("Bold", _fitting_size(site_title, "Bold", 64, WIDTH - 2 * MARGIN, **layout))
    ImageDraw.Draw(image).text((CENTRE, 205), site_title, font=font, fill=255, anchor="ms", **layout)
    return image.point(_TO_2_BITS)  # cards are drawn in the PNG's four grey levels (see `card_canvas`)


def qr_image(code: str, size: int = QR_SIZE, light: int = 255) -> PILImage.Image:
    """The QR of a code, error correction Q, with its quiet zone, as close to `size` pixels as whole modules allow.

    Dark modules are 0, light ones `light`. The pass cards and the benchmark's bare QR images both
    come from here.
    """
    import qrcode
    from PIL import Image

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=1, border=QR_BORDER)
    qr.add_data(code)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    modules = len(matrix)
    pixels = bytes(0 if dark else light for row in matrix for dark in row)
    small = Image.frombytes("L", (modules, modules), pixels)
    box = max(1, size // modules)
    return small.resize((modules * box, modules * box), Image.Resampling.NEAREST)


def qr_svg(code: str, label: str = "") -> str:
    """The QR as a small SVG (one path, quiet zone included) for a phone screen; scales without blur.

    With a label it is an image of that name for screen readers; without one it is hidden from them
    (the page names it nearby, e.g. in a figcaption)."""
    import qrcode
    from django.utils.html import escape

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=1, border=QR_BORDER)
    qr.add_data(code)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" shape-rendering="crispEdges" '
        + (f'role="img" aria-label="{escape(label)}">' if label else 'aria-hidden="true">')
        + f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def _text_mask(text: str, weight: str, size: int, direction: str, language: str):
    """The text as a mask anchored at its middle baseline: (mask, left offset, top offset)."""
    from PIL import Image, ImageDraw

    font = _font(weight, size)
    layout = {"direction": direction, "language": language}
    left, top, right, bottom = font.getbbox(text, anchor="ms", **layout)
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor="ms", **layout)
    return mask, left, top


# Business names, booths, days and the kind of pass repeat across a site's passes (a vendor and
# their helpers, everyone on the same days): their shaped text is kept, not laid out again.
_repeated_text_mask = lru_cache(maxsize=256)(_text_mask)


def _put(image, xy: tuple[int, int], mask_and_offset, ink: int = 0) -> None:
    mask, left, top = mask_and_offset
    image.paste(ink, (xy[0] + left, xy[1] + top, xy[0] + left + mask.width, xy[1] + top + mask.height), mask)


CODE_FONT = ("Bold", 46)


@lru_cache(maxsize=1)
def _code_glyphs() -> dict[str, tuple]:
    """Each code character drawn once, with its advance: the code is set from these, not laid out."""
    from booths.gate.passes import ALPHABET

    font = _font(*CODE_FONT)
    return {ch: (_text_mask(ch, *CODE_FONT, "ltr", "en"), font.getlength(ch)) for ch in ALPHABET}


def _put_code(image, code: str, y: int) -> None:
    """The code in groups of three, left to right, centred: each character from the glyph cache."""
    glyphs = _code_glyphs()
    text = grouped(code)
    if any(ch != " " and ch not in glyphs for ch in text):  # an old or hand-made code: lay it out whole
        from PIL import ImageDraw

        ImageDraw.Draw(image).text((CENTRE, y), text, font=_font(*CODE_FONT), fill=0, anchor="ms")
        return
    tracking, gap = 4, 26  # a little air between letters, more between groups
    width = sum(gap if ch == " " else glyphs[ch][1] + tracking for ch in text)
    x = PAD + (WIDTH - width) / 2
    for ch in text:
        if ch == " ":
            x += gap
            continue
        mask, advance = glyphs[ch]
        _put(image, (round(x + advance / 2), y), mask)
        x += advance + tracking


@lru_cache(maxsize=64)
def _kind_line(role: str, language: str):
    with translation.override(language):
        text = gettext("Entry pass · %(role)s") % {"role": role}
    return _text_mask(text, "Regular", 40, "rtl" if language == "fa" else "ltr", language)


def render_card(card: Card) -> PILImage.Image:
    """The pass as an A6 image (mode L, in four greys) at 300 dpi."""
    return _card_image(card_canvas(card))


def _card_image(canvas: PILImage.Image) -> PILImage.Image:
    return canvas.crop((PAD, 0, PAD + WIDTH, HEIGHT)).point(_FROM_2_BITS)


def card_png_bytes(card: Card) -> bytes:
    return png_bytes(card_canvas(card), padded=True)


def card_canvas(card: Card) -> PILImage.Image:
    """The card drawn PAD pixels from the left of a black-edged canvas, in grey levels 0–3.

    Drawing straight in the PNG's four levels (ink 0 on white 3; text edges blend to 1 and 2)
    spares a pass over every pixel to quantise the card before it is packed.
    """
    from PIL import ImageDraw

    image = _with_site(card.site_title, card.language).copy()
    direction, language = card.direction, card.language
    centre, width = CENTRE, WIDTH - 2 * MARGIN

    _put(image, (centre, 105), _kind_line(card.holder_role, language), ink=WHITE)

    qr = qr_image(card.code, light=WHITE)
    top = HEADER_HEIGHT + 10
    image.paste(qr, (PAD + (WIDTH - qr.width) // 2, top))
    y = top + qr.height + 60

    size = _fitting_size(card.business_name, "Bold", 72, width, direction, language)
    _put(image, (centre, y), _repeated_text_mask(card.business_name, "Bold", size, direction, language))
    y += 90
    # The holder's name is the one text that differs on every pass: laid out directly.
    holder = f"{card.holder_name} ({card.holder_role})"
    size = _fitting_size(holder, "Regular", 54, width, direction, language)
    draw = ImageDraw.Draw(image)
    draw.text(
        (centre, y),
        holder,
        font=_font("Regular", size),
        fill=0,
        anchor="ms",
        direction=direction,
        language=language,
    )
    y += 100
    size = _fitting_size(card.booth, "Bold", 64, width - 40, direction, language)
    draw.rounded_rectangle(
        (PAD + MARGIN, y - 75, PAD + WIDTH - MARGIN, y + 28), radius=18, outline=0, width=4
    )
    _put(image, (centre, y), _repeated_text_mask(card.booth, "Bold", size, direction, language))
    y += 95
    for line in _lines(card.days, "Regular", 48, width, direction, language):
        _put(image, (centre, y), _repeated_text_mask(line, "Regular", 48, direction, language))
        y += 62

    # No price on the printed card: it is the gate's credential, and below two lines of days there is
    # no room for a third line above the hand-entry code. The pass page shows the price.
    _put_code(image, card.code, HEIGHT - 100)
    return image


def png_bytes(image: PILImage.Image, level: int = 1, padded: bool = False) -> bytes:
    """A four-grey PNG at 300 dpi, written directly: rows unfiltered, deflated fast.

    Pillow's encoder tries every row filter on every row of an 8-bit image, which costs more than
    drawing the card; a card of flat black and white with smoothed text edges needs neither the
    filters nor 256 greys (four keep the text edges smooth at 300 dpi). Each row is the filter
    byte 0 then the pixels packed four to a byte: four black pixels to the left of the image give
    exactly that zero byte, so Pillow's packer writes the rows ready for deflate.
    """
    import struct

    from PIL import Image

    if image.mode != "L":
        image = image.convert("L")
    if padded:  # a canvas from `card_canvas`: PAD black pixels, then the card already in levels 0–3
        width, height = image.width - PAD, image.height
        levels = image
    else:
        width, height = image.size
        levels = Image.new("L", (PAD + width, height), 0)
        levels.paste(image.point(_TO_2_BITS), (PAD, 0))
    rows = levels.tobytes("raw", "L;2")  # the low two bits of each pixel, four pixels to a byte

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    per_metre = round(DPI / 0.0254)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 2, 0, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(rows, level)),
            chunk(b"IEND", b""),
        )
    )


def card_png(pass_obj: Pass, language: str = "fa") -> bytes:
    return card_png_bytes(card_for(pass_obj, language))


# --- PDF -----------------------------------------------------------------------------------------

A4_POINTS = (595.28, 841.89)
PER_PAGE = 4


class PdfPages:
    """A PDF written page by page, each page one image in four greys: memory stays flat for thousands of passes.

    Pages come in grey levels 0–3, as cards are drawn (`sheets`), and go in packed two bits to the
    pixel: no conversion, and four greys keep the text edges smooth on paper.
    """

    def __init__(self, out: IO[bytes], page_points: tuple[float, float] = A4_POINTS) -> None:
        self.out = out
        self.page_points = page_points
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next_number = 3  # 1 is the catalogue, 2 the page tree, written last
        self.written = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.written += len(data)

    def _object(self, number: int, head: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.written
        self._write(b"%d 0 obj\n" % number + head)
        if stream is not None:
            self._write(b"\nstream\n" + stream + b"\nendstream")
        self._write(b"\nendobj\n")

    def _number(self) -> int:
        self.next_number += 1
        return self.next_number - 1

    def add_page(self, levels: PILImage.Image) -> None:
        """A page from an image in grey levels 0 (black) to 3 (white), stretched over the whole page."""
        data = zlib.compress(levels.tobytes("raw", "L;2"), 3)
        width, height = self.page_points
        image_number, content_number, page_number = self._number(), self._number(), self._number()
        self._object(
            image_number,
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 2 /Filter /FlateDecode /Length %d >>"
            % (levels.width, levels.height, len(data)),
            data,
        )
        content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (width, height)
        self._object(content_number, b"<< /Length %d >>" % len(content), content)
        self._object(
            page_number,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (width, height, image_number, content_number),
        )
        self.pages.append(page_number)

    def close(self) -> None:
        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        self._object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.pages)))
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        xref_at = self.written
        count = self.next_number
        lines = [b"xref\n0 %d\n" % count, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, count)]
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref_at))


def sheets(images: Iterable[PILImage.Image]) -> Iterator[PILImage.Image]:
    """Cards four to an A4 page (two across, two down), in order, as pages in grey levels 0–3.

    Takes canvases from `card_canvas` as they are, or finished card images (0–255).
    """
    from PIL import Image

    page = None
    slot = 0
    for image in images:
        if page is None:
            page = Image.new("L", (2 * WIDTH, 2 * HEIGHT), WHITE)
        if image.width == PAD + WIDTH:  # a canvas: already in levels
            image = image.crop((PAD, 0, PAD + WIDTH, HEIGHT))
        else:
            image = image.point(_TO_2_BITS)
        page.paste(image, ((slot % 2) * WIDTH, (slot // 2) * HEIGHT))
        slot += 1
        if slot == PER_PAGE:
            yield page
            page, slot = None, 0
    if page is not None:
        yield page


def write_pdf(images: Iterable[PILImage.Image], out: IO[bytes]) -> int:
    """Cards into a PDF of A4 pages; returns the number of pages."""
    pdf = PdfPages(out)
    for page in sheets(images):
        pdf.add_page(page)
    pdf.close()
    return len(pdf.pages)


def cards_pdf(cards: Iterable[Card], out: IO[bytes]) -> int:
    """Cards drawn and put into a PDF of A4 pages; returns the number of pages."""
    return write_pdf((card_canvas(card) for card in cards), out)


def write_site_passes(
    passes: Iterable[Pass],
    pdf_out: IO[bytes],
    png_dir: Path | None = None,
    language: str = "fa",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Render passes into one PDF (and, with `png_dir`, each as <code>.png); returns how many."""
    done = 0

    def cards() -> Iterator[PILImage.Image]:
        nonlocal done
        for pass_obj in passes:
            image = card_canvas(card_for(pass_obj, language))
            if png_dir is not None:
                (png_dir / f"{pass_obj.code}.png").write_bytes(png_bytes(image, padded=True))
            done += 1
            if progress is not None and done % 20 == 0:
                progress(done)
            yield image

    write_pdf(cards(), pdf_out)
    return done
