"""A vendor's page on a cheap 360-pixel phone: nothing runs off the side, and the offer's buttons are tapped."""

import datetime

import pytest
from django.utils import timezone

from booths.models import Application, Assignment, Offer, Pass
from tests import factories
from tests.booths.gate.helpers import confirmed

from .conftest import watch

pytestmark = [pytest.mark.e2e]

PHONE_360 = {"width": 360, "height": 740}


@pytest.fixture
def busy_vendor(reference_data):
    """A vendor with a confirmed booth and three passes, a booth offered elsewhere and an application waiting."""
    today = timezone.localdate()
    vendor = factories.vendor(
        user=factories.user(), first_name="معصومه", last_name="دالوند", business_name="کارگاه گلیم‌بافی زهرا"
    )
    festival = factories.site(
        title_fa="جشنواره مشاغل خانگی خرم‌آباد",
        title_en="Khorramabad Home Business Festival",
        start_date=today,
        end_date=today + datetime.timedelta(days=4),
        helpers_per_booth=2,
    )
    hall = factories.hall(festival, code="A", name_fa="سالن الف", name_en="Hall A")
    days = [today, today + datetime.timedelta(days=1)]
    _application, passes = confirmed(
        festival, factories.booth(hall, code="A-12", price=5_000_000), days, vendor, helpers=2
    )
    Pass.objects.filter(pk=passes[1].pk).update(holder_name="سارا دالوند")

    bazaar = factories.site(
        title_fa="بازارچه ده‌روزه بانوان بروجرد",
        title_en="Borujerd Ten-day Women's Bazaar",
        county_slug="borujerd",
        start_date=today + datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=6),
    )
    booth = factories.booth(factories.hall(bazaar, code="B", name_fa="حیاط فرهنگسرا"), code="B-07")
    offered_days = [bazaar.start_date + datetime.timedelta(days=n) for n in range(2)]
    application = factories.application(
        bazaar, vendor, days=[d.isoformat() for d in offered_days], status=Application.Status.ACCEPTED
    )
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=[d.isoformat() for d in offered_days],
        expires_at=timezone.now() + datetime.timedelta(days=2),
        reason="غرفه B-07 در بخش B برای ۲ روز؛ نزدیک‌ترین غرفه به ورودی که برق دارد.",
    )
    Assignment.objects.bulk_create(
        Assignment(booth=booth, date=d, application=application, offer=offer) for d in offered_days
    )
    factories.application(factories.site(title_fa="جشنواره سوغات و صنایع دستی کوهدشت"), vendor)
    return vendor, offer


def phone_context(browser, live_server, user):
    """A phone, not a narrow desktop window: touch, a meta viewport honoured, signed in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE_360, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def overflowing(page) -> list[str]:
    """What sticks out of the screen sideways, for a readable failure."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => { const r = e.getBoundingClientRect(); return r.width && (r.right > 361 || r.left < -1); })
          .map(e => `${e.tagName.toLowerCase()}.${e.className}`)"""
    )


@pytest.mark.parametrize("language", ["fa", "en"])
def test_my_page_fits_a_360_pixel_phone_and_the_offer_is_tapped(
    live_server, browser, screenshot, busy_vendor, language
):
    vendor, offer = busy_vendor
    context = phone_context(browser, live_server, vendor.user)
    page = context.new_page()
    seen = watch(page)
    prefix = "/en" if language == "en" else ""

    page.goto(f"{live_server.url}{prefix}/me/")
    assert page.locator(".my-passes a").count() == 3
    screenshot(page, f"me-360-{language}")
    assert overflowing(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    confirm = page.get_by_role("button", name="Confirm this booth" if language == "en" else "تأیید این غرفه")
    box = confirm.bounding_box()
    assert box["height"] >= 44
    assert 0 <= box["x"] and box["x"] + box["width"] <= 360
    decline = page.get_by_role("button", name="Decline" if language == "en" else "نمی‌پذیرم")
    assert decline.bounding_box()["height"] >= 44
    with page.expect_navigation():
        confirm.tap()
    page.locator(".messages").wait_for()
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.CONFIRMED
    assert page.locator(".my-passes a").count() == 4  # the new booth's pass joins the three
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"me-360-{language}-confirmed")

    # The helper still without a name is named from the phone; the pass carries it.
    unnamed = Pass.objects.get(application__site__title_fa="جشنواره مشاغل خانگی خرم‌آباد", holder_name="")
    field = page.locator(f"#helper-name-{unnamed.pk}")
    field.fill("فاطمه کریمی")
    save = page.locator(f"#pass-{unnamed.pk} button")
    assert save.bounding_box()["height"] >= 44
    with page.expect_navigation():
        save.tap()
    page.locator(".messages").wait_for()
    unnamed.refresh_from_db()
    assert unnamed.holder_name == "فاطمه کریمی"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert seen["errors"] == []
    context.close()
