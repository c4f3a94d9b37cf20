"""Sign-in by a one-time code sent by SMS: who may ask, sending, checking, rate limits and locks.

Two functions make the whole flow, both taking `now` so tests move the clock instead of sleeping:

    request_code(mobile, client_address) -> SentCode       # or raises OtpFailure
    verify_code(mobile, code, client_address) -> User      # or raises OtpFailure

Every failure carries a stable code (OtpError) and a message in the active language; the views
show the message, tests and logs use the code.

Codes are six random digits. Only an HMAC-SHA256 of the mobile and the code (keyed from
SECRET_KEY) is stored; a code expires after OTP_TTL_SECONDS, works once (used_at is set by a
conditional UPDATE, so two requests cannot both use it) and is replaced by the next one.

Counters live in Django's cache, not in the database: the per-address count has no model to live
in, and cache.add + cache.incr are atomic on Redis (production), so every worker shares one count
and concurrent requests cannot slip past a limit. Sending limits are fixed windows keyed by the
window number worked out from `now` (a burst across a window edge can reach twice the limit, still
small). A lock stores the moment it ends, compared with `now`. Losing the cache (a Redis restart)
only resets limits and locks; codes themselves are in the database. Without Redis (development,
tests) the cache is per process.
"""

from __future__ import annotations

import datetime
import logging
import math
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext

from bazaarche.text import digits_for_language, normalize

from .models import OneTimeCode, User, Vendor
from .sms import SmsError, send_sms

logger = logging.getLogger(__name__)

CODE_LENGTH = 6
_HMAC_SALT = "bazaarche.vendors.otp"
_CODE = re.compile(r"[0-9]{6}")


class OtpError(StrEnum):
    NOT_IN_REGISTRY = "not_in_registry"
    PASSWORD_ACCOUNT = "password_account"
    TOO_MANY_SENDS_NUMBER = "too_many_sends_number"
    TOO_MANY_SENDS_ADDRESS = "too_many_sends_address"
    SEND_FAILED = "send_failed"
    LOCKED = "locked"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"
    NO_CODE = "no_code"
    INACTIVE = "inactive"


