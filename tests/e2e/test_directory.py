"""An organiser finds vendors in the directory on a phone, opens one, and imports the registry export."""

import datetime
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tests import factories
from vendors.models import Category, RegistryImport, Vendor

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]

_HERE = Path(__file__).resolve().parent
SAMPLE = _HERE.parent / "data" / "registry_sample.csv"


@pytest.fixture
def organiser(reference_data):
    return factories.provincial_organiser(username="province", first_name="سارا", last_name="کرمی")


@pytest.fixture
def directory_vendors(reference_data):
    today = datetime.date.today()
    company = factories.support_company(name="شرکت هنر لر")
    factories.vendor(
        first_name="علی",
        last_name="دالوند",
        business_name="گلیم‌بافی زاگرس",
        mobile="09161234567",
        county=factories.county("khorramabad"),
        address="خرم‌آباد، خیابان شریعتی، کوچه ۲۶",
        postal_code="6813745678",
        permit_type=Vendor.PermitType.PIECE_RATE,
        support_company=company,
        user=factories.user(),
    )
    factories.vendor(
        first_name="علی",
        last_name="بیرانوند",
        business_name="نان محلی بروجرد",
        county=factories.county("borujerd"),
        category=Category.objects.get(code="2001"),
        permit_expires=today + datetime.timedelta(days=10),
    )
    for n in range(6):
        factories.vendor(first_name="مریم", last_name=f"رحیمی {n}", county=factories.county("dorud"))


def signed_in_context(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="fa-IR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def watch(page) -> list[str]:
    errors: list[str] = []  # a Content-Security-Policy violation shows up here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport,suffix", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_directory_search_filter_and_detail(
    live_server, browser, screenshot, organiser, directory_vendors, viewport, suffix
):
    from playwright.sync_api import expect

    context = signed_in_context(browser, live_server, organiser, viewport)
    page = context.new_page()
    errors = watch(page)

    page.goto(live_server.url + "/organiser/")
    page.get_by_role("link", name="فهرست غرفه‌داران").click()
    expect(page.locator("h1")).to_have_text("فهرست غرفه‌داران")
    expect(page.locator(".count")).to_have_text("۸ غرفه‌دار")
    assert no_horizontal_scroll(page)
    screenshot(page, f"directory-{suffix}")

    # Typed with an Arabic yeh, as an Arabic keyboard does: found through htmx, URL shareable.
    page.get_by_label("جست‌وجو").fill("علي")
    expect(page.locator(".count")).to_have_text("۲ غرفه‌دار")
    expect(page.locator("#results .card-title")).to_have_text(["نان محلی بروجرد", "گلیم‌بافی زاگرس"])
    expect(page).to_have_url(re.compile(r"q="))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["علي"]

    page.get_by_label("شهرستان").select_option("borujerd")
    expect(page.locator(".count")).to_have_text("۱ غرفه‌دار")
    expect(page.locator("#results .card-title")).to_have_text(["نان محلی بروجرد"])
    assert parse_qs(urlsplit(page.url).query)["county"] == ["borujerd"]
    screenshot(page, f"directory-search-{suffix}")

    # The pushed URL is the whole page too: reloading keeps the filters.
    page.reload()
    expect(page.locator(".count")).to_have_text("۱ غرفه‌دار")
    expect(page.get_by_label("جست‌وجو")).to_have_value("علي")

    page.get_by_label("شهرستان").select_option("khorramabad")
    expect(page.locator("#results .card-title")).to_have_text(["گلیم‌بافی زاگرس"])
    page.locator("#results .card a").click()
    expect(page.locator("h1")).to_have_text("گلیم‌بافی زاگرس")
    expect(page.get_by_text("۰۹۱۶۱۲۳۴۵۶۷")).to_be_visible()
    expect(page.get_by_text("حساب کاربری متصل است")).to_be_visible()
    expect(page.get_by_text("شرکت هنر لر")).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, f"vendor-detail-{suffix}")

    # Back to the directory with the same filters.
    page.get_by_role("link", name="فهرست غرفه‌داران").click()
    expect(page.locator("#results .card-title")).to_have_text(["گلیم‌بافی زاگرس"])
    assert errors == []
    context.close()


@pytest.mark.parametrize("viewport,suffix", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_registry_import_upload_check_and_confirm(
    live_server, browser, screenshot, organiser, settings, tmp_path, viewport, suffix
):
    from playwright.sync_api import expect

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    context = signed_in_context(browser, live_server, organiser, viewport)
    page = context.new_page()
    errors = watch(page)

    page.goto(live_server.url + "/organiser/")
    page.get_by_role("link", name="بارگذاری خروجی سامانه").click()
    expect(page.locator("h1")).to_have_text("بارگذاری خروجی سامانه")
    assert no_horizontal_scroll(page)
    screenshot(page, f"imports-{suffix}")

    page.get_by_label("فایل خروجی سامانه (CSV یا اکسل)").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="بارگذاری و بررسی").click()
    expect(page.locator("#import-status .badge")).to_have_text("بررسی‌شده، در انتظار تأیید")
    expect(page.locator(".rejected tbody th")).to_have_text(["۳", "۵", "۲۳", "۴۰"])
    assert Vendor.objects.count() == 0
    assert no_horizontal_scroll(page)
    screenshot(page, f"import-checked-{suffix}")

    page.get_by_role("button", name="ثبت ۳۶ ردیف").click()
    expect(page.locator("#import-status .badge")).to_have_text("واردشده")
    expect(page.get_by_role("link", name="دریافت گزارش (CSV)")).to_be_visible()
    assert Vendor.objects.count() == 36
    screenshot(page, f"import-done-{suffix}")

    page.get_by_role("link", name="رفتن به فهرست غرفه‌داران").click()
    expect(page.locator(".count")).to_have_text("۳۶ غرفه‌دار")
    assert errors == []
    context.close()


@pytest.mark.parametrize("viewport,suffix", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_import_page_polls_while_checking_and_stops_when_checked(
    live_server, browser, screenshot, organiser, settings, tmp_path, viewport, suffix
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    running = RegistryImport.objects.create(
        file=ContentFile(b"", name="x.csv"),
        original_name="registry-1404-09.xlsx",
        uploaded_by=organiser,
        rows_total=12000,
        rows_done=3000,
    )
    context = signed_in_context(browser, live_server, organiser, viewport)
    page = context.new_page()
    errors = watch(page)

    page.goto(f"{live_server.url}/organiser/imports/{running.pk}/")
    expect(page.get_by_text("۳۰۰۰ از ۱۲۰۰۰ ردیف")).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, f"import-checking-{suffix}")

    # The worker moves on; the page follows without a reload.
    RegistryImport.objects.filter(pk=running.pk).update(rows_done=9000)
    expect(page.get_by_text("۹۰۰۰ از ۱۲۰۰۰ ردیف")).to_be_visible()
    RegistryImport.objects.filter(pk=running.pk).update(
        status=RegistryImport.Status.CHECKED, rows_done=12000, rows_ok=12000, created=12000
    )
    expect(page.locator("#import-status .badge")).to_have_text("بررسی‌شده، در انتظار تأیید")
    expect(page.get_by_role("button", name="ثبت ۱۲۰۰۰ ردیف")).to_be_visible()
    # Finished: the fragment no longer asks to be polled.
    assert page.locator("#import-status").get_attribute("hx-trigger") is None
    assert errors == []
    context.close()
