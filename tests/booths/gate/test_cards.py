"""Printable passes: render_passes writes PNGs whose QR reads back as the code, and one PDF; Jalali days; PNG and PDF files."""

import datetime
import io
import re

import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from django.utils.translation import gettext
from PIL import Image, ImageFont, features

from bazaarche.text import to_persian_digits
from booths.gate import cards
from booths.gate.cards import Card, card_png_bytes, days_text, png_bytes, qr_image, render_card, write_pdf
from booths.gate.passes import new_code, normalize_code, reissue
from tests import factories
from tests.booths.gate.helpers import confirmed

NOV_17 = datetime.date(2025, 11, 17)  # 26 Aban 1404


def card(**fields) -> Card:
    values = {
        "code": new_code(),
        "site_title": "خرم‌آباد — نمایشگاه بین‌المللی لرستان",
        "business_name": "گلیم‌بافی زهرا",
        "holder_name": "زهرا کرمی",
        "holder_role": "غرفه‌دار",
        "booth": "غرفه A-12 · سالن اصلی",
        "days": "۲۶ تا ۲۸ آبان ۱۴۰۴",
    }
    return Card(**(values | fields))


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page /Parent", data))


def pdf_page_images(data: bytes) -> list[Image.Image]:
    """The page images of a PDF that `write_pdf` made: 2-bit grey, deflated."""
    import zlib

    images = []
    pattern = rb"/Width (\d+) /Height (\d+) /ColorSpace /DeviceGray /BitsPerComponent 2 /Filter /FlateDecode /Length (\d+) >>\nstream\n"
    for match in re.finditer(pattern, data):
        width, height, length = (int(g) for g in match.groups())
        raw = zlib.decompress(data[match.end() : match.end() + length])
        levels = Image.frombytes("L", (width, height), raw, "raw", "L;2")
        images.append(levels.point([min(v, 3) * 85 for v in range(256)]))
    return images


def test_raqm_shapes_the_text():
    assert features.check("raqm")
    font = cards._font("Bold", 60)
    assert font.layout_engine == ImageFont.Layout.RAQM
    # Joined letters are narrower than the same letters laid out one by one.
    word = "بیرانوند"
    assert font.getlength(word, direction="rtl", language="fa") < sum(font.getlength(ch) for ch in word)


def test_days_text_in_jalali_with_persian_digits_and_runs():
    days = [NOV_17, NOV_17 + datetime.timedelta(days=1), NOV_17 + datetime.timedelta(days=2)]
    days.append(NOV_17 + datetime.timedelta(days=4))
    assert days_text(days) == "۲۶ تا ۲۸، ۳۰ آبان ۱۴۰۴"
    assert days_text([NOV_17, datetime.date(2025, 11, 22)]) == "۲۶ آبان، ۱ آذر ۱۴۰۴"
    assert (
        days_text([datetime.date(2026, 3, 20), datetime.date(2026, 3, 21)]) == "۲۹ اسفند ۱۴۰۴، ۱ فروردین ۱۴۰۵"
    )
    assert days_text(days, "en") == "17–19, 21 Nov 2025"
    assert days_text([]) == ""


def test_card_png_reads_back_as_the_code():
    c = card()
    data = card_png_bytes(c)

    image = Image.open(io.BytesIO(data))
    assert image.size == (1240, 1754)
    assert round(image.info["dpi"][0]) == 300
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [c.code]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_png_bytes_keeps_the_image_in_four_greys():
    image = render_card(card())
    back = Image.open(io.BytesIO(png_bytes(image))).convert("L")
    expected = image.point([round(v * 3 / 255) * 85 for v in range(256)])
    assert back.tobytes() == expected.tobytes()
    odd = Image.new("L", (7, 3), 255)
    odd.putpixel((3, 1), 0)
    assert Image.open(io.BytesIO(png_bytes(odd))).convert("L").tobytes() == odd.tobytes()


def test_a_long_business_name_is_shrunk_to_fit_and_still_scans():
    c = card(
        business_name="تولید و عرضه صنایع دستی و سوغات محلی لرستان " * 3, days="۲۶، ۲۸، ۳۰ آبان ۱۴۰۴ " * 4
    )
    image = render_card(c)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [c.code]


def test_bare_qr_is_large_with_a_quiet_zone():
    code = new_code()
    image = qr_image(code)
    assert image.width == image.height >= 780
    # The quiet zone: four modules of white all round.
    assert image.crop((0, 0, image.width, 80)).getextrema() == (255, 255)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [code]


def test_qr_svg_has_one_path_and_no_script():
    svg = cards.qr_svg(new_code())
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert svg.count("<path") == 1
    assert "script" not in svg


def test_write_pdf_puts_four_passes_on_an_a4_page():
    out = io.BytesIO()
    pages = write_pdf((render_card(card()) for _ in range(5)), out)

    data = out.getvalue()
    assert pages == 2 == pdf_pages(data)
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.28 841.89]" in data
    # Every cross-reference entry points at its object.
    xref = data[data.rindex(b"xref") :]
    offsets = [int(line[:10]) for line in xref.split(b"\n")[3:] if line.endswith(b" n ")]
    for number, offset in enumerate(offsets, 1):
        assert data[offset:].startswith(b"%d 0 obj" % number)


