"""A gate admits a pass shown to the phone's camera (Chromium's fake camera plays a video of the QR)."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from booths.gate.checkin import create_gate_token
from booths.gate.passes import ALPHABET
from booths.models import Admission
from tests import factories
from tests.booths.gate.test_checkin import confirmed_pass

from .conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, watch

pytestmark = [pytest.mark.e2e]

R = Admission.Result
WAIT_MS = 60_000  # the first scan also loads the QR reader (WebAssembly)


def qr_video(text: str, path: Path, frames: int = 10) -> Path:
    """A y4m video (640×480, 4:2:0) of a large QR of `text` on white, for --use-file-for-fake-video-capture."""
    import qrcode
    from PIL import Image

    width, height = 640, 480
    qr = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    image = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    image = image.resize((400, 400), Image.Resampling.NEAREST)
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(image, ((width - 400) // 2, (height - 400) // 2))
    y, u, v = canvas.convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = (
        b"FRAME\n"
        + y.tobytes()
        + u.resize(half, Image.Resampling.BILINEAR).tobytes()
        + v.resize(half, Image.Resampling.BILINEAR).tobytes()
    )
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)
    return path


@pytest.fixture
def camera_browser(browser, tmp_path, request):
    """A separate Chromium whose camera shows the QR of the pass the test names in `request.param`."""
    launched = []

    def launch(text: str):
        video = qr_video(text, tmp_path / "pass.y4m")
        args = [
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            "--autoplay-policy=no-user-gesture-required",
        ]
        chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
        launched.append(chromium)
        return chromium

    yield launch
    for chromium in launched:
        chromium.close()


def answer(page, result: str):
    locator = page.locator(f'#gate-answer[data-result="{result}"]')
    try:
        locator.wait_for(state="visible", timeout=WAIT_MS)
    except Exception as timeout:
        shown = page.evaluate(
            "() => [document.querySelector('#gate-answer')?.dataset.result,"
            " document.querySelector('#gate-answer')?.hidden, document.querySelector('[role=status]')?.innerText]"
        )
        raise AssertionError(
            f"waited for {result!r}; the page shows (result, hidden, status) = {shown}"
        ) from timeout
    return locator


def test_gate_admits_the_pass_on_camera_once_then_already_admitted(
    live_server, camera_browser, screenshot, reference_data
):
    pass_obj = confirmed_pass(first_name="زهرا", last_name="کریمی", business_name="گلیم‌بافی زهرا")
    other = confirmed_pass(pass_obj.site)
    _token, key = create_gate_token(pass_obj.site, "دروازه اصلی")
    booth = pass_obj.application.assignments.get().booth

    chromium = camera_browser(pass_obj.code)
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    seen = watch(page)

    # The server's answers, in order: the green screen shows for 2.5 s only, which a busy machine
    # can let pass between two polls, so the first answer is read from the network as well.
    checkins = []
    page.on("response", lambda response: "/api/checkin/" in response.url and checkins.append(response))

    page.goto(live_server.url + "/gate/")
    page.get_by_label("کلید دروازه").fill("wrong-key")
    page.get_by_role("button", name="شروع پذیرش").click()
    page.locator("#gate-signin-error").wait_for(state="visible")
    assert page.locator("#gate-signin-error").inner_text() == (
        "این کلید ناشناخته است یا باطل شده است. از برگزارکننده کلید تازه بخواهید."
    )
    page.get_by_label("کلید دروازه").fill(key)
    page.get_by_role("button", name="شروع پذیرش").click()

    for _ in range(WAIT_MS // 250):
        if checkins:
            break
        page.wait_for_timeout(250)
    first = checkins[0].json()
    assert (first["result"], first["holder"]["name"], first["booth"]["code"]) == (
        "admitted",
        "زهرا کریمی",
        booth.code,
    )
    admitted = page.locator('#gate-answer[data-result="admitted"]')
    if admitted.is_visible():
        assert page.locator("#gate-answer-label").inner_text() == "ورود مجاز"
        assert "good" in admitted.get_attribute("class")
        screenshot(page, "gate-admitted-phone")

    # The QR stays in front of the camera: after the answer and the hold-off it is read again.
    answer(page, "already_admitted")
    assert page.locator("#gate-answer-message").inner_text().startswith("امروز ساعت ")
    assert page.locator("#gate-answer-name").inner_text() == "زهرا کریمی"
    assert page.locator("#gate-answer-business").inner_text() == "گلیم‌بافی زهرا"
    assert page.locator("#gate-answer-booth").inner_text() == f"غرفه {booth.code} · سالن یک"
    screenshot(page, "gate-already-phone")
    assert Admission.objects.filter(pass_obj=pass_obj, result=R.ADMITTED).count() == 1

    # Manual entry: one changed character is refused.
    page.locator("#gate-answer-next").click()
    page.locator("#gate-answer").wait_for(state="hidden")
    changed = other.code[:-1] + next(c for c in ALPHABET if c != other.code[-1])
    page.get_by_label("یا کد چاپ‌شده زیر QR را بنویسید").fill(changed)
    screenshot(page, "gate-manual-phone")
    page.get_by_role("button", name="بررسی کد").click()
    refused = answer(page, "invalid")
    assert "bad" in refused.get_attribute("class")
    assert page.locator("#gate-answer-message").inner_text() == "این کد کارت معتبری نیست."
    screenshot(page, "gate-invalid-phone")

    # After a typed code's answer the cursor is back in the field, and while it is there the camera
    # rests: the pass still in front of it is not read again, even after the hold-off has passed.
    page.locator("#gate-answer-next").click()
    assert page.evaluate("document.activeElement.id") == "gate-code"
    answered = len(checkins)
    page.wait_for_timeout(5_000)
    assert len(checkins) == answered

    # A lost answer: the server admits, the phone sees a network error, retries with the same key,
    # and shows the first answer (admitted), not "already admitted".
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/checkin/", lose_first_answer)
    page.get_by_label("یا کد چاپ‌شده زیر QR را بنویسید").fill(other.code)
    page.get_by_role("button", name="بررسی کد").click()
    answer(page, "admitted")
    assert lost == [200]
    assert Admission.objects.filter(pass_obj=other).count() == 1
    assert Admission.objects.filter(pass_obj=other, result=R.ADMITTED).count() == 1

    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    # Only the two failures the test caused: the wrong key's 401 and the answer it cut off.
    assert seen["errors"] == [
        "Failed to load resource: the server responded with a status of 401 (Unauthorized)",
        "Failed to load resource: net::ERR_CONNECTION_RESET",
    ]
    context.close()


def test_gate_in_english_remembers_the_key_and_signs_out(
    live_server, camera_browser, screenshot, reference_data
):
    pass_obj = confirmed_pass(first_name="Sara", last_name="Karimi", business_name="Sara's rugs")
    _token, key = create_gate_token(pass_obj.site, "North gate")

    chromium = camera_browser(pass_obj.code)
    context = chromium.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + "/en/gate/")
    page.get_by_label("Gate key").fill(key)
    page.get_by_role("button", name="Start the gate").click()
    answer(page, "admitted")
    assert page.locator("#gate-answer-label").inner_text() == "Admitted"
    assert page.locator("#gate-answer-message").inner_text() == "Admitted. Welcome!"
    booth = pass_obj.application.assignments.get().booth
    assert page.locator("#gate-answer-booth").inner_text() == f"Booth {booth.code} · Hall one"
    screenshot(page, "gate-admitted-en-phone")

    page.reload()  # the key is remembered: no sign-in, straight to scanning
    answer(page, "already_admitted")
    assert page.locator("#gate-answer-label").inner_text() == "Already in today"
    page.locator("#gate-answer-next").click()
    page.get_by_role("button", name="Sign out of the gate").click()
    page.get_by_label("Gate key").wait_for(state="visible")
    assert page.evaluate("localStorage.getItem('bazaarche.gate')") is None
    assert seen["errors"] == []
    context.close()


def test_organiser_creates_and_revokes_a_gate_key(live_server, browser, screenshot, reference_data):
    organiser = factories.county_organiser()
    site = factories.site(title_fa="نمایشگاه خرم‌آباد")
    create_gate_token(site, "دروازه جنوبی")
    client = Client()
    client.force_login(organiser)
    for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        page = context.new_page()
        seen = watch(page)
        page.goto(f"{live_server.url}/organiser/sites/{site.slug}/gate/")
        page.get_by_label("نام دروازه یا شخص").fill(f"دروازه شمالی {size}")
        page.get_by_role("button", name="ساختن کلید").click()
        key = page.locator("#gate-new-key").inner_text()
        assert len(key) == 32
        link = f"{live_server.url}/gate/#key={key}"
        assert page.locator("#gate-new-link").get_attribute("href") == link
        assert page.locator(".gate-qr svg").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"gate-keys-{size}")
        # Revoking asks first, on a page of its own; "no" leaves the key working.
        row = page.get_by_role("row", name=f"دروازه شمالی {size}")
        row.get_by_role("link", name="باطل کردن…").click()
        page.get_by_role("heading", name=f"کلید «دروازه شمالی {size}» باطل شود؟").wait_for()
        screenshot(page, f"gate-key-revoke-{size}")
        page.get_by_role("link", name="نه، بماند").click()
        row.get_by_text("فعال").wait_for()
        row.get_by_role("link", name="باطل کردن…").click()
        page.get_by_role("button", name="بله، کلید باطل شود").click()
        row.get_by_text("باطل‌شده").wait_for()
        assert page.locator("#gate-new-key").count() == 0
        assert seen["errors"] == []
        context.close()


def test_gate_shows_only_the_other_site_for_a_pass_of_another_site(
    live_server, browser, screenshot, reference_data
):
    from vendors.models import VendorPhoto

    pass_obj = confirmed_pass(
        factories.site(title_fa="بازار خرم‌آباد"),
        first_name="زهرا",
        last_name="کریمی",
        business_name="گلیم‌بافی زهرا",
    )
    VendorPhoto.objects.create(vendor=pass_obj.application.vendor, image="vendors/1.jpg")
    here = factories.site(title_fa="بازار بروجرد", title_en="Borujerd bazaar")
    _token, key = create_gate_token(here, "دروازه اصلی")
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + "/gate/")
    page.get_by_label("کلید دروازه").fill(key)
    page.get_by_role("button", name="شروع پذیرش").click()

    def shown() -> dict:
        return {
            "label": page.locator("#gate-answer-label").inner_text(),
            "message": page.locator("#gate-answer-message").inner_text(),
            "name": page.locator("#gate-answer-name").inner_text(),
            "business": page.locator("#gate-answer-business").inner_text(),
            "booth": page.locator("#gate-answer-booth").inner_text(),
            "photo": page.locator("#gate-answer-photo").is_visible(),
        }

    expected = {
        "label": "محل اشتباه",
        "message": "این کارت برای مکان دیگری است: بازار خرم‌آباد.",
        "name": "",
        "business": "",
        "booth": "",
        "photo": False,
    }
    page.get_by_label("یا کد چاپ‌شده زیر QR را بنویسید").fill(pass_obj.code)
    page.get_by_role("button", name="بررسی کد").click()
    answer(page, "wrong_site")
    assert shown() == expected
    screenshot(page, "gate-wrong-site-phone")

    # Even an answer that named the holder (a server from before this rule) shows only the site.
    def with_holder(route):
        body = route.fetch().json()
        body["holder"] = {
            "kind": "vendor",
            "name": "زهرا کریمی",
            "vendor": "زهرا کریمی",
            "business": "گلیم‌بافی زهرا",
            "photo": "/media/vendors/1.jpg",
        }
        body["booth"] = {
            "code": "A-1",
            "hall": "A",
            "hall_name": "سالن",
            "hall_names": {"fa": "سالن", "en": "Hall"},
        }
        route.fulfill(json=body)

    page.locator("#gate-answer-next").click()
    page.route("**/api/checkin/", with_holder)
    page.get_by_label("یا کد چاپ‌شده زیر QR را بنویسید").fill(pass_obj.code)
    page.get_by_role("button", name="بررسی کد").click()
    answer(page, "wrong_site")
    assert shown() == expected
    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    context.close()


def test_gate_signs_in_from_the_link_and_shows_portrait_count_and_colours(
    live_server, browser, screenshot, reference_data, settings, tmp_path
):
    from tests.vendors.test_profile_views import jpeg
    from vendors.photos import prepare_portrait, set_portrait

    settings.MEDIA_ROOT = tmp_path
    pass_obj = confirmed_pass(first_name="زهرا", last_name="کریمی", business_name="گلیم‌بافی زهرا")
    no_portrait = confirmed_pass(pass_obj.site, first_name="مریم", last_name="رحیمی")
    set_portrait(pass_obj.application.vendor, prepare_portrait(jpeg(colour=(40, 120, 200))))
    elsewhere = confirmed_pass()
    _token, key = create_gate_token(pass_obj.site, "دروازه اصلی")
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    seen = watch(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    # The organiser's link signs the phone in once; the key leaves the address bar at once.
    page.goto(f"{live_server.url}/gate/#key={key}")
    page.locator("#gate-scan").wait_for(state="visible")
    assert page.evaluate("location.href") == f"{live_server.url}/gate/"
    assert page.evaluate("JSON.parse(localStorage.getItem('bazaarche.gate')).key") == key
    assert all(key not in url for url in requested)
    assert page.locator("#gate-count").inner_text() == "ورودهای امروز: ۰"

    def scan(code: str, result: str):
        page.get_by_label("یا کد چاپ‌شده زیر QR را بنویسید").fill(code)
        page.get_by_role("button", name="بررسی کد").click()
        return answer(page, result)

    def icon() -> list[str]:
        return page.eval_on_selector_all(
            ".gate-answer-icon svg",
            "svgs => svgs.filter(s => getComputedStyle(s).display !== 'none').map(s => s.getAttribute('class'))",
        )

    scan(pass_obj.code, "admitted")
    page.locator("#gate-answer-next").click()
    shown = scan(pass_obj.code, "already_admitted")
    page.locator("#gate-answer-photo").wait_for(state="visible")
    assert page.locator("#gate-answer-photo").get_attribute("src").startswith("blob:")
    assert page.locator("#gate-answer-idcheck").is_hidden()
    assert ("warn" in shown.get_attribute("class"), icon()) == (True, ["gate-icon-again"])
    screenshot(page, "gate-portrait-phone")
    page.locator("#gate-answer-next").click()
    assert page.locator("#gate-count").inner_text() == "ورودهای امروز: ۱"

    shown = scan(no_portrait.code, "admitted")
    assert page.locator("#gate-answer-idcheck").inner_text() == (
        "عکسی از این شخص نیست: نام را با کارت شناسایی‌اش تطبیق دهید."
    )
    assert page.locator("#gate-answer-photo").is_hidden()
    assert ("good" in shown.get_attribute("class"), icon()) == (True, ["gate-icon-good"])
    page.locator("#gate-answer-next").click()
    assert page.locator("#gate-count").inner_text() == "ورودهای امروز: ۲"

    shown = scan(elsewhere.code, "wrong_site")
    assert ("other" in shown.get_attribute("class"), icon()) == (True, ["gate-icon-elsewhere"])
    assert page.locator("#gate-answer-idcheck").is_hidden()
    screenshot(page, "gate-wrong-site-colour-phone")
    page.locator("#gate-answer-next").click()
    shown = scan("NOTACODE", "invalid")
    assert ("bad" in shown.get_attribute("class"), icon()) == (True, ["gate-icon-bad"])

    # "" is the portrait, shown from the phone's memory (a blob: address), not fetched by the <img>.
    assert seen["hosts"] == {urlsplit(live_server.url).netloc, ""}
    assert seen["errors"] == []
    context.close()
