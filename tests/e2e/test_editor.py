"""A provincial organiser creates an exhibition with two sites in two counties, one a weekly bazaar."""

import datetime

import pytest
from django.test import Client

from events.models import Exhibition, Site
from events.schedule import schedule_for
from tests import factories

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]


def organiser_page(browser, live_server, viewport):
    client = Client()
    client.force_login(factories.provincial_organiser(username="province"))
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="fa-IR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors = []  # a Content-Security-Policy violation shows up here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return context, page, errors


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_organiser_creates_exhibition_with_a_festival_and_a_weekly_bazaar(
    live_server, browser, screenshot, reference_data, viewport, name
):
    context, page, errors = organiser_page(browser, live_server, viewport)
    page.goto(live_server.url + "/organiser/exhibitions/")
    page.get_by_role("link", name="نمایشگاه تازه").click()
    page.get_by_label("عنوان فارسی").fill("نمایشگاه زمستانه مشاغل خانگی")
    page.get_by_label("عنوان انگلیسی").fill("Winter home business fair")
    page.get_by_label("توضیح فارسی").fill("فروش دست‌ساخته‌ها و خوراکی‌های خانگی")
    screenshot(page, f"editor-exhibition-new-{name}")
    page.get_by_role("button", name="ساخت نمایشگاه").click()
    assert page.url == live_server.url + "/organiser/exhibitions/winter-home-business-fair/"

    # A ten-day festival in Khorramabad, the same hours every day.
    page.get_by_role("link", name="افزودن محل برگزاری").click()
    page.get_by_label("عنوان فارسی").fill("خرم‌آباد — نمایشگاه زمستانه")
    page.get_by_label("عنوان انگلیسی").fill("Khorramabad winter fair")
    page.get_by_label("شهرستان", exact=True).select_option(label="خرم‌آباد")
    page.get_by_label("محل تازه: نام فارسی").fill("نمایشگاه بین‌المللی لرستان")
    page.get_by_label("روز آغاز").fill("۱۴۰۵/۱۰/۰۱")
    page.get_by_label("روز پایان").fill("۱۴۰۵/۱۰/۱۰")
    page.get_by_label("همه روزها با ساعت یکسان").check()
    page.get_by_label("گشایش", exact=True).fill("۱۶:۰۰")
    page.get_by_label("پایان", exact=True).fill("۲۲:۰۰")
    assert no_horizontal_scroll(page)
    screenshot(page, f"editor-site-new-{name}")
    page.get_by_role("button", name="افزودن محل برگزاری").click()
    assert page.locator(".messages li").inner_text() == (
        "محل برگزاری افزوده شد. تعطیلی‌ها و روزهای استثنا را می‌توانید پایین‌تر بیفزایید."
    )
    page.get_by_role("button", name="افزودن تعطیلات رسمی ایران به‌عنوان تعطیلی").click()
    # htmx swaps the closures section in place.
    assert page.locator("#exceptions .notice").inner_text() == "۱ تعطیل رسمی به‌عنوان تعطیلی افزوده شد."
    assert page.locator("#exceptions tbody th").inner_text() == "چهارشنبه ۲ دی ۱۴۰۵"
    screenshot(page, f"editor-site-{name}")

    # A Friday bazaar in Borujerd for two months.
    page.get_by_role("link", name="نمایشگاه زمستانه مشاغل خانگی").click()
    page.get_by_role("link", name="افزودن محل برگزاری").click()
    page.get_by_label("عنوان فارسی").fill("بازارچه جمعه بروجرد")
    page.get_by_label("شهرستان", exact=True).select_option(label="بروجرد")
    page.get_by_label("محل تازه: نام فارسی").fill("پارک ساحلی بروجرد")
    page.get_by_label("روز آغاز").fill("1405/10/01")
    page.get_by_label("روز پایان").fill("1405/11/30")
    page.get_by_label("بازارچه هفتگی: یک روز در هفته").check()
    page.get_by_label("روز بازارچه").select_option(label="جمعه")
    page.get_by_label("گشایش", exact=True).fill("16:00")
    page.get_by_label("پایان", exact=True).fill("21:00")
    page.get_by_role("button", name="افزودن محل برگزاری").click()
    page.get_by_role("link", name="نمایشگاه زمستانه مشاغل خانگی").click()
    page.get_by_role("button", name="انتشار").click()
    assert no_horizontal_scroll(page)
    screenshot(page, f"editor-exhibition-{name}")
    page.goto(live_server.url + "/organiser/exhibitions/")
    screenshot(page, f"editor-exhibitions-{name}")

    assert errors == []
    exhibition = Exhibition.objects.get()
    assert (exhibition.slug, exhibition.status) == ("winter-home-business-fair", "published")
    festival = Site.objects.get(county__slug="khorramabad")
    bazaar = Site.objects.get(county__slug="borujerd")
    assert (bazaar.slug, bazaar.start_date, bazaar.end_date) == (
        "site-2",
        datetime.date(2026, 12, 22),
        datetime.date(2027, 2, 19),
    )
    assert {d.date.weekday() for d in schedule_for(bazaar).open_days} == {4}
    assert len(schedule_for(festival).open_days) == 10 - festival.exceptions.count()
    context.close()
