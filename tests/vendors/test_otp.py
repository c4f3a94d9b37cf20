"""One-time sign-in codes: hashing, expiry, single use, replacement, tries per code, sending limits, accounts."""

import datetime
import hashlib
import hmac
import re
import socket

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation

from tests import factories
from vendors import otp, sms
from vendors.models import OneTimeCode, User, Vendor
from vendors.otp import OtpError, OtpFailure

# A moment on a whole hour, so that the hourly sending windows start exactly here.
T0 = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
ADDRESS = "203.0.113.7"
STRANGER = "198.51.100.20"
MOBILE = "09161234567"


@pytest.fixture(autouse=True)
def _clean_gateway_and_counters(settings):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def last_code(mobile: str = MOBILE) -> str:
    texts = [text for to, text in sms.outbox if to == mobile]
    return re.search(r"[0-9]{6}", texts[-1]).group()


def other_code(code: str) -> str:
    """A well-formed code that is certainly not `code`."""
    return f"{(int(code) + 1) % 10**6:06d}"


def failure(call, *args, **kwargs) -> OtpFailure:
    with pytest.raises(OtpFailure) as raised:
        call(*args, **kwargs)
    return raised.value


@pytest.fixture
def vendor(db):
    return factories.vendor(mobile=MOBILE, business_name="گلیم‌بافی مریم")


def test_request_code_sends_the_persian_sms_with_six_digits(vendor, settings):
    settings.SITE_URL = "https://bazaarche.example.ir"
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    assert sent == otp.SentCode(id=OneTimeCode.objects.get().pk, mobile=MOBILE, expires_at=at(300))
    code = last_code()
    # The link to the code page, then the origin-bound line ("@host #code") on its own last line, so
    # that the phone offers the code on this site only (WebOTP, autocomplete="one-time-code").
    assert sms.outbox == [
        (
            MOBILE,
            f"کد ورود شما به بازارچه: {code} — این کد تا ۵ دقیقه معتبر است.\n"
            f"https://bazaarche.example.ir/signin/code/\n@bazaarche.example.ir #{code}",
        )
    ]
    # Persian text travels as UCS-2: 134 characters fill two SMS parts.
    assert len(sms.outbox[0][1]) <= 134


def test_request_code_sms_in_english_when_english_is_active(vendor, settings):
    settings.SITE_URL = "https://bazaarche.example.ir"
    with translation.override("en"):
        otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    assert sms.outbox == [
        (
            MOBILE,
            f"Your Bazaarche sign-in code: {code} — valid for 5 minutes.\n"
            f"https://bazaarche.example.ir/en/signin/code/\n@bazaarche.example.ir #{code}",
        )
    ]


