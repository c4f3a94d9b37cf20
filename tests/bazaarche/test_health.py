"""/healthz for the proxy and monitoring: 200 while the database answers (the cache away or a late
worker only "degraded"), 503 when it does not; never cached, cheap (bazaarche/health.py)."""

import contextlib
import datetime
import sys
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connections
from django.db.utils import OperationalError
from django.test import Client
from django.utils import timezone

from worker.heartbeat import beat
from worker.models import WorkerBeat


@contextlib.contextmanager
def database_away():
    refused = OperationalError("connection refused: is the server running on port 5432?")
    with mock.patch.object(connections["default"], "ensure_connection", side_effect=refused):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def worker_beat(seconds_ago: int) -> None:
    beat("worker-1", timezone.now())
    WorkerBeat.objects.update(beat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago))


def healthz(client=None):
    response = (client or Client()).get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthz_all_well(db):
    worker_beat(4)

    assert healthz() == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok", "worker": {"status": "ok", "last_beat_seconds": 4}},
    )


def test_healthz_database_away_is_503(db):
    worker_beat(4)

    with database_away():
        status, body = healthz()

    assert (status, body) == (
        503,
        {
            "status": "unavailable",
            "database": "unavailable",
            "cache": "ok",
            "worker": {"status": "unknown", "last_beat_seconds": None},  # its beats are in the database
        },
    )


def test_healthz_cache_away_is_degraded_not_down(db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "bazaarche.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    worker_beat(4)

    status, body = healthz()

    assert (status, body["status"], body["database"], body["cache"]) == (200, "degraded", "ok", "unavailable")


@pytest.mark.parametrize(
    "seconds_ago,worker",
    [
        (61, {"status": "late", "last_beat_seconds": 61}),
        (None, {"status": "never", "last_beat_seconds": None}),
    ],
)
def test_healthz_worker_silent_for_a_lease_or_never_seen_is_degraded(db, settings, seconds_ago, worker):
    settings.WORKER_LEASE_SECONDS = 60
    if seconds_ago is not None:
        worker_beat(seconds_ago)

    assert healthz() == (200, {"status": "degraded", "database": "ok", "cache": "ok", "worker": worker})


def test_healthz_parts_not_there_are_unknown(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "worker.heartbeat", None)  # importing it raises ImportError
    monkeypatch.setitem(sys.modules, "bazaarche.cache", None)

    assert healthz() == (
        200,
        {
            "status": "ok",
            "database": "ok",
            "cache": "unknown",
            "worker": {"status": "unknown", "last_beat_seconds": None},
        },
    )


def test_healthz_is_asked_afresh_each_time_with_two_queries(db, django_assert_num_queries):
    client = Client()
    worker_beat(4)
    for _ in range(2):  # the page cache never answers it
        with django_assert_num_queries(2):  # SELECT 1 and the newest beat
            assert healthz(client)[0] == 200
    WorkerBeat.objects.all().delete()
    assert healthz(client)[1]["worker"]["status"] == "never"
    assert client.cookies == {}


def test_healthz_answers_head_and_refuses_post(db):
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405
