"""Issue 5 in the browser: an organiser allocates a site, moves one vendor and publishes; one vendor
confirms, another declines, and the next on the waiting list receives the offer on their page."""

import datetime
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from bazaarche.text import to_persian_digits
from booths.allocation.waitlist import waitlist
from booths.models import AllocationRun, Application, Assignment, Offer
from tests import factories
from vendors import sms
from vendors.models import Category

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]

# (category code, needs power): four power booths for six who need power, so two wait; three
# vendors without needs on four plain booths, so one plain booth stays free for a move.
VENDORS = [
    ("1001", True),
    ("2001", True),
    ("3001", True),
    ("6001", True),
    ("7001", True),
    ("1002", True),
    ("2001", False),
    ("7001", False),
    ("3001", False),
]


def build_site():
    today = timezone.localdate()
    site = factories.site(
        title_fa="جشنواره پاییزه خرم‌آباد",
        start_date=today + datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=5),
        confirm_days=3,
    )
    hall = factories.hall(site, code="A", name_fa="سالن اصلی", rows=2, cols=6)
    booths = []
    for n in range(1, 9):
        row, col = (1, n) if n <= 4 else (2, n - 4)
        booths.append(
            factories.booth(
                hall, code=f"A-{n:02d}", row=row, col=col + (1 if col > 2 else 0), has_power=n <= 4
            )
        )
    for left, right in itertools.pairwise(booths):
        if left.row == right.row:
            left.neighbours.add(right)
    days = [(site.start_date + datetime.timedelta(days=d)).isoformat() for d in range(3)]
    applications = []
    for n, (code, power) in enumerate(VENDORS, start=1):
        vendor = factories.vendor(
            category=Category.objects.get(code=code),
            business_name=f"کارگاه {['ماهور', 'نگار', 'آوا', 'سپیده', 'بهار', 'ترنج', 'گلستان', 'پرنیان', 'آرمان'][n - 1]}",
        )
        vendor.user = factories.user()
        vendor.save(update_fields=["user"])
        applications.append(
            factories.application(
                site, vendor, status=Application.Status.ACCEPTED, days=days, needs_power=power, helpers=1
            )
        )
    return site, booths, applications


def page_for(browser, live_server, user, viewport):
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


