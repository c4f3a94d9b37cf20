"""A visitor on a phone, in Persian: home → county → site → floor plan → vendor, and the directory.

Nothing may load from another host. Product photos are answered by the browser test itself (the
live server does not serve /media/ with DEBUG off), still from the same host.
"""

import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from booths.models import Application, Assignment, Offer
from booths.plans.grid import generate_grid
from tests import factories
from vendors.models import Category, VendorPhoto

from .conftest import DESKTOP, PHONE, watch

pytestmark = [pytest.mark.e2e]


def jpeg(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 400), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 80, 320, 320), fill=(250, 245, 230), outline=(90, 60, 30), width=12)
    draw.rectangle((150, 150, 250, 250), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def fair(reference_data):
    today = timezone.localdate()
    exhibition = factories.exhibition(title_fa="نمایشگاه سراسری مشاغل خانگی لرستان", slug="lorestan-1405")
    venue = factories.venue(
        name_fa="نمایشگاه بین‌المللی لرستان",
        address_fa="خرم‌آباد، کمربندی شمالی",
        latitude="33.487600",
        longitude="48.355800",
    )
    site = factories.site(
        exhibition,
        slug="khorramabad-fair",
        title_fa="جشنواره مشاغل خانگی خرم‌آباد",
        venue=venue,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=4),
    )
    factories.site(
        exhibition,
        county_slug="borujerd",
        title_fa="بازارچه بروجرد",
        start_date=today + datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=12),
    )
    hall = factories.hall(site, code="A", name_fa="سالن الف")
    booths = generate_grid(hall, 2, 6, code_pattern="{hall}-{n:02d}", aisle_every_cols=3)
    crafts = Category.objects.filter(group__slug="handicrafts").first()
    food = Category.objects.filter(group__slug="agricultural-processing").first()
    names = ["گلیم‌بافی زهرا", "ترشی خانگی مهناز", "سفال دستی بهمن", "عروسک‌های نمدی مریم", "نان محلی فاطمه"]
    vendors = []
    for n, name in enumerate(names):
        vendor = factories.vendor(
            business_name=name,
            description="دستباف با پشم محلی و رنگ گیاهی." if n == 0 else "",
            category=crafts if n in (0, 2, 3) else food,
            mobile=f"0916555{n:04d}",
            address="خیابان شریعتی، کوچه دوازدهم",
        )
        vendors.append(vendor)
        application = factories.application(
            site, vendor, days=[today.isoformat()], status=Application.Status.ACCEPTED
        )
        offer = Offer.objects.create(
            application=application,
            booth=booths[n * 2],
            days=[today.isoformat()],
            status=Offer.Status.CONFIRMED,
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
        Assignment.objects.create(booth=offer.booth, date=today, application=application, offer=offer)
    for n, caption in enumerate(["گلیم قرمز", "گلیم آبی", "جاجیم"]):
        VendorPhoto.objects.create(
            vendor=vendors[0],
            image=f"vendors/{vendors[0].pk}/photo-{n}.jpg",
            thumbnail=f"vendors/{vendors[0].pk}/thumb-{n}.jpg",
            caption=caption,
            position=n,
        )
    return site, vendors


def watched_page(browser, viewport):
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    log = watch(page)
    colours = [(176, 58, 46), (31, 97, 141), (183, 149, 11)]
    page.route(
        "**/media/**",
        lambda route: route.fulfill(
            status=200, content_type="image/jpeg", body=jpeg(colours[int(route.request.url[-5]) % 3])
        ),
    )
    return context, page, log


def test_visitor_goes_from_home_to_a_vendor_on_a_phone(live_server, browser, screenshot, fair):
    site, vendors = fair
    context, page, log = watched_page(browser, PHONE)

    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "نمایشگاه‌ها و بازارچه‌های مشاغل خانگی"
    # Soonest first, whatever the county: Khorramabad is on today, Borujerd in ten days.
    assert page.locator(".card-title").all_inner_texts() == ["جشنواره مشاغل خانگی خرم‌آباد", "بازارچه بروجرد"]
    # The county chip swaps the results with htmx and puts a shareable address in the bar.
    page.locator(".chips a", has_text="خرم‌آباد").click()
    page.wait_for_url("**/?county=khorramabad")
    page.wait_for_load_state("networkidle")
    assert page.locator(".card-title").all_inner_texts() == ["جشنواره مشاغل خانگی خرم‌آباد"]
    assert page.locator(".chips a.active").first.inner_text().startswith("خرم‌آباد")
    screenshot(page, "visitors-home-phone")

    page.locator(".card a").first.click()
    page.wait_for_url(f"**/sites/{site.slug}/")
    assert page.locator("h1").inner_text() == "جشنواره مشاغل خانگی خرم‌آباد"
    assert page.locator(".map-links a").all_inner_texts() == ["نشان", "اوپن‌استریت‌مپ", "برنامه نقشه این گوشی"]
    screenshot(page, "visitors-site-phone")

    page.get_by_role("link", name="نقشه غرفه‌ها: چه کسی کجاست").click()
    page.wait_for_url(f"**/sites/{site.slug}/plan/")
    assert page.locator("h1").inner_text() == "نقشه غرفه‌ها"
    assert page.locator("svg.plan rect[data-booth]").count() == 12
    assert page.locator("svg.plan a.plan-booth").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, "visitors-plan-phone")

    page.locator(".booth-list a", has_text="گلیم‌بافی زهرا").click()
    page.wait_for_url(f"**/vendors/{vendors[0].pk}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "گلیم‌بافی زهرا"
    assert page.locator(".vendor-photos img").count() == 3
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)") is True
    text = page.locator("main").inner_text()
    assert "شریعتی" not in text and "۰۹۱۶۵۵۵" not in text and "09165550000" not in text
    assert page.locator(".appearance h3").inner_text() == "جشنواره مشاغل خانگی خرم‌آباد"
    screenshot(page, "visitors-vendor-phone")

    page.goto(live_server.url + "/vendors/")
    page.fill("#vendor-q", "گليم")  # Arabic yeh: still found
    page.wait_for_url("**/vendors/?q=*")
    page.wait_for_load_state("networkidle")
    assert page.locator(".vendor-cards strong").all_inner_texts() == ["گلیم‌بافی زهرا"]
    page.fill("#vendor-q", "")
    page.wait_for_url("**/vendors/?q=")
    page.wait_for_load_state("networkidle")
    page.locator(".chips a", has_text="صنایع دستی").click()
    page.wait_for_url("**/vendors/?category=handicrafts")
    page.wait_for_load_state("networkidle")
    assert sorted(page.locator(".vendor-cards strong").all_inner_texts()) == sorted(
        ["گلیم‌بافی زهرا", "سفال دستی بهمن", "عروسک‌های نمدی مریم"]
    )
    # Searching now keeps the category.
    page.fill("#vendor-q", "سفال")
    page.wait_for_url("**/vendors/?q=*")
    page.wait_for_load_state("networkidle")
    assert "category=handicrafts" in page.url
    assert page.locator(".vendor-cards strong").all_inner_texts() == ["سفال دستی بهمن"]
    # The card says where the business is: its county, and the site and days this week.
    assert page.locator(".vendor-cards .muted").all_inner_texts() == ["قالیبافی · خرم‌آباد"]
    assert (
        page.locator(".vendor-where")
        .all_inner_texts()[0]
        .startswith("این هفته: جشنواره مشاغل خانگی خرم‌آباد، ")
    )
    page.fill("#vendor-q", "")
    page.wait_for_url("**/vendors/?q=&category=handicrafts")
    page.wait_for_load_state("networkidle")
    screenshot(page, "visitors-vendors-phone")

    # Pages from the cache (a second visit) load the same scripts under the same policy.
    for _ in range(2):
        page.goto(f"{live_server.url}/sites/{site.slug}/plan/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof htmx") == "object"

    assert log["hosts"] == {urlsplit(live_server.url).netloc}
    assert log["failed"] == []
    assert log["errors"] == []
    context.close()


def test_floor_plan_on_a_desktop(live_server, browser, screenshot, fair):
    site, vendors = fair
    context, page, log = watched_page(browser, DESKTOP)
    page.goto(f"{live_server.url}/sites/{site.slug}/plan/")
    assert page.locator("svg.plan a.plan-booth").count() == 5
    overflows = page.locator(".plan-scroll").first.evaluate("el => el.scrollWidth > el.clientWidth")
    assert overflows is False
    screenshot(page, "visitors-plan-desktop")
    # A taken booth on the plan leads to its vendor.
    page.locator("svg.plan a.plan-booth").first.click()
    page.wait_for_url("**/vendors/*/")
    assert page.locator("h1").inner_text() in [v.business_name for v in vendors]
    page.goto(f"{live_server.url}/en/sites/{site.slug}/plan/")
    assert page.locator("h1").inner_text() == "Map of the booths"
    screenshot(page, "visitors-plan-desktop-en")
    assert log["hosts"] == {urlsplit(live_server.url).netloc}
    assert log["errors"] == []
    context.close()
