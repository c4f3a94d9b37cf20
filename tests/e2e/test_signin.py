"""A vendor signs in on a phone with the registry mobile and the SMS code; three wrong tries void the code."""

import re

import pytest
from django.core.cache import cache

from tests import factories
from vendors import sms

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]

MOBILE = "09161234567"
SPENT = "این کد چند بار نادرست وارد شد و دیگر کار نمی‌کند. یک کد تازه بخواهید."


@pytest.fixture
def vendor(reference_data, settings):
    # The live server is a thread of this process: the settings override and the outbox are shared.
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    cache.clear()
    sms.outbox.clear()
    yield factories.vendor(
        mobile=MOBILE, first_name="مریم", last_name="دالوند", business_name="گلیم‌بافی دالوند"
    )
    cache.clear()
    sms.outbox.clear()


def last_code() -> str:
    return re.search(r"[0-9]{6}", sms.outbox[-1][1]).group()


def ask_for_code(page, base_url: str) -> None:
    page.goto(base_url + "/signin/")
    page.get_by_label("شماره همراه").fill("۰۹۱۶ ۱۲۳ ۴۵۶۷")
    page.get_by_role("button", name="ارسال کد").click()
    page.wait_for_url(base_url + "/signin/code/")


def test_vendor_signs_in_with_the_sms_code_on_a_phone(live_server, browser, screenshot, vendor):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(live_server.url + "/signin/")
    assert page.locator("h1").inner_text() == "ورود"
    screenshot(page, "signin-phone")

    ask_for_code(page, live_server.url)
    assert [to for to, _ in sms.outbox] == [MOBILE]
    assert page.locator("bdi.number").inner_text() == "۰۹۱۶ ۱۲۳ ۴۵۶۷"
    code_field = page.get_by_label("کد تأیید پیامک‌شده")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    code_field.fill(last_code())
    screenshot(page, "signin-code-phone")
    page.get_by_role("button", name="ورود", exact=True).click()

    page.wait_for_url(live_server.url + "/me/")
    assert page.locator("h2").first.inner_text() == "گلیم‌بافی دالوند"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert errors == []
    screenshot(page, "signin-done-phone")
    context.close()


def test_three_wrong_tries_void_the_code_and_a_new_one_signs_in(live_server, browser, screenshot, vendor):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    ask_for_code(page, live_server.url)
    wrong = f"{(int(last_code()) + 1) % 10**6:06d}"
    for n in range(3):
        page.get_by_label("کد تأیید پیامک‌شده").fill(wrong)
        page.get_by_role("button", name="ورود", exact=True).click()
        page.wait_for_load_state()
        if n == 0:
            assert page.locator("#id_code_error").inner_text() == (
                "این کد درست نیست. پیامک را دوباره ببینید (اگر کد تازه خواسته‌اید، آخرین کد را وارد کنید). "
                "۲ بار دیگر می‌توانید تلاش کنید."
            )
    assert page.locator("#id_code_error").inner_text() == SPENT
    assert page.url == live_server.url + "/signin/code/"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, "signin-spent-phone")
    # Nothing is locked: the next code, asked for at once, signs in.
    page.get_by_role("button", name="ارسال دوباره کد").click()
    page.wait_for_url(live_server.url + "/signin/code/")
    page.get_by_label("کد تأیید پیامک‌شده").fill(last_code())
    page.get_by_role("button", name="ورود", exact=True).click()
    page.wait_for_url(live_server.url + "/me/")
    context.close()


def test_unknown_number_gets_the_registry_message_on_a_phone(live_server, browser, screenshot, vendor):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.goto(live_server.url + "/signin/")
    page.get_by_label("شماره همراه").fill("۰۹۱۲ ۰۰۰ ۰۰۰۰")
    page.get_by_role("button", name="ارسال کد").click()
    page.wait_for_load_state()
    assert (
        page.locator("#id_mobile_error")
        .inner_text()
        .startswith("این شماره در سامانه مشاغل خانگی ثبت نشده است.")
    )
    assert sms.outbox == []
    screenshot(page, "signin-unknown-phone")
    context.close()


@pytest.mark.parametrize(
    "path,name", [("/signin/", "signin-desktop"), ("/signin/password/", "signin-password-desktop")]
)
def test_signin_pages_on_a_desktop(live_server, browser, screenshot, vendor, path, name):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, name)
    if path == "/signin/":
        ask_for_code(page, live_server.url)
        screenshot(page, "signin-code-desktop")
    context.close()


def test_password_page_on_a_phone(live_server, browser, screenshot, vendor):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.goto(live_server.url + "/signin/")
    page.get_by_role("link", name="ورود با گذرواژه").click()
    page.wait_for_url(live_server.url + "/signin/password/")
    assert page.locator("h1").inner_text() == "ورود با گذرواژه"
    screenshot(page, "signin-password-phone")
    context.close()
