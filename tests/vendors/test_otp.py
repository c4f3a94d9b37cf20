"""One-time sign-in codes: hashing, expiry, single use, supersession, rate limits, locks, accounts."""

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

# A moment on a whole hour, so that both sending windows (10 minutes, 1 hour) start exactly here.
T0 = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
ADDRESS = "203.0.113.7"
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


def test_request_code_sends_the_persian_sms_with_six_digits(vendor):
    sent = otp.request_code(MOBILE, ADDRESS, now=T0)
    assert sent == otp.SentCode(mobile=MOBILE, expires_at=at(300))
    code = last_code()
    assert sms.outbox == [(MOBILE, f"کد ورود شما به بازارچه: {code} — این کد تا ۵ دقیقه معتبر است.")]
    # Persian text travels as UCS-2: 70 characters fill one SMS part.
    assert len(sms.outbox[0][1]) <= 70


def test_request_code_sms_in_english_when_english_is_active(vendor):
    with translation.override("en"):
        otp.request_code(MOBILE, ADDRESS, now=T0)
    assert sms.outbox == [(MOBILE, f"Your Bazaarche sign-in code: {last_code()} — valid for 5 minutes.")]


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
    otp.request_code(MOBILE, ADDRESS, now=T0)
    typed = last_code().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    user = otp.verify_code(MOBILE, f" {typed[:3]} {typed[3:]} ", ADDRESS, now=at(60))
    assert (user.username, user.mobile, user.has_usable_password()) == (MOBILE, MOBILE, False)
    vendor.refresh_from_db()
    assert vendor.user == user
    assert OneTimeCode.objects.get().used_at == at(60)


def test_verify_code_links_every_permit_of_the_number_to_one_account(vendor):
    second = factories.vendor(mobile=MOBILE, business_name="ترشی خانگی مریم")
    someone_else = factories.user(username="other")
    linked_elsewhere = factories.vendor(mobile=MOBILE, user=someone_else)
    otp.request_code(MOBILE, ADDRESS, now=T0)
    user = otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(10))
    assert set(Vendor.objects.filter(user=user).values_list("pk", flat=True)) == {vendor.pk, second.pk}
    linked_elsewhere.refresh_from_db()
    assert linked_elsewhere.user == someone_else


def test_verify_code_reuses_the_existing_account_of_the_number(vendor):
    existing = factories.user(username=MOBILE, mobile=MOBILE, first_name="مریم")
    otp.request_code(MOBILE, ADDRESS, now=T0)
    assert otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(10)) == existing
    assert User.objects.count() == 1
    assert existing.check_password("secret-pass-123")  # the password is left as it was


def test_company_manager_gets_a_code_and_keeps_their_account(db):
    manager = factories.user(username="hasanvand", mobile="09351112233")
    factories.support_company(name="تعاونی بانوان زاگرس").managers.add(manager)
    otp.request_code("09351112233", ADDRESS, now=T0)
    assert otp.verify_code("09351112233", last_code("09351112233"), ADDRESS, now=at(5)) == manager
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
    otp.request_code(MOBILE, ADDRESS, now=T0)
    raised = failure(lambda: otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(300)))
    assert (raised.code, raised.message) == (
        OtpError.EXPIRED,
        "مهلت این کد تمام شده است. یک کد تازه بخواهید.",
    )
    assert otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(299)).mobile == MOBILE