def test_request_code_stores_only_an_hmac_of_the_code(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    row = OneTimeCode.objects.get()
    # HMAC-SHA256 keyed from SECRET_KEY (Django's salted_hmac: key = SHA-256(salt + SECRET_KEY)).
    key = hashlib.sha256(("bazaarche.vendors.otp" + django_settings.SECRET_KEY).encode()).digest()
    assert row.code_hash == hmac.new(key, f"{MOBILE}:{code}".encode(), hashlib.sha256).hexdigest()
    stored = [str(value) for value in OneTimeCode.objects.values_list().get()]
    assert [value for value in stored if code in value] == []
    assert (row.mobile, row.expires_at, row.used_at, row.attempts) == (MOBILE, at(300), None, 0)


def test_verify_code_signs_in_with_persian_digits_and_creates_the_account(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    typed = last_code().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    user = otp.verify_code(sent.id, f" {typed[:3]} {typed[3:]} ", ADDRESS, now=at(60))
    assert (user.username, user.mobile, user.has_usable_password()) == (MOBILE, MOBILE, False)
    vendor.refresh_from_db()
    assert vendor.user == user
    assert OneTimeCode.objects.values_list("used_at", "attempts").get() == (at(60), 1)


def test_verify_code_links_every_permit_of_the_number_to_one_account(vendor):
    second = factories.vendor(mobile=MOBILE, business_name="ترشی خانگی مریم")
    someone_else = factories.user(username="other")
    linked_elsewhere = factories.vendor(mobile=MOBILE, user=someone_else)
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    user = otp.verify_code(sent.id, last_code(), ADDRESS, now=at(10))
    assert set(Vendor.objects.filter(user=user).values_list("pk", flat=True)) == {vendor.pk, second.pk}
    linked_elsewhere.refresh_from_db()
    assert linked_elsewhere.user == someone_else


def test_verify_code_reuses_the_existing_account_of_the_number(vendor):
    existing = factories.user(username=MOBILE, mobile=MOBILE, first_name="مریم")
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    assert otp.verify_code(sent.id, last_code(), ADDRESS, now=at(10)) == existing
    assert User.objects.count() == 1
    assert existing.check_password("secret-pass-123")  # the password is left as it was


def test_company_manager_gets_a_code_and_keeps_their_account(db):
    manager = factories.user(username="hasanvand", mobile="09351112233")
    factories.support_company(name="تعاونی بانوان زاگرس").managers.add(manager)
    sent = otp.request_code("09351112233", ADDRESS, now=T0)
    assert otp.verify_code(sent.id, last_code("09351112233"), ADDRESS, now=at(5)) == manager
    assert User.objects.count() == 1


def test_request_code_for_unknown_number_says_it_is_not_in_the_registry(db):
    raised = failure(lambda: otp.request_code("09120000000", ADDRESS, now=T0))
    assert raised.code == OtpError.NOT_IN_REGISTRY
    assert raised.message == (
        "این شماره در سامانه مشاغل خانگی ثبت نشده است. بررسی کنید همان شماره‌ای باشد که کسب‌وکار خانگی "
        "خود را با آن ثبت کرده‌اید. اگر شماره‌تان تغییر کرده است، با اداره کل تعاون، کار و رفاه اجتماعی "
        "یا اداره تعاون، کار و رفاه اجتماعی شهرستان خود تماس بگیرید."
    )
    assert (sms.outbox, OneTimeCode.objects.count()) == ([], 0)


def test_user_with_a_mobile_but_no_company_or_permit_is_not_in_the_registry(db):
    factories.user(username="someone", mobile="09121112233")
    assert failure(lambda: otp.request_code("09121112233", ADDRESS, now=T0)).code == OtpError.NOT_IN_REGISTRY


def test_organiser_with_a_permit_must_use_the_password(db):
    factories.provincial_organiser(username="province", mobile=MOBILE)
    factories.vendor(mobile=MOBILE)
    raised = failure(lambda: otp.request_code(MOBILE, ADDRESS, now=T0))
    assert raised.code == OtpError.PASSWORD_ACCOUNT
    assert raised.message == "این شماره متعلق به حساب یک کارشناس است که با گذرواژه وارد می‌شود."
    assert sms.outbox == []


def test_verify_code_after_expiry_is_refused(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    raised = failure(lambda: otp.verify_code(sent.id, last_code(), ADDRESS, now=at(300)))
    assert (raised.code, raised.message) == (
        OtpError.EXPIRED,
        "مهلت این کد تمام شده است. یک کد تازه بخواهید.",
    )
    assert otp.verify_code(sent.id, last_code(), ADDRESS, now=at(299)).mobile == MOBILE


def test_verify_code_works_once(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    otp.verify_code(sent.id, code, ADDRESS, now=at(10))
    raised = failure(lambda: otp.verify_code(sent.id, code, ADDRESS, now=at(11)))
    assert (raised.code, raised.message) == (
        OtpError.NO_CODE,
        "برای این شماره کد معتبری وجود ندارد. یک کد تازه بخواهید.",
    )


def test_verify_code_without_any_code_sent(vendor):
    assert failure(lambda: otp.verify_code(1, "123456", ADDRESS, now=T0)).code == OtpError.NO_CODE


def test_new_code_replaces_the_older_one_of_the_same_signin(vendor):
    first = otp.request_code(MOBILE, ADDRESS, now=T0)
    first_code = last_code()
    second = otp.request_code(MOBILE, ADDRESS, replaces=first.id, now=at(30))
    assert (
        failure(lambda: otp.verify_code(first.id, first_code, ADDRESS, now=at(40))).code == OtpError.EXPIRED
    )
    assert otp.verify_code(second.id, last_code(), ADDRESS, now=at(50)).mobile == MOBILE
    assert list(OneTimeCode.objects.order_by("pk").values_list("expires_at", "used_at")) == [
        (at(30), None),
        (at(330), at(50)),
    ]


def test_a_code_checks_only_itself_not_another_signins_code(vendor):
    owners = otp.request_code(MOBILE, ADDRESS, now=T0)
    owners_code = last_code()
    strangers = otp.request_code(MOBILE, STRANGER, now=at(10))
    # The stranger typing the owner's code into his own sign-in is a wrong try on his own code.
    if owners_code != last_code():  # one time in a million they are the same six digits
        assert (
            failure(otp.verify_code, strangers.id, owners_code, STRANGER, now=at(20)).code
            == OtpError.WRONG_CODE
        )
    assert otp.verify_code(owners.id, owners_code, ADDRESS, now=at(30)).mobile == MOBILE


def test_wrong_code_counts_down_the_tries_left(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    wrong = other_code(last_code())
    raised = failure(lambda: otp.verify_code(sent.id, wrong, ADDRESS, now=at(10)))
    assert (raised.code, raised.message) == (
        OtpError.WRONG_CODE,
        "این کد درست نیست. پیامک را دوباره ببینید (اگر کد تازه خواسته‌اید، آخرین کد را وارد کنید). "
        "۲ بار دیگر می‌توانید تلاش کنید.",
    )
    assert OneTimeCode.objects.get().attempts == 1


def test_three_wrong_tries_void_the_code_but_lock_nothing(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    codes = [failure(otp.verify_code, sent.id, other_code(code), ADDRESS, now=at(10)).code for _ in range(3)]
    assert codes == [OtpError.WRONG_CODE, OtpError.WRONG_CODE, OtpError.CODE_SPENT]
    raised = failure(lambda: otp.verify_code(sent.id, code, ADDRESS, now=at(11)))
    assert (raised.code, raised.message, raised.retry_after) == (
        OtpError.CODE_SPENT,
        "این کد چند بار نادرست وارد شد و دیگر کار نمی‌کند. یک کد تازه بخواهید.",
        None,
    )
    # The void code was not even compared: its tries stay at three.
    assert OneTimeCode.objects.get().attempts == 3
    # The number is not locked: a new code, at once, works.
    again = otp.request_code(MOBILE, ADDRESS, replaces=sent.id, now=at(12))
    assert otp.verify_code(again.id, last_code(), ADDRESS, now=at(13)).mobile == MOBILE


def test_the_right_code_on_the_last_try_still_signs_in(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    for _ in range(2):
        failure(otp.verify_code, sent.id, other_code(code), ADDRESS, now=at(10))
    assert otp.verify_code(sent.id, code, ADDRESS, now=at(20)).mobile == MOBILE


def test_a_malformed_code_is_a_try_too(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    assert failure(otp.verify_code, sent.id, "12345a", ADDRESS, now=at(10)).code == OtpError.WRONG_CODE
    assert OneTimeCode.objects.get().attempts == 1


def test_strangers_wrong_codes_do_not_keep_the_owner_out(vendor):
    strangers = otp.request_code(MOBILE, STRANGER, now=T0)
    for _ in range(5):
        failure(otp.verify_code, strangers.id, other_code(last_code()), STRANGER, now=at(10))
    owners = otp.request_code(MOBILE, ADDRESS, now=at(20))
    assert otp.verify_code(owners.id, last_code(), ADDRESS, now=at(30)).mobile == MOBILE


def test_guesses_per_number_per_hour_are_at_most_three_tries_on_six_codes(vendor):
    # A stranger with as many addresses as he likes: each address may ask three codes for the
    # number, the number takes six in the hour; every code takes three tries.
    outcomes = []
    for n in range(10):
        address = f"198.51.100.{n}"
        for _ in range(3):
            try:
                sent = otp.request_code(MOBILE, address, now=at(n * 60))
            except OtpFailure as raised:
                outcomes.append(raised.code)
                continue
            for _ in range(4):
                failure(otp.verify_code, sent.id, other_code(last_code()), address, now=at(n * 60 + 1))
    assert len(sms.outbox) == 6
    assert outcomes == [OtpError.TOO_MANY_SENDS_NUMBER] * 24
    assert sum(OneTimeCode.objects.values_list("attempts", flat=True)) == 18 == 3 * 6
    # The next hour gives six more codes, no more.
    otp.request_code(MOBILE, "198.51.100.99", now=at(3600))
    assert len(sms.outbox) == 7


def test_one_address_may_ask_three_codes_for_a_number_in_an_hour(vendor):
    for n in range(3):
        otp.request_code(MOBILE, STRANGER, now=at(n * 60))
    raised = failure(lambda: otp.request_code(MOBILE, STRANGER, now=at(240)))
    assert (raised.code, raised.retry_after) == (OtpError.TOO_MANY_SENDS_NUMBER, 3360)
    assert raised.message == (
        "چند کد برای این شماره فرستاده شده است و شاید پیامک آخر هنوز در راه باشد. "
        "۵۶ دقیقه دیگر می‌توانید کد تازه بخواهید."
    )
    # Another address, the owner's, still gets codes: the stranger had only his share.
    sent = otp.request_code(MOBILE, ADDRESS, now=at(250))
    assert otp.verify_code(sent.id, last_code(), ADDRESS, now=at(260)).mobile == MOBILE
    otp.request_code(MOBILE, STRANGER, now=at(3600))
    assert len(sms.outbox) == 5


def test_a_known_browser_gets_a_code_when_strangers_used_up_the_number(vendor):
    for n in range(2):
        for _ in range(3):
            otp.request_code(MOBILE, f"198.51.100.{n}", now=at(n))
    assert failure(otp.request_code, MOBILE, ADDRESS, now=at(10)).code == OtpError.TOO_MANY_SENDS_NUMBER
    sent = otp.request_code(MOBILE, ADDRESS, known_browser=True, now=at(20))
    assert otp.verify_code(sent.id, last_code(), ADDRESS, now=at(30)).mobile == MOBILE
    # Its own budget is three codes an hour, and a used-up address does not hold it back.
    for n in range(10):
        failure(otp.request_code, "09120000000", ADDRESS, now=at(40 + n))
    otp.request_code(MOBILE, ADDRESS, known_browser=True, now=at(60))
    otp.request_code(MOBILE, ADDRESS, known_browser=True, now=at(70))
    raised = failure(otp.request_code, MOBILE, ADDRESS, known_browser=True, now=at(80))
    assert (raised.code, raised.retry_after) == (OtpError.TOO_MANY_SENDS_NUMBER, 3520)


def test_ten_requests_per_address_in_an_hour(db):
    mobiles = [f"0916000000{n}" for n in range(4)]
    for mobile in mobiles:
        factories.vendor(mobile=mobile)
    for n in range(9):
        otp.request_code(mobiles[n // 3], ADDRESS, now=at(n))
    # A number not in the registry counts too: the registry cannot be searched number by number.
    assert (
        failure(lambda: otp.request_code("09129999999", ADDRESS, now=at(9))).code == OtpError.NOT_IN_REGISTRY
    )
    raised = failure(lambda: otp.request_code(mobiles[3], ADDRESS, now=at(1800)))
    assert (raised.code, raised.retry_after) == (OtpError.TOO_MANY_SENDS_ADDRESS, 1800)
    assert raised.message == (
        "از این اتصال اینترنت کدهای زیادی درخواست شده است. لطفاً ۳۰ دقیقه دیگر دوباره تلاش کنید."
    )
    assert len(sms.outbox) == 9
    otp.request_code(mobiles[3], "203.0.113.8", now=at(1800))  # another address is not affected
    otp.request_code(mobiles[3], ADDRESS, now=at(3600))  # nor is the next hour
    assert len(sms.outbox) == 11


def test_failed_sms_leaves_no_usable_code(vendor, settings):
    first = otp.request_code(MOBILE, ADDRESS, now=T0)
    first_code = last_code()
    with socket.socket() as probe:  # nothing listens on a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "vendors.sms.KavenegarBackend"
    settings.SMS_API_URL = f"http://127.0.0.1:{port}/v1"
    settings.SMS_API_KEY = "key"
    raised = failure(lambda: otp.request_code(MOBILE, ADDRESS, replaces=first.id, now=at(60)))
    assert (raised.code, raised.message) == (
        OtpError.SEND_FAILED,
        "ارسال پیامک همین حالا ممکن نشد. لطفاً چند دقیقه دیگر دوباره تلاش کنید.",
    )
    assert OneTimeCode.objects.count() == 1
    assert (
        failure(lambda: otp.verify_code(first.id, first_code, ADDRESS, now=at(61))).code == OtpError.EXPIRED
    )


def test_switched_off_account_cannot_sign_in(vendor):
    factories.user(username=MOBILE, mobile=MOBILE, is_active=False)
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    raised = failure(lambda: otp.verify_code(sent.id, last_code(), ADDRESS, now=at(5)))
    assert (raised.code, raised.message) == (
        OtpError.INACTIVE,
        "این حساب غیرفعال است. لطفاً با اداره کل تماس بگیرید.",
    )


def test_messages_follow_the_active_language(db):
    with translation.override("en"):
        raised = failure(lambda: otp.request_code("09120000000", ADDRESS, now=T0))
    assert raised.message.startswith("This number is not in the home-jobs registry.")


def test_error_codes_are_stable():
    assert [e.value for e in OtpError] == [
        "not_in_registry",
        "password_account",
        "too_many_sends_number",
        "too_many_sends_address",
        "send_failed",
        "wrong_code",
        "code_spent",
        "expired",
        "no_code",
        "inactive",
    ]


@pytest.mark.postgres
def test_one_code_used_by_two_requests_at_once_signs_in_only_one(reference_data):
    import threading

    from django.db import connection

    factories.vendor(mobile=MOBILE)
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_in():
        try:
            barrier.wait(5)
            outcomes.append(otp.verify_code(sent.id, code, ADDRESS, now=at(10)).username)
        except OtpFailure as raised:
            outcomes.append(raised.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == sorted([MOBILE, OtpError.NO_CODE])
    assert User.objects.count() == 1


@pytest.mark.postgres
def test_ten_guesses_at_once_take_only_the_codes_three_tries(reference_data):
    import threading

    from django.db import connection

    factories.vendor(mobile=MOBILE)
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    wrong = other_code(last_code())
    barrier = threading.Barrier(10)
    outcomes = []

    def guess():
        try:
            barrier.wait(5)
            otp.verify_code(sent.id, wrong, STRANGER, now=at(10))
        except OtpFailure as raised:
            outcomes.append(raised.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(outcomes) == 10
    assert set(outcomes) <= {OtpError.WRONG_CODE, OtpError.CODE_SPENT}
    assert outcomes.count(OtpError.WRONG_CODE) <= 2
    assert OneTimeCode.objects.get().attempts == 3
