"""Sign-in pages: mobile number, SMS code, password, with the test client."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories
from vendors import sms
from vendors.models import OneTimeCode, User, Vendor

MOBILE = "09161234567"
NOT_IN_REGISTRY = (
    "این شماره در سامانه مشاغل خانگی ثبت نشده است. بررسی کنید همان شماره‌ای باشد که کسب‌وکار خانگی "
    "خود را با آن ثبت کرده‌اید. اگر شماره‌تان تغییر کرده است، با اداره کل تعاون، کار و رفاه اجتماعی "
    "یا اداره تعاون، کار و رفاه اجتماعی شهرستان خود تماس بگیرید."
)
LOCKED = (
    "کد چند بار نادرست وارد شد. برای حفظ امنیت حساب شما، ورود با این شماره تا ۱۵ دقیقه دیگر بسته است. "
    "پس از آن یک کد تازه بخواهید."
)


@pytest.fixture(autouse=True)
def _clean_gateway_and_counters(settings):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


def last_code(mobile: str = MOBILE) -> str:
    return re.search(r"[0-9]{6}", [text for to, text in sms.outbox if to == mobile][-1]).group()


def persian(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def errors(response, field: str) -> list[str]:
    """The error texts shown under one field (from the rendered form, so the template is tested too)."""
    html = response.content.decode()
    block = re.search(rf'<div class="error" id="id_{field}_error" role="alert">(.*?)</div>', html, re.S)
    return re.findall(r"<p>(.*?)</p>", block.group(1), re.S) if block else []


@pytest.fixture
def two_permits(db):
    return [
        factories.vendor(mobile=MOBILE, business_name="گلیم‌بافی مریم"),
        factories.vendor(mobile=MOBILE, business_name="ترشی‌های خانگی مریم"),
    ]


def test_signin_page_asks_for_the_mobile_number(client: Client, db):
    response = client.get("/signin/")
    html = response.content.decode()
    assert response.status_code == 200
    field = re.search(r"<input [^>]*name=\"mobile\"[^>]*>", html).group()
    for attribute in ('type="tel"', 'dir="ltr"', 'inputmode="tel"', 'autocomplete="tel"', "required"):
        assert attribute in field
    assert '<label for="id_mobile">شماره همراه</label>' in html
    assert '<a href="/signin/password/">ورود با گذرواژه</a>' in html


def test_signin_with_persian_digits_sends_the_code_and_moves_on(client: Client, two_permits):
    response = client.post("/signin/", {"mobile": "+۹۸ ۹۱۶ ۱۲۳ ۴۵۶۷"})
    assert response.status_code == 302
    assert response["Location"] == "/signin/code/"
    assert [to for to, _ in sms.outbox] == [MOBILE]
    assert client.session["signin_mobile"] == MOBILE
    page = client.get("/signin/code/")
    html = page.content.decode()
    assert '<bdi dir="ltr" class="number">۰۹۱۶ ۱۲۳ ۴۵۶۷</bdi>' in html
    field = re.search(r"<input [^>]*name=\"code\"[^>]*>", html).group()
    for attribute in ('inputmode="numeric"', 'autocomplete="one-time-code"', 'dir="ltr"'):
        assert attribute in field


def test_signin_unknown_number_gets_the_registry_message(client: Client, db):
    response = client.post("/signin/", {"mobile": "09120000000"})
    assert response.status_code == 200
    assert errors(response, "mobile") == [NOT_IN_REGISTRY]
    assert sms.outbox == []
    assert "signin_mobile" not in client.session


def test_signin_malformed_number_says_how_to_write_it(client: Client, db):
    response = client.post("/signin/", {"mobile": "0916123"})
    assert errors(response, "mobile") == ["شماره همراه ایرانی وارد کنید؛ مانند ۰۹۱۲۱۲۳۴۵۶۷."]


def test_signin_in_english_explains_in_english(client: Client, db):
    response = client.post("/en/signin/", {"mobile": "09120000000"})
    assert errors(response, "mobile")[0].startswith("This number is not in the home-jobs registry.")


def test_code_page_without_a_number_goes_back_to_the_first_step(client: Client, db):
    response = client.get("/signin/code/")
    assert (response.status_code, response["Location"]) == (302, "/signin/")


def test_vendor_with_two_permits_signs_in_once_and_sees_both(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    session_key = client.session.session_key
    response = client.post("/signin/code/", {"code": persian(last_code())})
    assert (response.status_code, response["Location"]) == (302, "/me/")
    user = User.objects.get(username=MOBILE)
    assert (user.mobile, user.has_usable_password()) == (MOBILE, False)
    assert list(Vendor.objects.filter(user=user).order_by("pk")) == two_permits
    assert client.session.session_key != session_key  # rotated at sign-in
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "signin_mobile" not in client.session
    me = client.get("/me/").content.decode()
    assert "<h2>گلیم‌بافی مریم</h2>" in me
    assert "<h2>ترشی‌های خانگی مریم</h2>" in me


def test_company_manager_signs_in_and_sees_the_company(client: Client, db):
    manager = factories.user(username="hasanvand", mobile="09351112233", first_name="کامران")
    company = factories.support_company(name="تعاونی بانوان زاگرس")
    company.managers.add(manager)
    factories.vendor(support_company=company, business_name="عضو شرکت", first_name="سکینه", last_name="ویسی")
    client.post("/signin/", {"mobile": "۰۹۳۵۱۱۱۲۲۳۳"})
    response = client.post("/signin/code/", {"code": last_code("09351112233")})
    assert (response.status_code, response["Location"]) == (302, "/me/")
    assert int(client.session["_auth_user_id"]) == manager.pk
    me = client.get("/me/").content.decode()
    assert "<h2>تعاونی بانوان زاگرس</h2>" in me
    assert "سکینه ویسی" in me


def test_signin_keeps_a_safe_next_through_both_steps(client: Client, two_permits):
    client.post("/signin/?next=/me/%3Ftab%3Dapplications", {"mobile": MOBILE})
    response = client.post("/signin/code/", {"code": last_code()})
    assert response["Location"] == "/me/?tab=applications"


def test_signin_ignores_a_next_to_another_site(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE, "next": "https://evil.example/steal"})
    response = client.post("/signin/code/", {"code": last_code()})
    assert response["Location"] == "/me/"


def test_wrong_code_is_shown_next_to_the_field(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    wrong = f"{(int(last_code()) + 1) % 10**6:06d}"
    response = client.post("/signin/code/", {"code": wrong})
    assert response.status_code == 200
    assert errors(response, "code") == [
        "این کد درست نیست. پیامک را دوباره ببینید (اگر کد تازه خواسته‌اید، آخرین کد را وارد کنید). "
        "۴ بار دیگر می‌توانید تلاش کنید."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_that_is_not_six_digits_is_refused_without_spending_a_try(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    response = client.post("/signin/code/", {"code": "۱۲۳"})
    assert errors(response, "code") == ["کد ۶ رقمی پیامک‌شده را وارد کنید."]
    assert OneTimeCode.objects.get().attempts == 0


def test_five_wrong_codes_lock_the_number(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        client.post("/signin/code/", {"code": wrong})
    assert errors(client.post("/signin/code/", {"code": wrong}), "code") == [LOCKED]
    assert errors(client.post("/signin/code/", {"code": code}), "code") == [LOCKED]
    assert "_auth_user_id" not in client.session


def test_send_again_replaces_the_code(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    first = last_code()
    response = client.post("/signin/code/", {"resend": "1"}, follow=True)
    assert response.redirect_chain == [("/signin/code/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "کد تازه به شماره \u2066۰۹۱۶ ۱۲۳ ۴۵۶۷\u2069 پیامک شد."
    ]
    assert len(sms.outbox) == 2
    second = last_code()
    if first != second:
        assert errors(client.post("/signin/code/", {"code": first}), "code") != []
    assert client.post("/signin/code/", {"code": second})["Location"] == "/me/"


def test_send_again_respects_the_limit_per_number(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    client.post("/signin/code/", {"resend": "1"})
    client.post("/signin/code/", {"resend": "1"})
    response = client.post("/signin/code/", {"resend": "1"})
    assert response.status_code == 200
    [message] = re.findall(
        r'<div class="error" id="resend_error" role="alert"><p>(.*?)</p>', response.content.decode()
    )
    assert re.fullmatch(
        r"چند کد برای این شماره فرستاده شده است و شاید پیامک آخر هنوز در راه باشد. "
        r"[۱-۹][۰-۹]? دقیقه دیگر می‌توانید کد تازه بخواهید.",
        message,
    )
    assert len(sms.outbox) == 3


def test_forwarded_for_header_does_not_escape_the_address_limit(client: Client, db):
    for n in range(10):
        client.post("/signin/", {"mobile": "09120000000"}, headers={"x-forwarded-for": f"198.51.100.{n}"})
    response = client.post(
        "/signin/", {"mobile": "09120000000"}, headers={"x-forwarded-for": "198.51.100.99"}
    )
    # Real time here, so the minutes left in the hour vary: the rest of the sentence may not.
    [message] = errors(response, "mobile")
    assert re.fullmatch(
        r"از این اتصال اینترنت کدهای زیادی درخواست شده است. لطفاً [۱-۹][۰-۹]? دقیقه دیگر دوباره تلاش کنید.",
        message,
    )


def test_change_the_number_returns_to_the_first_step_with_the_number_filled_in(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    html = client.get("/signin/code/").content.decode()
    assert '<a class="button secondary" href="/signin/">تغییر شماره</a>' in html
    field = re.search(r"<input [^>]*name=\"mobile\"[^>]*>", client.get("/signin/").content.decode()).group()
    assert f'value="{MOBILE}"' in field


def test_signed_in_user_skips_the_signin_pages(client: Client, db):
    client.force_login(factories.user())
    assert client.get("/signin/")["Location"] == "/me/"
    assert client.get("/signin/code/")["Location"] == "/me/"


def test_organiser_signs_in_with_a_password(client: Client, db):
    factories.provincial_organiser(username="province", password="demo-pass-987")
    page = client.get("/signin/password/").content.decode()
    assert '<a href="/signin/">ورود با شماره همراه</a>' in page
    response = client.post("/signin/password/", {"username": "province", "password": "demo-pass-987"})
    assert (response.status_code, response["Location"]) == (302, "/me/")


def test_organiser_number_is_sent_to_the_password_page(client: Client, db):
    factories.provincial_organiser(username="province", mobile=MOBILE)
    factories.vendor(mobile=MOBILE)
    response = client.post("/signin/", {"mobile": MOBILE})
    assert errors(response, "mobile") == ["این شماره متعلق به حساب یک کارشناس است که با گذرواژه وارد می‌شود."]
    assert sms.outbox == []
