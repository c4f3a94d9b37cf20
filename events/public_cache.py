"""Whole-page cache for visitors' pages, keyed by a public-data version, with ETags and 304s.

The version changes whenever a transaction that wrote to a table public pages show (exhibitions,
sites, hours, closures, venues, counties, categories, vendors and their photos; halls, booths,
offers and assignments, which booths registers) commits. Writes are seen where the SQL is run
(a database execute wrapper), so bulk_create, update() and cascading deletes count as much as
save(): nothing that writes has to remember to bump. The version lives in the cache (Redis in
production, shared by all workers); a lost version is replaced by a fresh random one, so it can
never bring old pages back. Pages also say what time it is ("open now", "today"), so each cached
copy lives at most one time slot (TIME_SLOT seconds).

Only anonymous GETs without pending messages are cached: signed-in organisers see unpublished
banners, and a flash message belongs to one visitor. A request whose own database connection
holds uncommitted public writes (a test inside a transaction, say) bypasses the cache.

While the database is away (bazaarche/outage.py), a visitor gets the last good copy of the page
they asked for rather than the 503 page: old is better than nothing for "where and when".
"""

import functools
import gzip
import hashlib
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import get_language_from_path

from bazaarche.outage import is_outage

VERSION_KEY = "public:version"
TIME_SLOT = 60  # seconds a cached page may keep saying what time it is
PAGE_TIMEOUT = 2 * TIME_SLOT
# The last good copy of an address without a query string, kept for when the database is away.
# Their number is that of the public pages; addresses with a query are whatever visitors type, so
# those keep PAGE_TIMEOUT (a copy's version and slot, not its lifetime, say whether it is current).
STALE_TIMEOUT = 24 * 60 * 60
STALE_HEADER = "X-Bazaarche-Stale"
PUBLIC_TABLES: set[str] = set()
_WRITE = re.compile(r'(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[`"]?(\w+)', re.IGNORECASE)


def public_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(), not set(): when two workers race, both then read the one that won.
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_public_version() -> None:
    """Pages cached so far are never served again."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def watch_models(*models) -> None:
    """Writes to these models' tables change the public version."""
    PUBLIC_TABLES.update(model._meta.db_table for model in models)


