"""/healthz: can this web process serve, and are the parts around it well, for the proxy and monitoring.

The answer is 200 while the database answers and 503 when it does not: without the database nothing
but cached pages can be served. Redis away or a late task worker is "degraded", still 200: pages
render uncached without Redis, and the worker's tasks wait for it, so taking the site out of a
proxy's rotation for either would only make things worse. The body says which part is unwell:

    {"status": "ok" | "degraded" | "unavailable",
     "database": "ok" | "unavailable",
     "cache": "ok" | "unavailable" | "unknown",
     "worker": {"status": "ok" | "late" | "never" | "unknown", "last_beat_seconds": 12 | null}}

Cheap, for a check every few seconds: one SELECT 1, the cache's own short ping, one heartbeat read
(skipped while the database is away: the beats are kept there). Never cached, no private data (no
error text, no host names), and not rate limited. The cache's ping (bazaarche/cache.py) and the
worker's heartbeat (worker/heartbeat.py) are asked only if they are there: "unknown" otherwise.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def cache_state() -> str:
    try:
        from bazaarche.cache import cache_reachable
    except ImportError:
        return "unknown"
    try:
        return "ok" if cache_reachable() else "unavailable"
    except Exception as error:  # a health check reports, it does not fail
        logger.warning("The cache could not be asked: %s", error.__class__.__name__)
        return "unavailable"


def worker_state() -> dict:
    """How long ago a task worker last said it was alive; late after a lease without a beat, the
    time after which the worker's own tasks count as lost (settings.WORKER_LEASE_SECONDS)."""
    unknown = {"status": "unknown", "last_beat_seconds": None}
    try:
        from worker.heartbeat import last_beat
    except ImportError:
        return unknown
    try:
        beat = last_beat()
    except Exception as error:  # a health check reports, it does not fail
        logger.warning("The worker's heartbeat could not be read: %s", error.__class__.__name__)
        return unknown
    if beat is None:
        return {"status": "never", "last_beat_seconds": None}
    seconds = max(0, int((timezone.now() - beat).total_seconds()))
    late = seconds > settings.WORKER_LEASE_SECONDS
    return {"status": "late" if late else "ok", "last_beat_seconds": seconds}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database, cache = database_state(), cache_state()
    worker = worker_state() if database == "ok" else {"status": "unknown", "last_beat_seconds": None}
    if database != "ok":
        status = "unavailable"
    elif cache == "unavailable" or worker["status"] in ("late", "never"):
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status, "database": database, "cache": cache, "worker": worker}
    return JsonResponse(body, status=503 if status == "unavailable" else 200)