class OtpFailure(Exception):
    """Why a code was not sent or not accepted: a stable code, a message for the person, and when to retry."""

    def __init__(self, code: OtpError, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after  # seconds, for the limits and the lock


@dataclass(frozen=True)
class SentCode:
    mobile: str
    expires_at: datetime.datetime


# --- who may ask --------------------------------------------------------------------------------


def in_registry(mobile: str) -> bool:
    """Whether a vendor has this registry mobile, or a support company's manager has it as account mobile."""
    return (
        Vendor.objects.filter(mobile=mobile).exists()
        or User.objects.filter(mobile=mobile, managed_companies__isnull=False).exists()
    )


def _is_password_account(mobile: str) -> bool:
    # A code by SMS is weaker than a password (SIM swaps, shared phones): accounts with organiser
    # or admin powers keep signing in with their password, even when they also sell at a bazaar.
    return (
        User.objects.filter(mobile=mobile)
        .filter(Q(is_staff=True) | Q(is_superuser=True) | Q(organiser_province__isnull=False))
        .exists()
    )


# --- sending ------------------------------------------------------------------------------------


def request_code(mobile: str, client_address: str, *, now: datetime.datetime | None = None) -> SentCode:
    """Send a new code to `mobile` (already cleaned to 09XXXXXXXXX) and return when it expires.

    Raises OtpFailure: LOCKED, TOO_MANY_SENDS_ADDRESS, PASSWORD_ACCOUNT, NOT_IN_REGISTRY,
    TOO_MANY_SENDS_NUMBER or SEND_FAILED. Every request counts against the client address, also
    one for a number not in the registry, so the registry cannot be searched number by number.
    """
    now = now or timezone.now()
    _check_lock(mobile, now)
    limit, window = settings.OTP_SENDS_PER_ADDRESS
    retry_after = _count_in_window(f"address:{client_address}", limit, window, now)
    if retry_after:
        raise OtpFailure(OtpError.TOO_MANY_SENDS_ADDRESS, _too_many_address_message(retry_after), retry_after)
    if _is_password_account(mobile):
        raise OtpFailure(OtpError.PASSWORD_ACCOUNT, _password_account_message())
    if not in_registry(mobile):
        raise OtpFailure(OtpError.NOT_IN_REGISTRY, _not_in_registry_message())
    limit, window = settings.OTP_SENDS_PER_NUMBER
    retry_after = _count_in_window(f"number:{mobile}", limit, window, now)
    if retry_after:
        raise OtpFailure(OtpError.TOO_MANY_SENDS_NUMBER, _too_many_number_message(retry_after), retry_after)

    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    expires_at = now + datetime.timedelta(seconds=settings.OTP_TTL_SECONDS)
    with transaction.atomic():
        # A new code supersedes the older ones: they expire now, whether or not they arrived.
        OneTimeCode.objects.filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        row = OneTimeCode.objects.create(
            mobile=mobile, code_hash=code_hash(mobile, code), expires_at=expires_at
        )
    try:
        send_sms(mobile, sms_text(code))
    except SmsError as error:
        # Nobody received it, so nobody may use it; the older codes stay superseded.
        row.delete()
        logger.warning("Sign-in code for %s…%s not sent: %s", mobile[:4], mobile[-2:], error)
        raise OtpFailure(OtpError.SEND_FAILED, _send_failed_message()) from error
    return SentCode(mobile=mobile, expires_at=expires_at)


def code_hash(mobile: str, code: str) -> str:
    """HMAC-SHA256 of mobile and code, keyed from SECRET_KEY: a leaked table gives no usable code."""
    return salted_hmac(_HMAC_SALT, f"{mobile}:{code}", algorithm="sha256").hexdigest()


def sms_text(code: str) -> str:
    """The SMS: Persian words and Persian digits, the code itself in ASCII digits, one SMS part.

    The code stays ASCII because phones offer to copy or auto-fill a run of ASCII digits
    ("one-time-code"), and it is typed back into the form as it reads. Persian text goes as
    UCS-2, 70 characters to one part; this text is well under that.
    """
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    return ngettext(
        "Your Bazaarche sign-in code: %(code)s — valid for %(minutes)s minute.",
        "Your Bazaarche sign-in code: %(code)s — valid for %(minutes)s minutes.",
        minutes,
    ) % {"code": code, "minutes": digits_for_language(str(minutes))}


# --- checking -----------------------------------------------------------------------------------


def verify_code(mobile: str, code: str, client_address: str, *, now: datetime.datetime | None = None) -> User:
    """Check `code` for `mobile`; on success use it up and return the account, created and linked if new.

    Raises OtpFailure: LOCKED, NO_CODE, EXPIRED, WRONG_CODE, NOT_IN_REGISTRY or INACTIVE.
    OTP_MAX_WRONG wrong codes in a row, across codes, lock the number for OTP_LOCK_SECONDS and
    kill the current code; the lock is logged with `client_address`. Guessing across many numbers
    from one address is bounded by the sending limits: each number needs a code sent first.
    """
    now = now or timezone.now()
    _check_lock(mobile, now)
    row = (
        OneTimeCode.objects.filter(mobile=mobile, used_at__isnull=True).order_by("-created_at", "-pk").first()
    )
    if row is None:
        raise OtpFailure(OtpError.NO_CODE, _no_code_message())
    if row.expires_at <= now:
        raise OtpFailure(OtpError.EXPIRED, _expired_message())

    typed = re.sub(r"[\s\-]", "", normalize(code))
    # A well-formed guess is compared in constant time; anything else cannot match.
    if not (_CODE.fullmatch(typed) and constant_time_compare(code_hash(mobile, typed), row.code_hash)):
        _wrong_code(mobile, row, client_address, now)

    with transaction.atomic():
        used = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True, expires_at__gt=now).update(
            used_at=now
        )
        if used != 1:  # another request used it a moment ago
            raise OtpFailure(OtpError.NO_CODE, _no_code_message())
        if not in_registry(mobile):  # removed from the registry since the code was sent
            raise OtpFailure(OtpError.NOT_IN_REGISTRY, _not_in_registry_message())
        user = account_for(mobile)
        if not user.is_active:
            raise OtpFailure(OtpError.INACTIVE, _inactive_message())
    cache.delete(_key("wrong", mobile))
    return user


def account_for(mobile: str) -> User:
    """The account of this mobile, created if needed (username = mobile, no password); links its vendors."""
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        # An account made by hand with the mobile as username but without User.mobile is the same person.
        user = User.objects.filter(username=mobile, mobile__isnull=True).first()
        if user is not None:
            user.mobile = mobile
            user.save(update_fields=["mobile"])
    if user is None:
        user = User(username=mobile, mobile=mobile)
        user.set_unusable_password()
        user.save()
    # Every permit with this mobile that has no account yet belongs to this person; a permit
    # already linked to another account stays with it.
    Vendor.objects.filter(mobile=mobile, user__isnull=True).update(user=user)
    return user


