"""A vendor applies for three days on a phone; the organiser accepts in bulk; the vendor sees it on /me/."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from booths.models import Application
from tests import factories
from vendors import sms

from .conftest import DESKTOP, PHONE, signed_in_context, watch

pytestmark = [pytest.mark.e2e]


@pytest.mark.parametrize("viewport,size", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_vendor_applies_organiser_accepts_vendor_sees_status(
    live_server, browser, screenshot, reference_data, settings, viewport, size
):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    settings.SITE_URL = "https://bazaarche.example.ir"
    sms.outbox.clear()
    now = timezone.now()
    today = timezone.localdate()
    site = factories.site(
        factories.exhibition(title_fa="نمایشگاه مشاغل خانگی نوروز"),
        title_fa="خرم‌آباد — نمایشگاه بین‌المللی",
        start_date=today + datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=14),
        applications_open=now - datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=5),
        helpers_per_booth=2,
    )
    hall = factories.hall(site)
    factories.booth(hall, zone="A", type="corner")
    factories.booth(hall, zone="B")
    vendor = factories.vendor(
        user=factories.user(), business_name="گلیم‌بافی زهرا", female_head_of_household=True
    )
    for _ in range(2):  # others already waiting, so the organiser picks one row among several
        factories.application(site)

    vendor_context = signed_in_context(browser, live_server, vendor.user, viewport)
    page = vendor_context.new_page()
    seen = watch(page)
    page.goto(f"{live_server.url}/me/")
    screenshot(page, f"apply-open-calls-{size}")
    page.get_by_role("link", name="خرم‌آباد — نمایشگاه بین‌المللی").click()
    page.wait_for_url(f"**/sites/{site.slug}/apply/")
    boxes = page.locator('input[name="days"]')
    assert boxes.count() == 5
    for i in range(3):
        boxes.nth(i).check()
    page.get_by_label("به برق نیاز دارم").check()
    page.get_by_label("تعداد همکاران همراه شما").fill("۱")
    page.get_by_label("چه محصولاتی عرضه می‌کنید").fill("گلیم و جاجیم دستباف لرستان")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, f"apply-{size}")
    page.get_by_role("button", name="فرستادن درخواست").click()
    page.wait_for_url("**/me/applications/*/")
    application = Application.objects.get(vendor=vendor)
    assert application.days == [(site.start_date + datetime.timedelta(days=i)).isoformat() for i in range(3)]
    assert (application.helpers, application.needs_power, application.priority) == (1, True, 2)
    assert page.locator("#application-status").inner_text() == "ثبت‌شده"
    screenshot(page, f"apply-application-{size}")

    organiser_context = signed_in_context(browser, live_server, factories.county_organiser(), viewport)
    review = organiser_context.new_page()
    review_seen = watch(review)
    review.goto(f"{live_server.url}/organiser/sites/{site.slug}/applications/")
    assert review.locator("tbody tr").count() == 3
    review.locator(f"#pick-{application.pk}").check()
    review.locator("#bulk-action").select_option("accept")
    review.get_by_role("button", name="اعمال روی درخواست‌های علامت‌خورده").click()
    row_badge = review.locator(f"#application-{application.pk} .badge.status-accepted")
    row_badge.wait_for()
    assert row_badge.inner_text() == "پذیرفته"
    assert review.locator("#count-accepted").inner_text() == "۱"
    assert review.url.endswith(
        f"/organiser/sites/{site.slug}/applications/"
    )  # htmx swapped the rows in place
    screenshot(review, f"review-{size}")
    assert sms.outbox == [
        (
            vendor.mobile,
            "بازارچه: درخواست شما برای «خرم‌آباد — نمایشگاه بین‌المللی» پذیرفته شد."
            f"\nhttps://bazaarche.example.ir/me/applications/{application.pk}/",
        )
    ]

    page.goto(f"{live_server.url}/me/")
    assert page.locator(".badge.status-accepted").inner_text() == "پذیرفته"
    screenshot(page, f"apply-me-{size}")
    host = urlsplit(live_server.url).netloc
    assert seen["hosts"] == {host} and review_seen["hosts"] == {host}
    assert seen["errors"] == [] and review_seen["errors"] == []
    vendor_context.close()
    organiser_context.close()
