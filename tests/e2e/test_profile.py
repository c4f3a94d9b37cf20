"""A vendor opens their profile on a phone, uploads two product photos and sees them; a company manager's page."""

import datetime
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from tests import factories
from vendors.models import Vendor, VendorPhoto

from .conftest import DESKTOP, PHONE, watch

pytestmark = [pytest.mark.e2e]


def product_photo(path: Path, colours: list[tuple[int, int, int]], size=(1600, 1200)) -> Path:
    """A striped «rug» photo, big enough to be scaled down, saved as a phone would (with an orientation)."""
    image = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(image)
    stripe = size[1] // 12
    for i in range(12):
        draw.rectangle((0, i * stripe, size[0], (i + 1) * stripe), fill=colours[i % len(colours)])
    draw.ellipse(
        (size[0] // 3, size[1] // 4, 2 * size[0] // 3, 3 * size[1] // 4), outline=(250, 240, 220), width=40
    )
    exif = Image.Exif()
    exif[0x0112] = 1
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def signed_in_context(browser, live_server, user, viewport, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, device_scale_factor=1, **options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def loaded_images(page) -> list[int]:
    return page.eval_on_selector_all(
        ".photo-grid img", "imgs => imgs.map(img => img.complete ? img.naturalWidth : 0)"
    )


@pytest.fixture
def media(settings, tmp_path) -> Path:
    # The live server serves MEDIA_URL from MEDIA_ROOT, read on each request.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def vendor(reference_data) -> Vendor:
    today = timezone.localdate()
    return factories.vendor(
        user=factories.user(),
        first_name="زهرا",
        last_name="کرمی",
        business_name="گلیم‌بافی زهرا",
        description="گلیم و جاجیم دستباف با پشم محلی و رنگ گیاهی.",
        national_id="0499370899",
        mobile="09161234567",
        address="خرم‌آباد، کوی ولیعصر، کوچه ۱۲",
        permit_expires=today + datetime.timedelta(days=20),
    )


def test_vendor_uploads_two_photos_on_a_phone_and_sees_the_thumbnails(
    live_server, browser, screenshot, media, vendor, tmp_path
):
    first = product_photo(tmp_path / "IMG_2024.jpg", [(150, 30, 40), (30, 60, 120), (220, 170, 60)])
    second = product_photo(
        tmp_path / "IMG_2025.jpg", [(40, 110, 70), (230, 200, 150), (120, 40, 90)], (1200, 1600)
    )

    context = signed_in_context(browser, live_server, vendor.user, PHONE)
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + "/me/")
    page.get_by_role("link", name="صفحهٔ کسب‌وکار و عکس محصولات").click()
    page.wait_for_url(f"**/me/business/{vendor.pk}/")
    assert page.locator("h1").inner_text() == "گلیم‌بافی زهرا"
    assert page.locator(".permit-panel .badge").inner_text() == "مجوز به‌زودی منقضی می‌شود"

    # A file that only pretends to be a photo: refused in place (htmx), with the reason, nothing kept.
    fake = tmp_path / "photo.jpg"
    fake.write_text("این یک عکس نیست")
    page.set_input_files('input[name="photos"]', [str(fake)])
    page.get_by_role("button", name="بارگذاری عکس‌ها").click()
    page.wait_for_selector(".upload .error")
    assert page.locator(".upload .error").inner_text() == (
        "photo.jpg: این پرونده تصویر نیست. لطفاً عکسی با قالب JPG،\u200f PNG یا WebP بفرستید."
    )
    assert VendorPhoto.objects.filter(vendor=vendor).count() == 0
    screenshot(page, "profile-upload-error-phone")
    # Playwright's screenshot leaves style="" on the inputs (it hides the caret), and htmx copies the
    # attributes of a swapped element with the same id, which the CSP then reports: start afresh.
    page.reload()

    page.set_input_files('input[name="photos"]', [str(first), str(second)])
    page.fill('input[name="caption"]', "گلیم دستباف پشمی")
    page.get_by_role("button", name="بارگذاری عکس‌ها").click()
    page.wait_for_selector(".photo-grid li.photo >> nth=1")
    page.wait_for_load_state("networkidle")

    assert page.locator(".notice").inner_text() == "۲ عکس افزوده شد."
    assert page.locator(".photo-grid .caption").all_inner_texts() == ["گلیم دستباف پشمی", "گلیم دستباف پشمی"]
    assert loaded_images(page) == [400, 300]  # thumbnails, 400 px on the long side
    assert VendorPhoto.objects.filter(vendor=vendor).count() == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    assert seen["failed"] == []
    assert seen["errors"] == []
    screenshot(page, "profile-phone")

    page.locator(".photo-grid li.photo").first.get_by_role("link", name="پاک کردن").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "این عکس پاک شود؟"
    screenshot(page, "profile-photo-delete-phone")
    page.get_by_role("button", name="بله، پاک شود").click()
    page.wait_for_url(f"**/me/business/{vendor.pk}/")
    assert page.locator(".photo-grid li.photo").count() == 1
    assert page.locator(".messages li").inner_text() == "عکس پاک شد."
    context.close()


def test_vendor_profile_works_without_javascript_on_a_desktop(
    live_server, browser, screenshot, media, vendor, tmp_path
):
    photo = product_photo(tmp_path / "rug.jpg", [(90, 40, 30), (200, 150, 80)])
    context = signed_in_context(browser, live_server, vendor.user, DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/business/{vendor.pk}/")
    page.set_input_files('input[name="photos"]', [str(photo)])
    page.get_by_role("button", name="بارگذاری عکس‌ها").click()
    page.wait_for_url(f"**/me/business/{vendor.pk}/")
    assert page.locator(".messages li").inner_text() == "۱ عکس افزوده شد."
    assert loaded_images(page) == [400]

    page.fill('textarea[name="description"]', "گلیم، جاجیم و خورجین دستباف.")
    page.get_by_role("button", name="ذخیره", exact=True).click()
    page.wait_for_url(f"**/me/business/{vendor.pk}/")
    assert page.locator(".messages li").inner_text() == "اطلاعات کسب‌وکار شما ذخیره شد."
    screenshot(page, "profile-desktop")
    context.close()


@pytest.mark.parametrize("viewport,name", [(PHONE, "company-phone"), (DESKTOP, "company-desktop")])
def test_company_manager_sees_the_members(live_server, browser, screenshot, reference_data, viewport, name):
    today = timezone.localdate()
    company = factories.support_company(name="تعاونی گلیم‌بافان لرستان")
    manager = factories.user()
    company.managers.add(manager)
    for i, (first, last, days) in enumerate(
        [("مریم", "احمدی", 200), ("فاطمه", "رضایی", 15), ("زینب", "کریمی", -10), ("سکینه", "موسوی", 400)]
    ):
        factories.vendor(
            support_company=company,
            permit_type=Vendor.PermitType.PIECE_RATE if i % 2 else Vendor.PermitType.SUPPORT,
            first_name=first,
            last_name=last,
            business_name=f"کارگاه {first}",
            permit_expires=today + datetime.timedelta(days=days),
        )
    context = signed_in_context(browser, live_server, manager, viewport)
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + "/me/")
    page.get_by_role("link", name="صفحهٔ شرکت").click()
    page.wait_for_url(f"**/company/{company.pk}/")
    assert page.locator("h1").inner_text() == "تعاونی گلیم‌بافان لرستان"
    badges = {
        member.locator("strong").inner_text(): member.locator(".badge").inner_text()
        for member in page.locator(".member").all()
    }
    assert badges == {
        "مریم احمدی": "مجوز معتبر",
        "فاطمه رضایی": "مجوز به‌زودی منقضی می‌شود",
        "زینب کریمی": "مجوز منقضی شده",
        "سکینه موسوی": "مجوز معتبر",
    }
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert seen["errors"] == []
    screenshot(page, name)
    context.close()


@pytest.mark.parametrize("viewport,name", [(PHONE, "me-vendor-phone"), (DESKTOP, "me-vendor-desktop")])
def test_me_shows_the_profile_link_and_the_permit_notice(
    live_server, browser, screenshot, vendor, viewport, name
):
    context = signed_in_context(browser, live_server, vendor.user, viewport)
    page = context.new_page()
    page.goto(live_server.url + "/me/")
    assert page.locator(".permit-note").inner_text().startswith("مجوز شما ۲۰ روز دیگر")
    screenshot(page, name)
    context.close()
