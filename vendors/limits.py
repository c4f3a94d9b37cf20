"""Sign-in limits shared by the code and the password sign-ins: who is asking, and counters in the cache.

Who is asking is two things: the client address the counts are kept against, and whether this
browser has signed in with the same mobile or username before (a "known browser", remembered in a
signed cookie). A known browser gets its own small budget, so strangers who use up a number's or an
account's budget from elsewhere cannot keep its owner out on the owner's own phone or computer.

Counters live in Django's cache (Redis in production): cache.add + cache.incr are atomic there, so
every worker shares one count. Losing the cache's data only resets the counts. While the cache
cannot be reached at all (bazaarche/cache.py raises CacheUnavailable from incr), the counters move
to a small table (LimitCounter), so an attacker gains nothing from Redis being away; they start
afresh in the cache when it is back, as after a restart.
"""

from __future__ import annotations

import datetime
import ipaddress
import math

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from bazaarche.cache import CacheUnavailable, cache_reachable

from .models import LimitCounter

KNOWN_BROWSER_COOKIE = "bz_known"
KNOWN_BROWSER_DAYS = 180
_KNOWN_BROWSER_SALT = "bazaarche.vendors.known-browser"
_DIGEST_SALT = "bazaarche.vendors.limits"
_KNOWN_NAMES_KEPT = 5  # a family phone may sign in with a few numbers


def client_address(request: HttpRequest) -> str:
    """The address a request is counted against.

    Without a proxy, REMOTE_ADDR: X-Forwarded-For is whatever the client wants it to be. Behind the
    proxy of docs/deploy.md (BEHIND_PROXY), REMOTE_ADDR is the proxy, the same for everyone, and
    the client is the last X-Forwarded-For entry, the one the proxy wrote (nginx appends it to what
    the client sent, Caddy replaces the header). An IPv6 client counts by its /64 network, since one
    line is given a whole /64 and could otherwise change address at every request.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            address = forwarded.rsplit(",", 1)[-1].strip()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def name_digest(name: str) -> str:
    """A keyed digest of a mobile or username, for cache keys and the cookie: neither keeps the name
    itself (a username field sometimes holds a password typed in the wrong box)."""
    return salted_hmac(_DIGEST_SALT, name.casefold(), algorithm="sha256").hexdigest()[:32]


# --- known browsers -----------------------------------------------------------------------------


def _known_names(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(KNOWN_BROWSER_COOKIE, "")
    try:
        names = signing.loads(
            value, salt=_KNOWN_BROWSER_SALT, max_age=datetime.timedelta(days=KNOWN_BROWSER_DAYS)
        )
    except signing.BadSignature:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def is_known_browser(request: HttpRequest, name: str) -> bool:
    """Whether this browser has signed in with `name` (a mobile or a username) in the last 180 days."""
    return name_digest(name) in _known_names(request)


def remember_browser(request: HttpRequest, response: HttpResponse, name: str) -> None:
    """After a sign-in with `name`: this browser is known for it (signed, the names only as digests)."""
    digest = name_digest(name)
    names = [digest] + [known for known in _known_names(request) if known != digest]
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        signing.dumps(names[:_KNOWN_NAMES_KEPT], salt=_KNOWN_BROWSER_SALT),
        max_age=KNOWN_BROWSER_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- counters -----------------------------------------------------------------------------------


def add_one(key: str, timeout: int) -> int:
    """Add one to a counter atomically (cache.add then cache.incr) and return the new value.

    The counter lives `timeout` seconds from its first count; later counts do not extend it.
    """
    try:
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key)
        except ValueError:  # it expired between add and incr
            cache.add(key, 1, timeout)
            return 1
    except CacheUnavailable:
        return _add_one_in_database(key, timeout)


def count(key: str) -> int:
    """A counter's value now (0 when it has none), from wherever add_one keeps it at the moment."""
    value = cache.get(key)
    if value is None and not cache_reachable():
        now = timezone.now()
        value = (
            LimitCounter.objects.filter(key=key, expires_at__gt=now).values_list("count", flat=True).first()
        )
    return value or 0


def _add_one_in_database(key: str, timeout: int) -> int:
    """add_one while the cache is away: one UPDATE … count + 1 on a live row, or a new row.

    The UPDATE and the read of its result share a transaction, so the row stays locked between
    them and each request reads its own count. Two requests that both find no row both try to
    create it; the one refused by the unique key then counts on the winner's row. Expired rows, of
    any key, are deleted when a new one starts.
    """
    counters = LimitCounter.objects
    for _attempt in range(3):
        now = timezone.now()
        with transaction.atomic():
            if counters.filter(key=key, expires_at__gt=now).update(count=F("count") + 1):
                return counters.values_list("count", flat=True).get(key=key)
        counters.filter(expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                counters.create(key=key, count=1, expires_at=now + datetime.timedelta(seconds=timeout))
        except IntegrityError:
            continue
        return 1
    raise RuntimeError(f"sign-in counter {key!r} could be neither created nor counted")


def count_in_window(name: str, limit: int, window: int, now: datetime.datetime) -> int:
    """Count one more in the current fixed window; 0 when within `limit`, else the seconds to wait.

    Windows are numbered from `now`, so tests move the clock instead of sleeping. A burst across a
    window's edge can reach twice the limit within `window` seconds; each window still holds `limit`.
    """
    stamp = now.timestamp()
    number = int(stamp // window)
    if add_one(f"limits:{name}:{number}", window) <= limit:
        return 0
    return max(1, math.ceil((number + 1) * window - stamp))