def _bump_pending(connection) -> bool:
    return any(entry[1] is bump_public_version for entry in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """Database execute wrapper: a write to a public table bumps the version when it commits."""
    result = execute(sql, params, many, context)
    if sql[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
        match = _WRITE.match(sql)
        if match and match.group(1) in PUBLIC_TABLES:
            connection = context["connection"]
            if not connection.in_atomic_block:
                bump_public_version()
            elif not _bump_pending(connection):
                # robust: whatever happens after a commit never turns its success into a failure.
                connection.on_commit(bump_public_version, robust=True)
    return result


def install_watch(connection, **kwargs) -> None:
    """connection_created receiver: each thread's connection gets the wrapper once."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def uncommitted_public_writes() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.in_atomic_block and _bump_pending(connection)


def _time_slot() -> int:
    return int(time.time() // TIME_SLOT)


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or uncommitted_public_writes():
        return False
    if "messages" in request.COOKIES:
        return False
    return not request.user.is_authenticated


def _is_partial(request) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    meta = request.META
    return meta.get("HTTP_HX_REQUEST") == "true" and meta.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"


def _language(request) -> str:
    # With i18n_patterns and an unprefixed default language the address alone decides the language.
    return get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def page_etag(request, version: str, slot: int) -> str:
    """The ETag of a public page: the data version and time slot, the address with its query, the language."""
    parts = [version, str(slot), request.get_host(), request.get_full_path(), _language(request)]
    parts.append("partial" if _is_partial(request) else "page")
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["HX-Request"])
    response.public_page_cacheable = True
    return response


CACHE_CONTROL = "max-age=0, must-revalidate"


def cached_public_page(view):
    """Serve a public page from the cache for anonymous visitors; 304 when their copy is current."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["HX-Request"])
            return response
        version, slot = public_version(), _time_slot()
        etag = page_etag(request, version, slot)
        if _matches(request.headers.get("If-None-Match", ""), etag):
            return _finish(HttpResponseNotModified(), etag)
        key = "public:page:" + etag.strip('"')
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return _finish(HttpResponse(content, content_type=content_type), etag)
        response = view(request, *args, **kwargs)
        # A page that put a CSRF token or a cookie in its answer belongs to this visitor alone.
        personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        if response.status_code == 200 and not response.streaming and not personal:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
            return _finish(response, etag)
        return response

    return wrapper


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # GZipMiddleware's own test
_NONCE = re.compile(r"\s*'nonce-[^']*'")


def _without_nonce(name: str, value: str) -> str:
    """A nonce served to every visitor is no secret: cached pages allow no inline script at all."""
    return _NONCE.sub("", value) if name.lower() == "content-security-policy" else value


class PublicPageCacheMiddleware:
    """The fast path: answers a cached public page before sessions, languages, URLs and views run.

    Sits right after WhiteNoise. It only answers requests that cannot be signed in (no session
    cookie) and carry no flash messages, and only stores what cached_public_page marked as a
    public page, with every header the inner middleware set (CSP, Vary, Content-Language, …), so a
    page from here is byte for byte the page the view would give. Everything else passes through.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
            or uncommitted_public_writes()
        ):
            return self.get_response(request)
        # One round trip to the cache: the version, and this address's latest page with the
        # version and time slot it was made under.
        address = "|".join(
            [request.get_host(), request.get_full_path(), _language(request), str(_is_partial(request))]
        )
        key = "public:full:" + hashlib.sha256(address.encode()).hexdigest()[:32]
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or public_version()
        slot = _time_slot()
        entry = found.get(key)
        if entry is not None and entry[0] == version and entry[1] == slot:
            _version, _slot, etag, compressed, headers = entry
            if _matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
                return self._answer(HttpResponseNotModified(), headers)
            return self._page(request, compressed, headers)
        etag = page_etag(request, version, slot)
        # An exception inside is already a response here (Django converts it at each layer).
        response = self.get_response(request)
        if entry is not None and is_outage(response):
            return self._stale(request, entry)
        if (
            getattr(response, "public_page_cacheable", False)
            and response.status_code == 200
            and response.get("ETag") == etag
            and not response.cookies
        ):
            headers = [(name, _without_nonce(name, value)) for name, value in response.items()]
            timeout = PAGE_TIMEOUT if request.META.get("QUERY_STRING") else STALE_TIMEOUT
            # Compressed once here, not at every visit (GZipMiddleware leaves an encoded answer alone).
            compressed = compress_string(response.content)
            cache.set(key, (version, slot, etag, compressed, headers), timeout)
        elif entry is not None and response.status_code == 404:
            cache.delete(key)  # unpublished or deleted: not even an outage brings it back
        return response

    @classmethod
    def _page(cls, request, compressed: bytes, headers: list[tuple[str, str]]) -> HttpResponse:
        """The stored page, gzipped as stored for a browser that takes it, else unpacked."""
        if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = cls._answer(HttpResponse(compressed), headers)
            response["Content-Encoding"] = "gzip"
            response["Content-Length"] = str(len(compressed))
            if response.has_header("ETag") and not response["ETag"].startswith("W/"):
                response["ETag"] = "W/" + response["ETag"]  # as GZipMiddleware does: one of two encodings
        else:
            content = gzip.decompress(compressed)
            response = cls._answer(HttpResponse(content), headers)
            response["Content-Length"] = str(len(content))
        patch_vary_headers(response, ["Accept-Encoding"])
        return response

    @classmethod
    def _stale(cls, request, entry) -> HttpResponse:
        """The last good copy: said to be one, and kept by nobody (it is not current)."""
        _version, _slot, _etag, compressed, headers = entry
        response = cls._page(request, compressed, headers)
        del response["ETag"]
        response["Cache-Control"] = "no-store"
        response[STALE_HEADER] = "1"
        return response

    @staticmethod
    def _answer(response: HttpResponse, headers: list[tuple[str, str]]) -> HttpResponse:
        for name, value in headers:
            if isinstance(response, HttpResponseNotModified) and name.lower() in (
                "content-type",
                "content-length",
            ):
                continue
            response[name] = value
        return response
