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
SPENT = "این کد چند بار نادرست وارد شد و دیگر کار نمی‌کند. یک کد تازه بخواهید."


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
    # WebOTP: where the browser can read the code from the SMS ("@host #code"), a static script fills it in.
    assert html.count('<script src="/static/js/webotp.js" defer></script>') == 1


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
        "۲ بار دیگر می‌توانید تلاش کنید."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_that_is_not_six_digits_is_refused_without_spending_a_try(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    response = client.post("/signin/code/", {"code": "۱۲۳"})
    assert errors(response, "code") == ["کد ۶ رقمی پیامک‌شده را وارد کنید."]
    assert OneTimeCode.objects.get().attempts == 0


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


# --- issue 17: nobody but the owner can keep the owner out ----------------------------------------


def wrong_for(*codes: str) -> str:
    """A well-formed code that is none of `codes`."""
    guess = 0
    while f"{guess:06d}" in codes:
        guess += 1
    return f"{guess:06d}"


def test_strangers_wrong_codes_do_not_keep_the_owner_out(two_permits):
    stranger, owner = Client(REMOTE_ADDR="198.51.100.20"), Client(REMOTE_ADDR="203.0.113.7")
    stranger.post("/signin/", {"mobile": MOBILE})
    for _ in range(5):
        stranger.post("/signin/code/", {"code": wrong_for(last_code())})
    assert owner.post("/signin/", {"mobile": MOBILE})["Location"] == "/signin/code/"
    assert owner.post("/signin/code/", {"code": last_code()})["Location"] == "/me/"
    assert int(owner.session["_auth_user_id"]) == User.objects.get(username=MOBILE).pk


def test_a_strangers_request_and_guesses_leave_the_owners_fresh_code_working(two_permits):
    stranger, owner = Client(REMOTE_ADDR="198.51.100.20"), Client(REMOTE_ADDR="203.0.113.7")
    owner.post("/signin/", {"mobile": MOBILE})
    owners_code = last_code()
    stranger.post("/signin/", {"mobile": MOBILE})  # a second SMS reaches the owner's phone
    for _ in range(3):
        stranger.post("/signin/code/", {"code": wrong_for(owners_code, last_code())})
    assert owner.post("/signin/code/", {"code": owners_code})["Location"] == "/me/"


def test_a_code_is_void_after_three_wrong_tries_and_a_new_one_works(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    code = last_code()
    tries = [errors(client.post("/signin/code/", {"code": wrong_for(code)}), "code") for _ in range(3)]
    assert tries == [
        [
            "این کد درست نیست. پیامک را دوباره ببینید (اگر کد تازه خواسته‌اید، آخرین کد را وارد کنید). "
            "۲ بار دیگر می‌توانید تلاش کنید."
        ],
        [
            "این کد درست نیست. پیامک را دوباره ببینید (اگر کد تازه خواسته‌اید، آخرین کد را وارد کنید). "
            "۱ بار دیگر می‌توانید تلاش کنید."
        ],
        [SPENT],
    ]
    assert errors(client.post("/signin/code/", {"code": code}), "code") == [SPENT]
    assert "_auth_user_id" not in client.session
    client.post("/signin/code/", {"resend": "1"})
    assert client.post("/signin/code/", {"code": last_code()})["Location"] == "/me/"


def test_codes_for_one_number_are_bounded_per_address_and_in_all(two_permits):
    # Three codes an hour per address and number, six in all, three tries each: however many
    # addresses a stranger uses, the number takes at most 6 x 3 guesses in the hour.
    refused = []
    for n in range(4):
        stranger = Client(REMOTE_ADDR=f"198.51.100.{n}")
        for _ in range(3):
            response = stranger.post("/signin/", {"mobile": MOBILE})
            if response.status_code != 302:
                refused.append(errors(response, "mobile")[0].split(".")[0])
                continue
            for _ in range(4):
                stranger.post("/signin/code/", {"code": wrong_for(last_code())})
    assert len(sms.outbox) == 6
    assert refused == ["چند کد برای این شماره فرستاده شده است و شاید پیامک آخر هنوز در راه باشد"] * 6
    assert sum(OneTimeCode.objects.values_list("attempts", flat=True)) == 6 * 3


def test_admin_login_goes_to_the_password_page_and_its_limits(client: Client, db):
    factories.user(username="root", password="root-pass-4821", is_staff=True, is_superuser=True)
    for _ in range(30):
        response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "wrong-pass"})
        assert (response.status_code, response["Location"]) == (302, "/signin/password/?next=%2Fadmin%2F")
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "root-pass-4821"})
    assert (response.status_code, response["Location"]) == (302, "/signin/password/?next=%2Fadmin%2F")
    assert "_auth_user_id" not in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_the_admin_in(client: Client, db):
    factories.user(username="root", password="root-pass-4821", is_staff=True, is_superuser=True)
    for _ in range(30):
        client.post("/signin/password/?next=/admin/", {"username": "root", "password": "wrong-pass"})
    response = client.post(
        "/signin/password/?next=/admin/", {"username": "root", "password": "root-pass-4821"}
    )
    assert response.status_code == 200
    assert re.findall(r'<div class="error" role="alert"><p>(.*?)</p>', response.content.decode()) == [
        "ورودهای ناموفق زیاد شد. لطفاً ۱۵ دقیقه صبر کنید و دوباره تلاش کنید."
    ]
    assert "_auth_user_id" not in client.session


