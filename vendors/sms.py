"""Text messages through a pluggable gateway: the backend class named by settings.SMS_BACKEND."""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# What MemoryBackend sent, as (mobile, text); tests clear it.
outbox: list[tuple[str, str]] = []


class SmsError(Exception):
    """The message could not be handed to the gateway; the text says why (for logs, not for users)."""


class ConsoleBackend:
    """Development: print the message, so the sign-in code shows in the runserver console."""

    def send(self, mobile: str, text: str) -> None:
        sys.stdout.write(f"SMS to {mobile}: {text}\n")
        sys.stdout.flush()


class MemoryBackend:
    """Tests: keep the message in the module-level `outbox`."""

    def send(self, mobile: str, text: str) -> None:
        outbox.append((mobile, text))


class KavenegarBackend:
    """Kavenegar's REST API: POST {SMS_API_URL}/{SMS_API_KEY}/sms/send.json, JSON reply."""

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout

    def send(self, mobile: str, text: str) -> None:
        if not settings.SMS_API_KEY:
            raise SmsError("SMS_API_KEY is not set.")
        # The key is part of the path; it must never appear in an error message or a log line.
        url = "{}/{}/sms/send.json".format(
            settings.SMS_API_URL.rstrip("/"), urllib.parse.quote(settings.SMS_API_KEY, safe="")
        )
        fields = {"receptor": mobile, "message": text}
        if settings.SMS_SENDER:  # without a sender Kavenegar uses the account's default line
            fields["sender"] = settings.SMS_SENDER
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            # Kavenegar answers errors with an HTTP status equal to return.status and a JSON body.
            status, message = _status(error.read())
            detail = message if status is None else f"{status} {message}".strip()
            raise SmsError(f"Kavenegar answered HTTP {error.code}: {detail}") from None
        except TimeoutError as error:
            raise SmsError(f"Kavenegar did not answer within {self.timeout:g} s.") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise SmsError(f"Kavenegar did not answer within {self.timeout:g} s.") from None
            raise SmsError(f"Kavenegar could not be reached: {error.reason}") from None
        except OSError as error:
            raise SmsError(f"Kavenegar could not be reached: {error}") from error
        status, message = _status(body)
        if status is None:
            raise SmsError(f"Kavenegar's reply was not understood: {message}")
        if status != 200:
            raise SmsError(f"Kavenegar refused the message: status {status} {message}".strip())


def _status(body: bytes) -> tuple[int | None, str]:
    """The return.status and return.message of a Kavenegar reply, or (None, a note) when it is not JSON."""
    try:
        reply = json.loads(body.decode("utf-8"))
        status = reply["return"]["status"]
        return int(status), str(reply["return"].get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, f"not a Kavenegar reply: {body[:100]!r}"


def link(view_name: str, *args) -> str:
    """A short absolute link for a message: SITE_URL and the page's path in the active language, with
    nothing added (no tracking), so the text stays short and the address reads as ours."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args)


def origin_line(code: str) -> str:
    """The last line of a sign-in code SMS, "@host #code" (origin-bound one-time codes): phones and
    browsers offer the code on this site only (WebOTP, autocomplete="one-time-code"). The format has no
    room for a port."""
    return f"@{urllib.parse.urlsplit(settings.SITE_URL).hostname} #{code}"


def get_backend():
    """An instance of the class named by settings.SMS_BACKEND."""
    return import_string(settings.SMS_BACKEND)()


def send_sms(mobile: str, text: str) -> None:
    """Send `text` to `mobile` (09XXXXXXXXX) through the configured backend; raise SmsError on failure."""
    get_backend().send(mobile, text)
    logger.info("SMS sent to %s…%s through %s", mobile[:4], mobile[-2:], settings.SMS_BACKEND)
