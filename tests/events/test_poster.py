"""QR posters: A4 PDF and PNG per exhibition and site, shaped Persian, a QR that decodes to the page."""

import datetime
import io

import pytest
from django.test import Client
from PIL import Image

from events import poster
from events.models import DayException, Exhibition
from tests import factories

pytestmark = pytest.mark.django_db


def _decode(image: Image.Image) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver", "bazaarche.example.ir", "example.org"]


@pytest.fixture
def site():
    exhibition = factories.exhibition(title_fa="نمایشگاه سراسری مشاغل خانگی لرستان", slug="lorestan")
    venue = factories.venue("khorramabad", address_fa="خرم‌آباد، بلوار ولایت، محل دائمی نمایشگاه‌ها")
    return factories.site(
        exhibition, "khorramabad", slug="khorramabad-fair", title_fa="بازارچه خرم‌آباد", venue=venue
    )


def test_site_poster_png_is_a4_and_its_qr_decodes_to_the_site_page(site):
    response = Client().get("/sites/khorramabad-fair/poster.png", HTTP_HOST="bazaarche.example.ir")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1240, 1754)
    assert _decode(image) == ["http://bazaarche.example.ir/sites/khorramabad-fair/"]


def test_site_poster_pdf_is_one_a4_page(site):
    response = Client().get("/sites/khorramabad-fair/poster.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-")
    assert body.count(b"/Type /Page\n") == 1
    # 1240 × 1754 px at 150 dpi is 595.2 × 841.9 pt: A4.
    assert b"/MediaBox [ 0 0 595.2 841.92 ]" in body


def test_exhibition_poster_qr_decodes_to_the_exhibition_page_in_its_language(site):
    response = Client().get("/en/exhibitions/lorestan/poster.png", HTTP_HOST="example.org")
    assert response.status_code == 200
    assert _decode(Image.open(io.BytesIO(response.content))) == [
        "http://example.org/en/exhibitions/lorestan/"
    ]


def test_poster_of_a_draft_is_hidden_from_visitors(site):
    Exhibition.objects.filter(pk=site.exhibition_id).update(status=Exhibition.Status.DRAFT)
    assert Client().get("/sites/khorramabad-fair/poster.png").status_code == 404
    assert Client().get("/exhibitions/lorestan/poster.pdf").status_code == 404
    organiser = Client()
    organiser.force_login(factories.county_organiser("khorramabad"))
    assert organiser.get("/sites/khorramabad-fair/poster.png").status_code == 200


def test_poster_refuses_other_formats(site):
    assert Client().get("/sites/khorramabad-fair/poster.gif").status_code == 404
    assert Client().get("/sites/no-such-site/poster.png").status_code == 404


def test_poster_text_has_jalali_dates_with_persian_digits(site):
    text = poster.site_text(site, "http://x/sites/khorramabad-fair/")
    assert text.title == "بازارچه خرم‌آباد"
    assert text.kicker == "نمایشگاه سراسری مشاغل خانگی لرستان"
    assert all(ch not in text.dates for ch in "0123456789")
    assert any(ch in text.dates for ch in "۰۱۲۳۴۵۶۷۸۹")
    assert text.lines[0] == "نمایشگاه بین‌المللی لرستان، خرم‌آباد"
    assert text.lines[1] == "خرم‌آباد، بلوار ولایت، محل دائمی نمایشگاه‌ها"
    assert text.lines[2] == "هر روز، ۱۴:۰۰ تا ۲۰:۰۰"


def test_poster_title_is_shaped_right_to_left():
    from PIL import ImageFont

    font = poster._font(76, bold=True)
    assert font.layout_engine == ImageFont.Layout.RAQM
    # Shaped Persian joins letters: the word is narrower than its isolated letters side by side.
    word = "بازارچه"
    joined = font.getlength(word, direction="rtl", language="fa")
    isolated = sum(font.getlength(letter, direction="rtl", language="fa") for letter in word)
    assert joined < isolated
    # Right to left: the first letter of the word is drawn at its right end.
    image = Image.new("L", (600, 150), 255)
    from PIL import ImageDraw

    ImageDraw.Draw(image).text(
        (300, 20), "ب" + "ـ" * 8, font=font, fill=0, anchor="ma", direction="rtl", language="fa"
    )
    dots = [x for x in range(600) for y in range(100, 150) if image.getpixel((x, y)) < 128]
    assert dots and min(dots) > 300  # the dot under ب sits on the right half


def test_saved_poster_png_for_looking_at(site, tmp_path):
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "screenshots"
    out.mkdir(exist_ok=True)
    image = poster.render(poster.site_text(site, "https://bazaarche.example.ir/sites/khorramabad-fair/"))
    (out / "dashboard-poster-site.png").write_bytes(poster.png_bytes(image))
    assert _decode(image) == ["https://bazaarche.example.ir/sites/khorramabad-fair/"]


