"""Sign-in limits with Redis away: the counts move to the database, so nobody gains tries, nobody sees a 500."""

import datetime
import re
import threading

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from tests import factories
from vendors import limits
from vendors.models import LimitCounter

REDIS_AWAY = {
    "default": {"BACKEND": "bazaarche.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}
LIVE_REDIS = {
    "default": {"BACKEND": "bazaarche.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:6379/11"}
}
DATABASE_SESSIONS = "django.contrib.sessions.backends.cached_db"
MOBILE = "09161234567"


def errors(response, field: str) -> list[str]:
    html = response.content.decode()
    block = re.search(rf'<div class="error" id="id_{field}_error" role="alert">(.*?)</div>', html, re.S)
    return re.findall(r"<p>(.*?)</p>", block.group(1), re.S) if block else []


@pytest.fixture
def live_redis():
    try:
        redis.Redis.from_url(LIVE_REDIS["default"]["LOCATION"], socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    with override_settings(CACHES=LIVE_REDIS):
        cache.clear()
        yield cache
        cache.clear()


@override_settings(CACHES=REDIS_AWAY)
def test_cache_away_counts_go_on_in_the_database(db):
    assert [limits.add_one("limits:test", 60) for _ in range(3)] == [1, 2, 3]
    assert limits.count("limits:test") == 3
    assert limits.count("limits:other") == 0
    assert list(LimitCounter.objects.values_list("key", "count")) == [("limits:test", 3)]


@override_settings(CACHES=REDIS_AWAY)
def test_cache_away_expired_counter_starts_again_and_old_rows_go(db):
    limits.add_one("limits:test", 60)
    limits.add_one("limits:test", 60)
    limits.add_one("limits:old", 60)
    LimitCounter.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert limits.count("limits:test") == 0
    assert limits.add_one("limits:test", 60) == 1
    assert list(LimitCounter.objects.values_list("key", "count")) == [("limits:test", 1)]


def test_live_redis_counts_in_redis_and_nothing_in_the_database(db, live_redis):
    assert [limits.add_one("limits:test", 60) for _ in range(2)] == [1, 2]
    assert limits.count("limits:test") == 2
    assert live_redis.get("limits:test") == 2
    assert LimitCounter.objects.count() == 0


@override_settings(CACHES=REDIS_AWAY, SESSION_ENGINE=DATABASE_SESSIONS)
def test_cache_away_code_requests_stay_limited_per_address(client: Client, db, outbox):
    answers = [client.post("/signin/", {"mobile": f"0912000000{n}"}).status_code for n in range(10)]
    response = client.post("/signin/", {"mobile": "09120000010"})

    assert answers == [200] * 10  # numbers not in the registry: each one counted, each one told so
    assert response.status_code == 200
    [message] = errors(response, "mobile")
    assert re.fullmatch(
        r"از این اتصال اینترنت کدهای زیادی درخواست شده است. لطفاً [۱-۹][۰-۹]? دقیقه دیگر دوباره تلاش کنید.",
        message,
    )


@override_settings(CACHES=REDIS_AWAY, SESSION_ENGINE=DATABASE_SESSIONS)
def test_cache_away_wrong_passwords_stay_limited(client: Client, db):
    factories.user(username="organiser", password="organiser-pass-4821")
    for _ in range(10):
        response = client.post("/signin/password/", {"username": "organiser", "password": "wrong-pass"})
        assert response.status_code == 200

    response = client.post("/signin/password/", {"username": "organiser", "password": "organiser-pass-4821"})

    assert response.status_code == 200
    assert re.findall(r'<div class="error" role="alert"><p>(.*?)</p>', response.content.decode()) == [
        "ورودهای ناموفق زیاد شد. لطفاً ۱۵ دقیقه صبر کنید و دوباره تلاش کنید."
    ]
    assert "_auth_user_id" not in client.session


@override_settings(CACHES=REDIS_AWAY, SESSION_ENGINE=DATABASE_SESSIONS)
def test_cache_away_vendor_signs_in_with_a_code(client: Client, db, outbox):
    vendor = factories.vendor(mobile=MOBILE)
    assert client.post("/signin/", {"mobile": MOBILE})["Location"] == "/signin/code/"
    code = re.search(r"[0-9]{6}", outbox[-1][1]).group()

    response = client.post("/signin/code/", {"code": code})

    assert (response.status_code, response["Location"]) == (302, "/me/")
    vendor.refresh_from_db()
    assert client.session["_auth_user_id"] == str(vendor.user_id)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(CACHES=REDIS_AWAY)
def test_cache_away_parallel_counts_are_each_counted_once():
    counted: list[int] = []

    def count_five():
        try:
            counted.extend(limits.add_one("limits:parallel", 60) for _ in range(5))
        finally:
            connection.close()

    threads = [threading.Thread(target=count_five) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counted) == list(range(1, 21))