@pytest.fixture
def site_with_passes(db):
    today = datetime.date.today()
    site = factories.site(
        slug="khorramabad-fair", start_date=today, end_date=today + datetime.timedelta(days=3)
    )
    site.helpers_per_booth = 1
    site.save()
    hall = factories.hall(site, name_fa="سالن اصلی")
    passes = []
    for n in range(3):
        booth = factories.booth(hall, code=f"A-{n + 1}")
        vendor = factories.vendor(business_name=f"گلیم‌بافی {n}")
        passes += confirmed(site, booth, [today, today + datetime.timedelta(days=1)], vendor, helpers=1)[1]
    return site, passes


def test_render_passes_writes_a_png_per_live_pass_and_one_pdf(site_with_passes, tmp_path):
    site, passes = site_with_passes
    revoked = passes[0]
    replacement = reissue(revoked)
    live = [p.code for p in passes[1:]] + [replacement.code]
    out = tmp_path / "print"

    call_command("render_passes", site.slug, "--out", str(out), stdout=io.StringIO())

    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(f"{code}.png" for code in live)
    assert not (out / f"{revoked.code}.png").exists()
    for code in live:
        results = zxingcpp.read_barcodes(Image.open(out / f"{code}.png"))
        assert [normalize_code(r.text) for r in results] == [code]
    pdf = (out / f"{site.slug}-passes.pdf").read_bytes()
    assert pdf_pages(pdf) == 2  # six passes, four to a page
    on_paper = [r.text for page in pdf_page_images(pdf) for r in zxingcpp.read_barcodes(page)]
    assert sorted(on_paper) == sorted(live)
    assert sorted(p.name for p in out.iterdir()) == sorted([*pngs, f"{site.slug}-passes.pdf"])


def test_render_passes_refuses_an_unknown_site(db, tmp_path):
    with pytest.raises(CommandError, match="No site"):
        call_command("render_passes", "nowhere", "--out", str(tmp_path))


def test_card_for_shows_the_booth_hall_days_and_holder(site_with_passes):
    site, passes = site_with_passes
    from booths.gate.passes import live_passes

    by_code = {p.code: p for p in live_passes(site)}
    vendor_pass, helper_pass = by_code[passes[0].code], by_code[passes[1].code]
    today = datetime.date.today()

    c = cards.card_for(vendor_pass)
    assert c.booth == "غرفه A-۱ · سالن اصلی"
    assert c.days == days_text([today, today + datetime.timedelta(days=1)])
    full_name = to_persian_digits(vendor_pass.application.vendor.full_name)
    assert (c.holder_name, c.holder_role) == (full_name, "غرفه‌دار")
    assert c.business_name == "گلیم‌بافی ۰"
    helper = cards.card_for(helper_pass)
    assert helper.holder_role == "همکار"
    assert helper.holder_name == to_persian_digits(
        gettext("Helper of %(vendor)s") % {"vendor": vendor_pass.application.vendor.full_name}
    )
    english = cards.card_for(vendor_pass, "en")
    assert english.booth == "Booth A-1 · سالن اصلی"


def test_card_for_reads_digits_in_the_card_language_and_keeps_the_code(site_with_passes):
    from booths.gate.passes import live_passes
    from events.models import Site

    site, passes = site_with_passes
    Site.objects.filter(pk=site.pk).update(title_fa="بازارچه ۱۴۰۵", title_en="")  # stored unnormalised
    vendor_pass = {p.code: p for p in live_passes(site)}[passes[0].code]
    fa, en = cards.card_for(vendor_pass), cards.card_for(vendor_pass, "en")
    assert (fa.site_title, fa.business_name, fa.booth) == (
        "بازارچه ۱۴۰۵",
        "گلیم‌بافی ۰",
        "غرفه A-۱ · سالن اصلی",
    )
    assert (en.site_title, en.business_name, en.booth) == (
        "بازارچه 1405",
        "گلیم‌بافی 0",
        "Booth A-1 · سالن اصلی",
    )
    assert fa.code == en.code == passes[0].code  # what the QR holds and the gate types stays as issued


def test_a_rendered_pass_admits_once_at_its_site_on_its_days_until_revoked(site_with_passes, tmp_path):
    """Issue 6's "done when": from the PNG that render_passes writes to the gate's answers."""
    from django.utils import timezone

    from booths.gate.checkin import check_in, create_gate_token

    site, passes = site_with_passes
    other_site = factories.site(start_date=site.start_date, end_date=site.end_date)
    gate, _key = create_gate_token(site, "دروازه اصلی")
    other_gate, _other_key = create_gate_token(other_site, "دروازه")
    call_command("render_passes", site.slug, "--out", str(tmp_path), stdout=io.StringIO())
    (scanned,) = zxingcpp.read_barcodes(Image.open(tmp_path / f"{passes[0].code}.png"))
    today = timezone.localtime().replace(hour=15, minute=0)

    assert check_in(gate, scanned.text, site.slug, now=today).result == "admitted"
    assert check_in(gate, scanned.text, site.slug, now=today).result == "already_admitted"
    assert check_in(other_gate, scanned.text, other_site.slug, now=today).result == "wrong_site"
    later = today + datetime.timedelta(days=3)  # the site is open, the booth is not assigned
    assert check_in(gate, scanned.text, site.slug, now=later).result == "wrong_day"
    altered = scanned.text[:5] + ("X" if scanned.text[5] != "X" else "Y") + scanned.text[6:]
    assert check_in(gate, altered, site.slug, now=today).result == "invalid"
    reissue(passes[0])
    assert check_in(gate, scanned.text, site.slug, now=today).result == "revoked"