def test_verify_code_works_once(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    otp.verify_code(MOBILE, code, ADDRESS, now=at(10))
    raised = failure(lambda: otp.verify_code(MOBILE, code, ADDRESS, now=at(11)))
    assert (raised.code, raised.message) == (
        OtpError.NO_CODE,
        "برای این شماره کد معتبری وجود ندارد. یک کد تازه بخواهید.",
    )


def test_verify_code_without_any_code_sent(vendor):
    assert failure(lambda: otp.verify_code(MOBILE, "123456", ADDRESS, now=T0)).code == OtpError.NO_CODE


def test_new_code_supersedes_the_older_one(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    first = last_code()
    otp.request_code(MOBILE, ADDRESS, now=at(30))
    second = last_code()
    if first != second:  # one time in a million they are the same six digits
        assert (
            failure(lambda: otp.verify_code(MOBILE, first, ADDRESS, now=at(40))).code == OtpError.WRONG_CODE
        )
    assert otp.verify_code(MOBILE, second, ADDRESS, now=at(50)).mobile == MOBILE
    assert list(OneTimeCode.objects.order_by("pk").values_list("expires_at", "used_at")) == [
        (at(30), None),
        (at(330), at(50)),
    ]


def test_wrong_code_counts_down_the_tries_left(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    wrong = other_code(last_code())
    raised = failure(lambda: otp.verify_code(MOBILE, wrong, ADDRESS, now=at(10)))
    assert (raised.code, raised.message) == (
        OtpError.WRONG_CODE,
        "این کد درست نیست. پیامک را دوباره ببینید (اگر کد تازه خواسته‌اید، آخرین کد را وارد کنید). "
        "۴ بار دیگر می‌توانید تلاش کنید.",
    )
    assert OneTimeCode.objects.get().attempts == 1


def test_five_wrong_codes_lock_the_number_for_fifteen_minutes(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    codes = [
        failure(lambda: otp.verify_code(MOBILE, other_code(code), ADDRESS, now=at(10))).code for _ in range(4)
    ]
    assert codes == [OtpError.WRONG_CODE] * 4
    raised = failure(lambda: otp.verify_code(MOBILE, other_code(code), ADDRESS, now=at(10)))
    assert (raised.code, raised.retry_after) == (OtpError.LOCKED, 900)
    assert raised.message == (
        "کد چند بار نادرست وارد شد. برای حفظ امنیت حساب شما، ورود با این شماره تا ۱۵ دقیقه دیگر بسته است. "
        "پس از آن یک کد تازه بخواهید."
    )
    # Locked: even the right code is refused, and no new code is sent.
    later = failure(lambda: otp.verify_code(MOBILE, code, ADDRESS, now=at(10 + 61)))
    assert (later.code, later.retry_after) == (OtpError.LOCKED, 839)
    assert "تا ۱۴ دقیقه دیگر" in later.message
    assert failure(lambda: otp.request_code(MOBILE, ADDRESS, now=at(600))).code == OtpError.LOCKED
    assert len(sms.outbox) == 1


def test_lock_ends_after_the_lock_period_and_the_guessed_code_is_dead(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    for _ in range(5):
        failure(lambda: otp.verify_code(MOBILE, other_code(code), ADDRESS, now=at(10)))
    assert failure(lambda: otp.request_code(MOBILE, ADDRESS, now=at(909))).code == OtpError.LOCKED
    # At the end of the lock the number is free again, but the code that was being guessed is not.
    assert failure(lambda: otp.verify_code(MOBILE, code, ADDRESS, now=at(910))).code == OtpError.EXPIRED
    otp.request_code(MOBILE, ADDRESS, now=at(910))
    assert otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(920)).mobile == MOBILE


def test_right_code_resets_the_wrong_count(vendor):
    otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    for _ in range(4):
        failure(lambda: otp.verify_code(MOBILE, other_code(code), ADDRESS, now=at(10)))
    otp.verify_code(MOBILE, code, ADDRESS, now=at(20))
    otp.request_code(MOBILE, ADDRESS, now=at(30))
    code = last_code()
    raised = failure(lambda: otp.verify_code(MOBILE, other_code(code), ADDRESS, now=at(40)))
    assert raised.code == OtpError.WRONG_CODE


def test_wrong_codes_count_across_new_codes(vendor):
    codes = []
    for n, wrong_tries in enumerate((1, 1, 3)):  # a new code does not give five fresh tries
        otp.request_code(MOBILE, ADDRESS, now=at(n))
        for _ in range(wrong_tries):
            guess = other_code(last_code())
            codes.append(failure(otp.verify_code, MOBILE, guess, ADDRESS, now=at(n)).code)
    assert codes == [OtpError.WRONG_CODE] * 4 + [OtpError.LOCKED]


def test_three_codes_per_number_in_ten_minutes(vendor):
    for n in range(3):
        otp.request_code(MOBILE, ADDRESS, now=at(n * 60))
    raised = failure(lambda: otp.request_code(MOBILE, ADDRESS, now=at(240)))
    assert (raised.code, raised.retry_after) == (OtpError.TOO_MANY_SENDS_NUMBER, 360)
    assert raised.message == (
        "چند کد برای این شماره فرستاده شده است و شاید پیامک آخر هنوز در راه باشد. "
        "۶ دقیقه دیگر می‌توانید کد تازه بخواهید."
    )
    assert len(sms.outbox) == 3
    # The refused request left the last code usable.
    assert otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(250)).mobile == MOBILE
    otp.request_code(MOBILE, ADDRESS, now=at(600))
    assert len(sms.outbox) == 4


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
    otp.request_code(MOBILE, ADDRESS, now=T0)
    first = last_code()
    with socket.socket() as probe:  # nothing listens on a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "vendors.sms.KavenegarBackend"
    settings.SMS_API_URL = f"http://127.0.0.1:{port}/v1"
    settings.SMS_API_KEY = "key"
    raised = failure(lambda: otp.request_code(MOBILE, ADDRESS, now=at(60)))
    assert (raised.code, raised.message) == (
        OtpError.SEND_FAILED,
        "ارسال پیامک همین حالا ممکن نشد. لطفاً چند دقیقه دیگر دوباره تلاش کنید.",
    )
    assert OneTimeCode.objects.count() == 1
    assert failure(lambda: otp.verify_code(MOBILE, first, ADDRESS, now=at(61))).code == OtpError.EXPIRED


def test_switched_off_account_cannot_sign_in(vendor):
    factories.user(username=MOBILE, mobile=MOBILE, is_active=False)
    otp.request_code(MOBILE, ADDRESS, now=T0)
    raised = failure(lambda: otp.verify_code(MOBILE, last_code(), ADDRESS, now=at(5)))
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
        "locked",
        "wrong_code",
        "expired",
        "no_code",
        "inactive",
    ]


@pytest.mark.postgres
def test_one_code_used_by_two_requests_at_once_signs_in_only_one(reference_data):
    import threading

    from django.db import connection

    factories.vendor(mobile=MOBILE)
    otp.request_code(MOBILE, ADDRESS, now=T0)
    code = last_code()
    barrier = threading.Barrier(2)
    outcomes = []

    def sign_in():
        try:
            barrier.wait(5)
            outcomes.append(otp.verify_code(MOBILE, code, ADDRESS, now=at(10)).username)
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