@pytest.mark.parametrize("viewport,size", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_allocate_move_publish_confirm_decline_and_promote(
    live_server, browser, screenshot, reference_data, settings, viewport, size
):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    sms.outbox.clear()
    site, booths, _applications = build_site()
    organiser = factories.county_organiser("khorramabad")
    context, page, errors = page_for(browser, live_server, organiser, viewport)

    page.goto(live_server.url + "/organiser/")
    page.get_by_role("link", name="تخصیص غرفه").click()
    page.get_by_role("button", name="اجرای تخصیص").click()  # the system draws the seed
    page.get_by_text("جای گرفتند").wait_for()
    seed = AllocationRun.objects.get(site=site).seed
    page.get_by_text(
        f"تخصیص با بذر {to_persian_digits(str(seed))} انجام شد: ۷ جای گرفتند، ۲ بدون غرفه ماندند."
    ).wait_for()
    assert page.locator("a.plan-booth").count() == 8
    assert page.locator(".alloc-unplaced > li").count() == 2
    screenshot(page, f"allocation-page-{size}")

    # Move a vendor without needs to the plain booth nobody has.
    plain = [b for b in booths if not b.has_power]
    taken = set(Assignment.objects.filter(booth__in=plain).values_list("booth_id", flat=True))
    free = next(b for b in plain if b.pk not in taken)
    mover_row = (
        Assignment.objects.filter(booth__in=plain).select_related("booth", "application__vendor").first()
    )
    page.locator(f'a.plan-booth[data-booth="{mover_row.booth_id}"]').click()
    panel = page.locator("#booth-detail")
    panel.get_by_text(mover_row.application.vendor.business_name).wait_for()
    screenshot(page, f"allocation-booth-{size}")
    # A refusal first: a booth with power is taken on every day.
    panel.get_by_label("غرفه دیگر (سالن/کد)").fill("A/A-01")
    panel.get_by_role("button", name="جابه‌جایی").click()
    page.locator(".alloc-error").first.wait_for()
    # Back on the plan at its own address, the refusal said once, in the booth's panel; nothing to set aside.
    assert (
        page.url
        == f"{live_server.url}/organiser/sites/{site.slug}/allocation/?booth={mover_row.booth_id}#booth-detail"
    )
    assert page.locator(".alloc-error").count() == 1
    assert "گرفته شده" in panel.locator(".alloc-error").inner_text()
    assert page.locator("form.alloc-override").count() == 0
    assert errors == []
    page.locator("#booth-detail").get_by_label("غرفه دیگر (سالن/کد)").fill(f"A/{free.code}")
    page.locator("#booth-detail").get_by_role("button", name="جابه‌جایی").click()
    page.get_by_text(f"به غرفه {to_persian_digits(free.code)} منتقل و همان‌جا سنجاق شد.").wait_for()
    assert set(
        Assignment.objects.filter(application=mover_row.application).values_list("booth_id", flat=True)
    ) == {free.pk}

    page.get_by_role("button", name="انتشار و ارسال پیشنهادها").click()
    page.get_by_text("منتشر شد: به ۷ غرفه‌دار غرفه پیشنهاد شد.").wait_for()
    screenshot(page, f"allocation-published-{size}")
    assert not errors
    context.close()

    offers = list(
        Offer.objects.filter(application__site=site, booth__has_power=True)
        .select_related("application__vendor__user")
        .order_by("pk")
    )
    assert len(offers) == 4
    first_waiting, second_waiting = waitlist(site)

    # Vendor A confirms.
    vendor_a = offers[0].application.vendor.user
    context, page, errors = page_for(browser, live_server, vendor_a, viewport)
    page.goto(live_server.url + "/me/")
    page.get_by_text("غرفه‌ای به شما پیشنهاد شده است").wait_for()
    screenshot(page, f"allocation-offer-{size}")
    page.get_by_role("button", name="تأیید این غرفه").click()
    page.get_by_text("غرفه تأیید شد. کارت‌های ورود شما در همین صفحه آماده است.").wait_for()
    assert Offer.objects.get(pk=offers[0].pk).status == Offer.Status.CONFIRMED
    assert not errors
    context.close()

    # The second in line sees where they stand.
    context, page, errors = page_for(browser, live_server, second_waiting.vendor.user, viewport)
    page.goto(live_server.url + "/me/")
    page.get_by_text("شما نفر ۲ فهرست انتظار برای روزهای خود هستید.").wait_for()
    screenshot(page, f"allocation-waiting-{size}")
    context.close()

    # Vendor B declines: the first in line gets the booth at once.
    vendor_b = offers[1].application.vendor.user
    context, page, errors = page_for(browser, live_server, vendor_b, viewport)
    page.goto(live_server.url + "/me/")
    page.get_by_label("از این غرفه صرف‌نظر می‌کنم").check()
    page.get_by_role("button", name="نمی‌پذیرم").click()
    page.get_by_text("غرفه را نپذیرفتید؛ به نفر بعدی فهرست انتظار پیشنهاد شد.").wait_for()
    context.close()

    context, page, errors = page_for(browser, live_server, first_waiting.vendor.user, viewport)
    page.goto(live_server.url + "/me/")
    page.get_by_text("غرفه‌ای به شما پیشنهاد شده است").wait_for()
    assert page.locator(".alloc-offer bdi").first.inner_text() == to_persian_digits(offers[1].booth.code)
    screenshot(page, f"allocation-promoted-{size}")
    assert not errors
    context.close()
    promoted = Offer.objects.get(application=first_waiting, status=Offer.Status.PENDING)
    assert promoted.booth_id == offers[1].booth_id
    assert first_waiting.vendor.mobile in [m for m, _text in sms.outbox]

    # The public site page shows the seed and the lottery.
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.goto(live_server.url + f"/sites/{site.slug}/")
    page.get_by_role("link", name="ترتیب قرعه‌کشی و راه بررسی آن را ببینید").click()
    page.get_by_text(to_persian_digits(str(seed))).first.wait_for()
    assert page.locator("table.alloc-lottery tbody tr").count() == 9
    assert page.locator(".alloc-runs > li").count() == 1
    assert "کارگاه" not in page.locator("main").inner_text()  # no business name on the public lottery
    screenshot(page, f"allocation-lottery-{size}")
    context.close()