def test_admin_signs_in_through_the_password_page(client: Client, db):
    factories.user(username="root", password="root-pass-4821", is_staff=True, is_superuser=True)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/signin/password/?next=%2Fadmin%2F", 302),
    ]
    response = client.post(
        "/signin/password/?next=/admin/",
        {"username": "root", "password": "root-pass-4821", "next": "/admin/"},
    )
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_signed_in_user_without_admin_rights_is_told_so_without_a_loop(client: Client, db):
    client.force_login(factories.provincial_organiser(username="province"))
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/me/", 302),
        ("/organiser/", 302),
    ]
    assert [str(m) for m in response.context["messages"]] == ["حساب شما اجازهٔ ورود به بخش مدیریت را ندارد."]


def test_behind_the_proxy_each_client_is_counted_by_its_own_address(client: Client, db, settings):
    settings.BEHIND_PROXY = True
    # The proxy appends the address it sees; whatever the client wrote before that does not count.
    for n in range(10):
        client.post(
            "/signin/", {"mobile": "09120000000"}, headers={"x-forwarded-for": f"10.0.0.{n}, 198.51.100.7"}
        )
    refused = client.post(
        "/signin/", {"mobile": "09120000000"}, headers={"x-forwarded-for": "10.9.9.9, 198.51.100.7"}
    )
    assert errors(refused, "mobile")[0].startswith("از این اتصال اینترنت کدهای زیادی درخواست شده است.")
    other = client.post("/signin/", {"mobile": "09120000000"}, headers={"x-forwarded-for": "198.51.100.8"})
    assert errors(other, "mobile") == [NOT_IN_REGISTRY]


def test_a_browser_that_signed_in_before_gets_a_code_when_strangers_used_up_the_number(two_permits):
    owner = Client(REMOTE_ADDR="203.0.113.7")
    owner.post("/signin/", {"mobile": MOBILE})
    response = owner.post("/signin/code/", {"code": last_code()})
    assert response.cookies["bz_known"]["max-age"] == 180 * 24 * 3600
    assert MOBILE not in response.cookies["bz_known"].value  # only a keyed digest of the number
    owner.post("/signout/")
    for n in range(2):
        stranger = Client(REMOTE_ADDR=f"198.51.100.{n}")
        for _ in range(3):
            stranger.post("/signin/", {"mobile": MOBILE})
    refused = Client(REMOTE_ADDR="203.0.113.7").post("/signin/", {"mobile": MOBILE})
    assert errors(refused, "mobile")[0].startswith("چند کد برای این شماره فرستاده شده است")
    assert owner.post("/signin/", {"mobile": MOBILE})["Location"] == "/signin/code/"
    assert owner.post("/signin/code/", {"code": last_code()})["Location"] == "/me/"


def test_a_browser_that_signed_in_before_is_not_kept_out_by_strangers_wrong_passwords(db):
    factories.provincial_organiser(username="province", password="demo-pass-987")
    owner = Client(REMOTE_ADDR="203.0.113.7")
    owner.post("/signin/password/", {"username": "province", "password": "demo-pass-987"})
    owner.post("/signout/")
    for n in range(10):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(
            "/signin/password/", {"username": "province", "password": "guess"}
        )
    refused = Client(REMOTE_ADDR="203.0.113.9").post(
        "/signin/password/", {"username": "province", "password": "demo-pass-987"}
    )
    assert re.findall(r'<div class="error" role="alert"><p>(.*?)</p>', refused.content.decode()) == [
        "ورودهای ناموفق زیاد شد. لطفاً ۱۵ دقیقه صبر کنید و دوباره تلاش کنید."
    ]
    response = owner.post("/signin/password/", {"username": "province", "password": "demo-pass-987"})
    assert (response.status_code, response["Location"]) == (302, "/me/")


def test_password_signin_gives_the_session_a_new_key(client: Client, db):
    factories.provincial_organiser(username="province", password="demo-pass-987")
    client.get("/signin/password/")
    client.session.save()
    before = client.session.session_key
    client.post("/signin/password/", {"username": "province", "password": "demo-pass-987"})
    assert client.session.session_key != before


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_admin_login_ignores_a_next_to_another_site(client: Client, db, target):
    response = client.get("/admin/login/", {"next": target})
    assert response["Location"] == "/signin/password/?next=%2Fadmin%2F"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_password_signin_ignores_a_next_to_another_site(client: Client, db, target):
    factories.provincial_organiser(username="province", password="demo-pass-987")
    response = client.post(
        "/signin/password/", {"username": "province", "password": "demo-pass-987", "next": target}
    )
    assert response["Location"] == "/me/"


def test_a_used_code_does_not_sign_in_again(client: Client, two_permits):
    client.post("/signin/", {"mobile": MOBILE})
    code = last_code()
    client.post("/signin/code/", {"code": code})
    client.post("/signout/")
    assert client.post("/signin/code/", {"code": code})["Location"] == "/signin/"
    assert "_auth_user_id" not in client.session
