"""Redis away: pages render uncached, sessions hold, a registry import that committed reports success.

The cache is pointed at a dead port (nothing listens on 127.0.0.1:1), at a port that accepts and
never answers (a hung Redis), or, for the happy path, at the real Redis on database 11.
"""

import logging
import socket
import time
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client, override_settings

from bazaarche.cache import CacheUnavailable, ResilientRedisCache, cache_reachable
from booths.models import Application
from tests import factories
from tests.bazaarche.test_settings import probe
from tests.booths.applications.test_applying import days, open_site
from tests.vendors.registry.helpers import csv_bytes, make_row
from vendors import tasks
from vendors.models import RegistryImport, Vendor

BACKEND = "bazaarche.cache.ResilientRedisCache"
LIVE_URL = "redis://127.0.0.1:6379/11"
DATABASE_SESSIONS = "django.contrib.sessions.backends.cached_db"


def redis_at(url: str) -> dict:
    return {"default": {"BACKEND": BACKEND, "LOCATION": url}}


REDIS_AWAY = redis_at("redis://127.0.0.1:1/0")


@pytest.fixture(autouse=True)
def _fresh_process():
    # Each test sees its own first warning and its own first failure.
    ResilientRedisCache._last_warning = 0.0
    ResilientRedisCache._away_until.clear()
    yield
    ResilientRedisCache._last_warning = 0.0
    ResilientRedisCache._away_until.clear()


@pytest.fixture
def live_redis():
    try:
        redis.Redis.from_url(LIVE_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    with override_settings(CACHES=redis_at(LIVE_URL)):
        cache.clear()
        yield cache
        cache.clear()


@pytest.fixture
def hung_redis():
    """A port that accepts connections (the kernel's backlog) and never answers a command."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


# --- the backend ----------------------------------------------------------------------------------


def test_settings_redis_url_chooses_the_resilient_cache_and_sessions_kept_in_the_database():
    result = probe(REDIS_URL="redis://127.0.0.1:1/0")
    assert (result["cache"], result["sessions"]) == (BACKEND, DATABASE_SESSIONS)
    # The probe's round trip through a dead Redis is a miss, not an error.
    assert result["redis_roundtrip"] is None


@override_settings(CACHES=REDIS_AWAY)
def test_cache_away_reads_miss_and_writes_do_nothing(caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bazaarche.cache"):
        answers = [
            cache.get("a", "default"),
            cache.get_many(["a", "b"]),
            cache.has_key("a"),
            cache.add("a", 1),
            cache.set("a", 1),
            cache.set_many({"a": 1, "b": 2}),
            cache.touch("a"),
            cache.delete("a"),
            cache.delete_many(["a", "b"]),
            cache.get_or_set("a", 5),
            cache.clear(),
        ]
    assert answers == ["default", {}, False, False, None, ["a", "b"], False, False, None, 5, False]
    # One warning for the whole burst, not one per call.
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert time.monotonic() - started < 1


@override_settings(CACHES=REDIS_AWAY)
def test_cache_away_incr_raises_cache_unavailable_not_a_count():
    with pytest.raises(CacheUnavailable):
        cache.incr("counter")
    with pytest.raises(CacheUnavailable):
        cache.decr("counter")


def test_hung_redis_costs_one_short_timeout_then_nothing(client: Client, db, hung_redis):
    with override_settings(CACHES=redis_at(hung_redis)):
        started = time.monotonic()
        assert cache.get("a") is None
        first = time.monotonic() - started
        # The page's many cache calls come within the pause: none of them waits.
        assert client.get("/").status_code == 200
        page = time.monotonic() - started - first
    # redis-py's own default would wait 5 seconds for each call.
    assert (first < 1, page < 1.5) == (True, True)


def test_cache_reachable_pings_through_the_pause(hung_redis):
    with override_settings(CACHES=redis_at(hung_redis)):
        assert cache.get("a") is None
        started = time.monotonic()
        assert cache_reachable() is False
        assert time.monotonic() - started < 1
        with pytest.raises(CacheUnavailable):
            cache.incr("counter")


def test_live_redis_is_used_again_once_a_ping_answers(live_redis):
    live_redis.set("page", "سلام", 30)
    ResilientRedisCache._away_until[LIVE_URL] = time.monotonic() + 60  # as after a failure

    assert live_redis.get("page") is None
    assert cache_reachable() is True
    assert live_redis.get("page") == "سلام"


def test_cache_reachable_answers_for_redis_away_and_for_local_memory():
    assert cache_reachable() is True  # the tests' local-memory cache
    with override_settings(CACHES=REDIS_AWAY):
        assert cache_reachable() is False


def test_live_redis_stores_counts_and_is_reachable(live_redis):
    live_redis.set("page", "سلام", 30)
    live_redis.add("counter", 0, 30)
    assert (live_redis.get("page"), live_redis.incr("counter"), live_redis.incr("counter")) == ("سلام", 1, 2)
    assert cache_reachable() is True


def test_live_redis_one_client_serves_every_call(live_redis):
    """redis-py fills ~170 callbacks into each client it makes: Django made one per call, we keep one."""
    live_redis.set("page", "سلام", 30)
    with mock.patch("redis.Redis.__init__", side_effect=AssertionError("a new client")):
        assert live_redis.get("page") == "سلام"
        live_redis.set("page", "دوباره", 30)
        assert live_redis.get_many(["page"]) == {"page": "دوباره"}


# --- pages and sessions ---------------------------------------------------------------------------


@override_settings(CACHES=REDIS_AWAY)
@pytest.mark.parametrize("address", ["/", "/en/"])
def test_cache_away_anonymous_page_renders_uncached(client: Client, db, address):
    # Twice: the second visit finds no cached page either, and says so with no error.
    assert (client.get(address).status_code, client.get(address).status_code) == (200, 200)


@override_settings(CACHES=REDIS_AWAY, SESSION_ENGINE=DATABASE_SESSIONS)
def test_cache_away_signed_in_vendor_stays_signed_in_and_applies(client: Client, db):
    site = open_site()
    vendor = factories.vendor(user=factories.user())
    client.force_login(vendor.user)

    response = client.post(
        f"/sites/{site.slug}/apply/",
        {"days": days(site, 2), "helpers": "۰", "products": "گلیم و جاجیم دستباف"},
    )

    application = Application.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/me/applications/{application.pk}/")
    assert (application.vendor, application.days) == (vendor, days(site, 2))


@override_settings(SESSION_ENGINE=DATABASE_SESSIONS)
def test_session_survives_redis_losing_its_data(client: Client, db, live_redis):
    vendor = factories.vendor(user=factories.user())
    client.force_login(vendor.user)
    assert client.get("/me/").status_code == 200

    live_redis.clear()  # what a restart of a Redis without persistence leaves

    response = client.get("/me/")
    assert response.status_code == 200
    assert response.wsgi_request.user == vendor.user


# --- after a commit -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_registry_import_with_redis_away_ends_done_with_every_row(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    organiser = factories.provincial_organiser()
    registry_import = RegistryImport(
        original_name="registry.csv", uploaded_by=organiser, status=RegistryImport.Status.IMPORTING
    )
    registry_import.file.save("registry.csv", ContentFile(csv_bytes([make_row(n) for n in range(1, 6)])))

    with override_settings(CACHES=REDIS_AWAY):
        tasks.run(registry_import.pk)

    registry_import.refresh_from_db()
    assert registry_import.error == ""
    assert (registry_import.status, registry_import.rows_done, registry_import.created) == (
        RegistryImport.Status.DONE,
        5,
        5,
    )
    assert Vendor.objects.count() == 5
