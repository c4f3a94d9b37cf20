"""The production cache: Redis, treated as a cache, so the site keeps working while Redis is away.

Django's RedisCache raises when Redis cannot be reached, and every page that touches the cache then
answers 500. ResilientRedisCache answers a miss to every read and drops every write instead, with
short socket timeouts, and leaves Redis alone for a few seconds after a failure, so a dead or hung
Redis costs milliseconds; it logs a warning at most once a minute per process. Pages are then made
afresh, sessions come from the database (cached_db).

Only incr() cannot pretend: there is no number to answer. It raises CacheUnavailable, so that a
counter that must not silently reset (the sign-in limits, vendors/limits.py) counts elsewhere.

Redis is imported only when this backend is configured: development runs without it.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# Redis on the same host or network answers in well under a millisecond; past these it is away.
CONNECT_TIMEOUT = 0.25  # seconds
READ_TIMEOUT = 0.5  # seconds
AWAY_PAUSE = 5  # seconds a process leaves Redis alone after it failed to answer
WARN_EVERY = 60  # seconds between two warnings that Redis is away, per process


class CacheUnavailable(Exception):
    """The cache could not be reached by an operation that has no harmless answer (incr, decr)."""


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError, TimeoutError

    # Refused, reset, timed out, still loading its data after a restart (BusyLoadingError is a
    # ConnectionError); OSError for whatever the socket raises that redis-py does not wrap.
    return (ConnectionError, TimeoutError, OSError)


class OneClientPerServer(RedisCacheClient):
    """Django's client makes a new redis.Redis for every cache call, and redis-py fills ~170 response
    callbacks into each (0.2 ms, three times an apply POST). A redis.Redis is safe to share: its pool
    hands out the connections. So each server gets one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes do nothing while Redis cannot be reached.

    After a failure the process leaves that Redis alone for AWAY_PAUSE seconds: a page makes a
    handful of cache calls, and a hung Redis would otherwise cost each of them a timeout.
    """

    # Per process, by server: Django makes one backend object per thread, the outage is the same.
    _away_until: dict[str, float] = {}
    _last_warning = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerServer
        self._options = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": READ_TIMEOUT,
            **self._options,
        }
        self._unreachable = _unreachable_errors()
        self._server_key = ",".join(self._servers)

    def _paused(self) -> bool:
        return time.monotonic() < ResilientRedisCache._away_until.get(self._server_key, 0.0)

    def _away(self, error: BaseException) -> None:
        now = time.monotonic()
        ResilientRedisCache._away_until[self._server_key] = now + AWAY_PAUSE
        if now - ResilientRedisCache._last_warning >= WARN_EVERY:
            ResilientRedisCache._last_warning = now
            logger.warning(
                "Redis cache unreachable (%s: %s): serving without the cache until it is back; "
                "this warning repeats at most every %s seconds.",
                type(error).__name__,
                error,
                WARN_EVERY,
            )

    def _attempt(self, operation, *args, missed=None):
        """operation(*args), or `missed` when Redis is away."""
        if self._paused():
            return missed
        try:
            return operation(*args)
        except self._unreachable as error:
            self._away(error)
            return missed

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, key, default, version, missed=default)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, keys, version, missed={})

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, key, version, missed=False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().add, key, value, timeout, version, missed=False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's answer is the list of keys that were not stored.
        return self._attempt(super().set_many, data, timeout, version, missed=list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, key, timeout, version, missed=False)

    def delete(self, key, version=None):
        return self._attempt(super().delete, key, version, missed=False)

    def delete_many(self, keys, version=None):
        self._attempt(super().delete_many, keys, version)

    def clear(self):
        return self._attempt(super().clear, missed=False)

    def incr(self, key, delta=1, version=None):
        # decr() is incr() with -delta, so it raises the same.
        if self._paused():
            raise CacheUnavailable(f"Redis at {self._server_key} failed less than {AWAY_PAUSE} s ago")
        try:
            return super().incr(key, delta, version)
        except self._unreachable as error:
            self._away(error)
            raise CacheUnavailable(str(error)) from error

    def ping(self) -> bool:
        """Ask Redis itself, pause or not; an answer ends the pause."""
        try:
            # The server writes go to (the first), the one that matters for counters and versions.
            self._cache.get_client(write=True).ping()
        except self._unreachable as error:
            self._away(error)
            return False
        ResilientRedisCache._away_until.pop(self._server_key, None)
        return True


def cache_reachable(alias: str = "default") -> bool:
    """Whether the cache answers now: one PING within the short timeouts, for a health check.

    A cache that is not ResilientRedisCache (local memory in development and tests) is always
    reachable: it cannot be away.
    """
    backend = caches[alias]
    return backend.ping() if isinstance(backend, ResilientRedisCache) else True