def _wrong_code(mobile: str, row: OneTimeCode, client_address: str, now: datetime.datetime) -> None:
    OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    wrong = _incr(_key("wrong", mobile), settings.OTP_LOCK_SECONDS)
    if wrong >= settings.OTP_MAX_WRONG:
        until = now + datetime.timedelta(seconds=settings.OTP_LOCK_SECONDS)
        cache.set(_key("locked", mobile), until.timestamp(), settings.OTP_LOCK_SECONDS)
        cache.delete(_key("wrong", mobile))
        # The code that was being guessed is dead; after the lock a new one must be asked for.
        OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(expires_at=now)
        logger.warning(
            "Sign-in for %s…%s locked after %s wrong codes, the last from %s",
            mobile[:4],
            mobile[-2:],
            wrong,
            client_address,
        )
        raise OtpFailure(
            OtpError.LOCKED, _locked_message(settings.OTP_LOCK_SECONDS), settings.OTP_LOCK_SECONDS
        )
    raise OtpFailure(OtpError.WRONG_CODE, _wrong_code_message(settings.OTP_MAX_WRONG - wrong))


# --- counters in the cache ------------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return f"otp:{kind}:{value}"


def _incr(key: str, timeout: int) -> int:
    """Add one to a counter atomically (cache.add then cache.incr) and return the new value."""
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # it expired between add and incr
        cache.add(key, 1, timeout)
        return 1


def _count_in_window(name: str, limit: int, window: int, now: datetime.datetime) -> int:
    """Count one more in the current fixed window; return 0 when within `limit`, else seconds to wait."""
    stamp = now.timestamp()
    number = int(stamp // window)
    count = _incr(_key("sends", f"{name}:{number}"), window)
    if count <= limit:
        return 0
    return max(1, math.ceil((number + 1) * window - stamp))


def _check_lock(mobile: str, now: datetime.datetime) -> None:
    until = cache.get(_key("locked", mobile))
    if until is not None and now.timestamp() < until:
        seconds = math.ceil(until - now.timestamp())
        raise OtpFailure(OtpError.LOCKED, _locked_message(seconds), seconds)


# --- messages -------------------------------------------------------------------------------------


def _minutes(seconds: int) -> tuple[int, str]:
    minutes = max(1, math.ceil(seconds / 60))
    return minutes, digits_for_language(str(minutes))


def _not_in_registry_message() -> str:
    return gettext(
        "This number is not in the home-jobs registry. Check that it is the mobile number you "
        "registered your home business with. If your number has changed, contact the Directorate "
        "General of Cooperatives, Labour and Social Welfare or its office in your county."
    )


def _password_account_message() -> str:
    return gettext("This number belongs to an organiser's account, which signs in with a password.")


def _too_many_number_message(seconds: int) -> str:
    n, shown = _minutes(seconds)
    return ngettext(
        "Several codes have already been sent to this number. The last one may still arrive; "
        "you can ask for another in %(minutes)s minute.",
        "Several codes have already been sent to this number. The last one may still arrive; "
        "you can ask for another in %(minutes)s minutes.",
        n,
    ) % {"minutes": shown}


def _too_many_address_message(seconds: int) -> str:
    n, shown = _minutes(seconds)
    return ngettext(
        "Too many codes have been asked for from this internet connection. Please try again in %(minutes)s minute.",
        "Too many codes have been asked for from this internet connection. Please try again in %(minutes)s minutes.",
        n,
    ) % {"minutes": shown}


def _send_failed_message() -> str:
    return gettext("The SMS could not be sent just now. Please try again in a few minutes.")


def _locked_message(seconds: int) -> str:
    n, shown = _minutes(seconds)
    return ngettext(
        "The code was entered wrongly too many times. To keep your account safe, signing in with this "
        "number is locked for %(minutes)s minute. After that, ask for a new code.",
        "The code was entered wrongly too many times. To keep your account safe, signing in with this "
        "number is locked for %(minutes)s minutes. After that, ask for a new code.",
        n,
    ) % {"minutes": shown}


def _wrong_code_message(tries_left: int) -> str:
    return ngettext(
        "That code is not right. Check the SMS (if you asked for a new code, use the newest one). "
        "You can try %(tries)s more time.",
        "That code is not right. Check the SMS (if you asked for a new code, use the newest one). "
        "You can try %(tries)s more times.",
        tries_left,
    ) % {"tries": digits_for_language(str(tries_left))}


def _expired_message() -> str:
    return gettext("This code has expired. Ask for a new code.")


def _no_code_message() -> str:
    return gettext("There is no valid code for this number. Ask for a new code.")


def _inactive_message() -> str:
    return gettext("This account is switched off. Please contact the Directorate.")
