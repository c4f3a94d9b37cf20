"""The whole of issue 4 in one journey: an organiser builds and publishes an exhibition, lays out a
6 × 10 hall; a vendor applies for three days; the organiser accepts in bulk; the vendor sees it."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from bazaarche.jalali import to_jalali_string
from bazaarche.text import to_persian_digits
from booths.models import Application, Booth
from events.models import Exhibition, Site
from events.schedule import schedule_for
from tests import factories
from vendors import sms

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]


def signed_in_page(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return context, page, errors


def jalali(day: datetime.date) -> str:
    return to_persian_digits(to_jalali_string(day))


@pytest.mark.parametrize("viewport,size", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_exhibition_built_published_applied_for_and_accepted(
    live_server, browser, screenshot, reference_data, settings, viewport, size
):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    sms.outbox.clear()
    today = timezone.localdate()
    organiser, page, organiser_errors = signed_in_page(
        browser, live_server, factories.provincial_organiser(), viewport
    )

    page.goto(live_server.url + "/organiser/exhibitions/")
    page.get_by_role("link", name="نمایشگاه تازه").click()
    page.get_by_label("عنوان فارسی").fill("نمایشگاه زمستانه مشاغل خانگی لرستان")
    page.get_by_label("عنوان انگلیسی").fill("Lorestan winter fair")
    page.get_by_role("button", name="ساخت نمایشگاه").click()

    page.get_by_role("link", name="افزودن محل برگزاری").click()
    page.get_by_label("عنوان فارسی").fill("خرم‌آباد — جشنواره زمستانه")
    page.get_by_label("عنوان انگلیسی").fill("Khorramabad winter festival")
    page.get_by_label("شهرستان", exact=True).select_option(label="خرم‌آباد")
    page.get_by_label("محل تازه: نام فارسی").fill("نمایشگاه بین‌المللی لرستان")
    page.get_by_label("روز آغاز").fill(jalali(today + datetime.timedelta(days=10)))
    page.get_by_label("روز پایان").fill(jalali(today + datetime.timedelta(days=15)))
    page.get_by_label("همه روزها با ساعت یکسان").check()
    page.get_by_label("گشایش", exact=True).fill("۱۴:۰۰")
    page.get_by_label("پایان", exact=True).fill("۲۰:۰۰")
    page.get_by_label("آغاز ثبت‌نام").fill(jalali(today - datetime.timedelta(days=1)))
    page.get_by_label("پایان ثبت‌نام").fill(jalali(today + datetime.timedelta(days=5)))
    page.get_by_role("button", name="افزودن محل برگزاری").click()

    page.get_by_role("link", name="نمایشگاه زمستانه مشاغل خانگی لرستان").click()
    page.get_by_role("link", name="افزودن محل برگزاری").click()
    page.get_by_label("عنوان فارسی").fill("بازارچه جمعه بروجرد")
    page.get_by_label("شهرستان", exact=True).select_option(label="بروجرد")
    page.get_by_label("محل تازه: نام فارسی").fill("پارک ساحلی بروجرد")
    page.get_by_label("روز آغاز").fill(jalali(today))
    page.get_by_label("روز پایان").fill(jalali(today + datetime.timedelta(days=60)))
    page.get_by_label("بازارچه هفتگی: یک روز در هفته").check()
    page.get_by_label("روز بازارچه").select_option(label="جمعه")
    page.get_by_label("گشایش", exact=True).fill("16:00")
    page.get_by_label("پایان", exact=True).fill("21:00")
    page.get_by_role("button", name="افزودن محل برگزاری").click()
    page.get_by_role("link", name="نمایشگاه زمستانه مشاغل خانگی لرستان").click()
    page.get_by_role("button", name="انتشار").click()

    festival = Site.objects.get(county__slug="khorramabad")
    bazaar = Site.objects.get(county__slug="borujerd")
    assert Exhibition.objects.get().status == "published"
    assert {d.date.weekday() for d in schedule_for(bazaar).open_days} == {4}

    page.goto(f"{live_server.url}/organiser/sites/{festival.slug}/plan/")
    page.fill('input[name="code"]', "A")
    page.fill('input[name="name_fa"]', "سالن اصلی")
    page.fill('input[name="rows"]', "۶")
    page.fill('input[name="cols"]', "۱۰")
    page.locator("form.plan-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert Booth.objects.filter(hall__site=festival).count() == 60
    screenshot(page, f"journey-plan-{size}")

    vendor = factories.vendor(
        user=factories.user(), business_name="گلیم‌بافی زهرا", county=factories.county("khorramabad")
    )
    shopper, vendor_page, vendor_errors = signed_in_page(browser, live_server, vendor.user, viewport)
    vendor_page.goto(f"{live_server.url}/me/")
    vendor_page.get_by_role("link", name="خرم‌آباد — جشنواره زمستانه").click()
    vendor_page.wait_for_url(f"**/sites/{festival.slug}/apply/")
    boxes = vendor_page.locator('input[name="days"]')
    assert boxes.count() == 6
    for i in (0, 2, 4):
        boxes.nth(i).check()
    vendor_page.get_by_label("چه محصولاتی عرضه می‌کنید").fill("گلیم و جاجیم دستباف")
    vendor_page.get_by_role("button", name="فرستادن درخواست").click()
    vendor_page.wait_for_url("**/me/applications/*/")
    application = Application.objects.get(vendor=vendor)
    assert len(application.days) == 3

    page.goto(f"{live_server.url}/organiser/sites/{festival.slug}/applications/")
    page.locator(f"#pick-{application.pk}").check()
    page.locator("#bulk-action").select_option("accept")
    page.get_by_role("button", name="اعمال روی درخواست‌های علامت‌خورده").click()
    page.locator(f"#application-{application.pk} .badge.status-accepted").wait_for()
    screenshot(page, f"journey-review-{size}")

    vendor_page.goto(f"{live_server.url}/me/")
    assert vendor_page.locator(".badge.status-accepted").inner_text() == "پذیرفته"
    assert vendor_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(vendor_page, f"journey-me-{size}")
    assert len(sms.outbox) == 1
    assert organiser_errors == [] and vendor_errors == []
    organiser.close()
    shopper.close()
