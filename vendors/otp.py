"""Sign-in by a one-time code sent by SMS: who may ask, sending, checking, and the limits on both.

Two functions make the whole flow, both taking `now` so tests move the clock instead of sleeping:

    request_code(mobile, client_address) -> SentCode       # or raises OtpFailure
    verify_code(sent_id, code, client_address) -> User     # or raises OtpFailure

Every failure carries a stable code (OtpError) and a message in the active language; the views
show the message, tests and logs use the code.

Codes are six random digits. Only an HMAC-SHA256 of the mobile and the code (keyed from
SECRET_KEY) is stored; a code expires after OTP_TTL_SECONDS and works once (used_at is set by a
conditional UPDATE, so two requests cannot both use it).

A code belongs to the sign-in that asked for it: the view keeps its id in the session, and only
that id is checked. So a stranger who knows a vendor's mobile can only guess at codes he asked for
himself; his wrong guesses never touch the owner's code, and his requests never replace it. Wrong
guesses burn the code, not the number: after OTP_MAX_WRONG tries a code is void (each try is
reserved by a conditional UPDATE before the comparison, so parallel guesses cannot take more), and
nothing is ever locked. What bounds guessing is sending: at most OTP_SENDS_PER_NUMBER codes per
number per hour, of which OTP_SENDS_PER_ADDRESS_AND_NUMBER from one client address, and
OTP_SENDS_PER_ADDRESS requests per address in all; so a stranger's chance of a right guess in an
hour is at most OTP_MAX_WRONG x OTP_SENDS_PER_NUMBER / 10^6 (README, Design). A browser that has
signed in with the number before has its own OTP_SENDS_PER_KNOWN_BROWSER and is not held back by
the number's or the address's counts, so strangers who use those up cannot keep the owner out.

Counters live in Django's cache (vendors/limits.py), codes and their tries in the database.
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
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, ngettext

from bazaarche.text import digits_for_language, normalize

from . import limits
from .models import OneTimeCode, User, Vendor
from .sms import SmsError, link, origin_line, send_sms

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
    WRONG_CODE = "wrong_code"
    CODE_SPENT = "code_spent"
    EXPIRED = "expired"
    NO_CODE = "no_code"
    INACTIVE = "inactive"


class OtpFailure(Exception):
    """Why a code was not sent or not accepted: a stable code, a message for the person, and when to retry."""

    def __init__(self, code: OtpError, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after  # seconds, for the sending limits


@dataclass(frozen=True)
class SentCode:
    id: int  # the sign-in keeps it (in the session) and checks only this code
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


def request_code(
    mobile: str,
    client_address: str,
    *,
    replaces: int | None = None,
    known_browser: bool = False,
    now: datetime.datetime | None = None,
) -> SentCode:
    """Send a new code to `mobile` (already cleaned to 09XXXXXXXXX) and return it (its id and expiry).

    `replaces` is the id of this sign-in's previous code, which stops working; other people's codes
    for the same number are left alone. `known_browser`: this browser has signed in with the number
    before (limits.is_known_browser).

    Raises OtpFailure: TOO_MANY_SENDS_ADDRESS, PASSWORD_ACCOUNT, NOT_IN_REGISTRY,
    TOO_MANY_SENDS_NUMBER or SEND_FAILED. Every request from an unknown browser counts against the
    client address, also one for a number not in the registry, so the registry cannot be searched
    number by number.
    """
    now = now or timezone.now()
    if not known_browser:
        _count_request(
            f"otp-address:{client_address}",
            settings.OTP_SENDS_PER_ADDRESS,
            now,
            OtpError.TOO_MANY_SENDS_ADDRESS,
        )
    if _is_password_account(mobile):
        raise OtpFailure(OtpError.PASSWORD_ACCOUNT, _password_account_message())
    if not in_registry(mobile):
        raise OtpFailure(OtpError.NOT_IN_REGISTRY, _not_in_registry_message())
    if known_browser:
        _count_request(
            f"otp-known:{mobile}", settings.OTP_SENDS_PER_KNOWN_BROWSER, now, OtpError.TOO_MANY_SENDS_NUMBER
        )
    else:
        # The address's share first: a request it refuses must not eat into the number's own count.
        share = settings.OTP_SENDS_PER_ADDRESS_AND_NUMBER
        _count_request(
            f"otp-address-number:{client_address}:{mobile}", share, now, OtpError.TOO_MANY_SENDS_NUMBER
        )
        _count_request(
            f"otp-number:{mobile}", settings.OTP_SENDS_PER_NUMBER, now, OtpError.TOO_MANY_SENDS_NUMBER
        )

    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    expires_at = now + datetime.timedelta(seconds=settings.OTP_TTL_SECONDS)
    with transaction.atomic():
        if replaces is not None:
            # The new code supersedes this sign-in's older one, whether or not that arrived.
            OneTimeCode.objects.filter(
                pk=replaces, mobile=mobile, used_at__isnull=True, expires_at__gt=now
            ).update(expires_at=now)
        row = OneTimeCode.objects.create(
            mobile=mobile, code_hash=code_hash(mobile, code), expires_at=expires_at
        )
    try:
        send_sms(mobile, sms_text(code))
    except SmsError as error:
        # Nobody received it, so nobody may use it; the older code stays superseded.
        row.delete()
        logger.warning("Sign-in code for %s…%s not sent: %s", mobile[:4], mobile[-2:], error)
        raise OtpFailure(OtpError.SEND_FAILED, _send_failed_message()) from error
    return SentCode(id=row.pk, mobile=mobile, expires_at=expires_at)


def _count_request(
    name: str, limit_and_window: tuple[int, int], now: datetime.datetime, error: OtpError
) -> None:
    """Count this request against one limit; past it, refuse with `error` and the wait."""
    limit, window = limit_and_window
    retry_after = limits.count_in_window(name, limit, window, now)
    if retry_after:
        message = (
            _too_many_address_message(retry_after)
            if error == OtpError.TOO_MANY_SENDS_ADDRESS
            else _too_many_number_message(retry_after)
        )
        raise OtpFailure(error, message, retry_after)


def code_hash(mobile: str, code: str) -> str:
    """HMAC-SHA256 of mobile and code, keyed from SECRET_KEY: a leaked table gives no usable code."""
    return salted_hmac(_HMAC_SALT, f"{mobile}:{code}", algorithm="sha256").hexdigest()


def sms_text(code: str) -> str:
    """The SMS: Persian words and Persian digits, the code itself in ASCII digits; then the link to
    the code page and, on its own last line, "@host #code" (vendors.sms.origin_line).

    The code stays ASCII because phones offer to copy or auto-fill a run of ASCII digits
    ("one-time-code"), and it is typed back into the form as it reads. The last line binds the code
    to this site: Android (WebOTP) and iOS offer it there and nowhere else. Persian text goes as
    UCS-2, 67 characters to a part of a long message: with a host of usual length, two parts.
    """
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    text = ngettext(
        "Your Bazaarche sign-in code: %(code)s — valid for %(minutes)s minute.",
        "Your Bazaarche sign-in code: %(code)s — valid for %(minutes)s minutes.",
        minutes,
    ) % {"code": code, "minutes": digits_for_language(str(minutes))}
    return f"{text}\n{link('signin-code')}\n{origin_line(code)}"


# --- checking -----------------------------------------------------------------------------------


def verify_code(
    sent_id: int, code: str, client_address: str, *, now: datetime.datetime | None = None
) -> User:
    """Check `code` against the code `sent_id` (this sign-in's); on success use it up and return the
    account, created and linked if new.

    Raises OtpFailure: NO_CODE, EXPIRED, CODE_SPENT, WRONG_CODE, NOT_IN_REGISTRY or INACTIVE.
    Each try is counted on the code before comparing (a right one ends the code anyway); after
    OTP_MAX_WRONG wrong tries the code is void (CODE_SPENT) and a new one must be asked for.
    Nothing else is locked.
    """
    now = now or timezone.now()
    row = OneTimeCode.objects.filter(pk=sent_id, used_at__isnull=True).first()
    if row is None:
        raise OtpFailure(OtpError.NO_CODE, _no_code_message())
    if row.expires_at <= now:
        raise OtpFailure(OtpError.EXPIRED, _expired_message())
    tries = settings.OTP_MAX_WRONG
    # Take a try before comparing: twenty guesses at once still get only the tries that are left.
    if not OneTimeCode.objects.filter(pk=row.pk, attempts__lt=tries).update(attempts=F("attempts") + 1):
        raise OtpFailure(OtpError.CODE_SPENT, _code_spent_message())

    mobile = row.mobile
    typed = re.sub(r"[\s\-]", "", normalize(code))
    # A well-formed guess is compared in constant time; anything else cannot match.
    if not (_CODE.fullmatch(typed) and constant_time_compare(code_hash(mobile, typed), row.code_hash)):
        row.refresh_from_db(fields=["attempts"])
        if row.attempts < tries:
            raise OtpFailure(OtpError.WRONG_CODE, _wrong_code_message(tries - row.attempts))
        logger.warning(
            "Sign-in code for %s…%s void after %s wrong tries, the last from %s",
            mobile[:4],
            mobile[-2:],
            row.attempts,
            client_address,
        )
        raise OtpFailure(OtpError.CODE_SPENT, _code_spent_message())

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


def _code_spent_message() -> str:
    return gettext("This code was entered wrongly too many times and no longer works. Ask for a new code.")


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
