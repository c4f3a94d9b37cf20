"""A vendor opens their pass on a phone (its QR scans off the screen); an organiser re-issues one and prints all."""

import datetime
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from booths.models import Pass
from tests import factories
from tests.booths.gate.helpers import confirmed

from .conftest import DESKTOP, PHONE, signed_in_context, watch

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def festival(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    today = timezone.localdate()
    site = factories.site(
        factories.exhibition(title_fa="جشنواره مشاغل خانگی"),
        slug="khorramabad-festival",
        title_fa="جشنواره مشاغل خانگی خرم‌آباد",
        start_date=today,
        end_date=today + datetime.timedelta(days=4),
        helpers_per_booth=2,
    )
    hall = factories.hall(site, name_fa="سالن الف")
    vendor = factories.vendor(
        user=factories.user(), first_name="زهرا", last_name="دالوند", business_name="کارگاه گلیم‌بافی زهرا"
    )
    days = [today, today + datetime.timedelta(days=1), today + datetime.timedelta(days=3)]
    _application, passes = confirmed(site, factories.booth(hall, code="A-12"), days, vendor, helpers=1)
    for n in range(5):
        other = factories.vendor(business_name=f"سفال لرستان {n}")
        confirmed(site, factories.booth(hall, code=f"A-{n + 20}"), days[:2], other, helpers=n % 2)
    return site, vendor, passes


@pytest.mark.parametrize("viewport,size", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_vendor_opens_their_pass_and_its_qr_scans_off_the_screen(
    live_server, browser, screenshot, festival, viewport, size
):
    _site, vendor, passes = festival
    context = signed_in_context(browser, live_server, vendor.user, viewport)
    page = context.new_page()
    seen = watch(page)

    page.goto(f"{live_server.url}/me/")
    links = page.locator(".my-passes a")
    assert links.count() == 2
    screenshot(page, f"passes-me-{size}")
    links.first.click()
    page.wait_for_url(f"**/me/passes/{passes[0].pk}/")
    assert page.locator(".pass-today .badge").inner_text() == "امروز معتبر است"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    shot = screenshot(page, f"passes-pass-{size}")
    qr_path = shot.with_name(f"passes-pass-qr-{size}.png")
    page.locator(".pass-qr").screenshot(path=str(qr_path))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(qr_path))] == [passes[0].code]
    with page.expect_download() as download:
        page.get_by_role("link", name="دریافت کارت قابل چاپ (PNG)").click()
    card = Image.open(download.value.path())
    assert card.size == (1240, 1754)
    assert [r.text for r in zxingcpp.read_barcodes(card)] == [passes[0].code]
    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    assert seen["errors"] == []
    context.close()


@pytest.mark.parametrize("viewport,size", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_organiser_reissues_a_pass_and_prints_all(live_server, browser, screenshot, festival, viewport, size):
    site, _vendor, passes = festival
    context = signed_in_context(browser, live_server, factories.county_organiser(), viewport)
    page = context.new_page()
    seen = watch(page)

    page.goto(f"{live_server.url}/organiser/")
    page.locator(f'a[href="/organiser/sites/{site.slug}/passes/"]').click()
    page.wait_for_url(f"**/organiser/sites/{site.slug}/passes/")
    rows = page.locator("table.passes tbody tr")
    live = Pass.objects.filter(site=site, revoked_at__isnull=True).count()
    assert rows.count() == live
    screenshot(page, f"passes-organiser-{size}")

    page.locator("table.passes tbody tr").filter(has_text="زهرا دالوند").first.get_by_role(
        "button", name="ابطال و صدور دوباره"
    ).click()
    page.wait_for_url(f"**/organiser/sites/{site.slug}/passes/")
    assert page.locator(".messages li").count() == 1
    passes[0].refresh_from_db()
    assert passes[0].revoked_at is not None
    assert page.locator("table.passes tbody tr.revoked").count() == 1

    page.get_by_role("button", name="ساخت PDF همهٔ کارت‌ها").click()
    download_link = page.get_by_role("link", name="دریافت PDF")
    download_link.wait_for()
    screenshot(page, f"passes-organiser-printed-{size}")
    with page.expect_download() as download:
        download_link.click()
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.count(b"/Type /Page /Parent") == (live + 3) // 4
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    assert seen["errors"] == []
    context.close()