def test_poster_is_drawn_again_when_the_site_changes(site):
    from django.core.cache import cache

    cache.clear()
    first = Client().get("/sites/khorramabad-fair/poster.png").content
    assert Client().get("/sites/khorramabad-fair/poster.png").content == first
    site.title_fa = "بازارچه پاییزه خرم‌آباد"
    site.save()
    retitled = Client().get("/sites/khorramabad-fair/poster.png").content
    assert retitled != first
    site.venue.address_fa = "خرم‌آباد، میدان کیو"
    site.venue.save()
    assert Client().get("/sites/khorramabad-fair/poster.png").content != retitled


def test_poster_text_reads_digits_in_its_language_and_keeps_the_address_latin():
    from django.utils import translation

    exhibition = factories.exhibition(title_fa="نمایشگاه 1405", title_en="", slug="fair-1405")
    venue = factories.venue("khorramabad", address_fa="خیابان ۱۲، پلاک 3")  # one part stored unnormalised
    site = factories.site(exhibition, "khorramabad", slug="bazaar-12", title_fa="بازارچه 12", venue=venue)
    url = "https://bazaarche.example.ir/sites/bazaar-12/"
    with translation.override("fa"):
        fa = poster.site_text(site, url)
    with translation.override("en"):
        en = poster.site_text(site, url)
    assert (fa.title, fa.kicker, fa.lines[1], fa.url) == (
        "بازارچه ۱۲",
        "نمایشگاه ۱۴۰۵",
        "خیابان ۱۲، پلاک ۳",
        url,
    )
    assert (en.title, en.kicker, en.lines[1], en.url) == (
        "بازارچه 12",
        "نمایشگاه 1405",
        "خیابان 12، پلاک 3",
        url,
    )


@pytest.fixture
def december_site():
    """14 Azar to 10 Dey 1405 (5 to 31 December 2026), 16:00 to 21:00 every day."""
    return factories.site(
        factories.exhibition(slug="winter"),
        slug="winter-fair",
        title_fa="بازارچه زمستانه",
        hours=(16, 21),
        start_date=datetime.date(2026, 12, 5),
        end_date=datetime.date(2026, 12, 31),
    )


def _close(site, *days: int, opens=None, closes=None):
    for day in days:
        DayException.objects.create(
            site=site,
            date=datetime.date(2026, 12, day),
            closed=opens is None,
            opens=opens and datetime.time(opens),
            closes=closes and datetime.time(closes),
        )


def test_site_poster_lists_closures_and_changed_hours(december_site):
    from django.utils import translation

    _close(december_site, 11, 18, 25)
    _close(december_site, 20, opens=10, closes=13)
    _close(december_site, 6)  # already past on the day the poster is printed
    text = poster.site_text(december_site, "http://x/", today=datetime.date(2026, 12, 7))
    assert text.lines[1:] == [
        "هر روز، ۱۶:۰۰ تا ۲۱:۰۰",
        "تعطیل: ۲۰، ۲۷ آذر و ۴ دی",
        "ساعت کار متفاوت: ۲۹ آذر، ۱۰:۰۰ تا ۱۳:۰۰",
    ]
    with translation.override("en"):
        text = poster.site_text(december_site, "http://x/", today=datetime.date(2026, 12, 7))
    assert text.lines[1:] == [
        "Every day, 16:00 to 21:00",
        "Closed: 11, 18, 25 December",
        "Other hours: 20 December, 10:00 to 13:00",
    ]


def test_site_poster_with_many_closures_still_fits(december_site):
    december_site.end_date = datetime.date(2027, 3, 1)
    december_site.save()
    for n in range(1, 80):
        DayException.objects.create(
            site=december_site, date=datetime.date(2026, 12, 5) + datetime.timedelta(days=n)
        )
    text = poster.site_text(december_site, "http://x/", today=datetime.date(2026, 12, 5))
    closed = text.lines[2]
    assert closed.startswith("تعطیل: ۱۵، ۱۶، ۱۷")
    assert closed.endswith("روز دیگر")
    font = poster._font(poster.LINE_SIZE)
    assert len(poster._wrap(closed, font, poster.WIDTH - 2 * poster.MARGIN)) == 2
    image = poster.render(text)
    assert _decode(image) == ["http://x/"]


def test_site_poster_is_drawn_again_when_a_closure_is_added(site):
    from django.core.cache import cache

    cache.clear()
    first = Client().get("/sites/khorramabad-fair/poster.png").content
    DayException.objects.create(site=site, date=site.start_date + datetime.timedelta(days=2))
    response = Client().get("/sites/khorramabad-fair/poster.png")
    assert response.content != first
    assert _decode(Image.open(io.BytesIO(response.content))) == ["http://testserver/sites/khorramabad-fair/"]
