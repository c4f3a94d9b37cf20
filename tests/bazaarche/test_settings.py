"""Settings come from the environment: the database, Redis and production safety switch without code changes."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.cache import cache
result = {
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": settings.DATABASES["default"]["NAME"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "sessions": settings.SESSION_ENGINE,
    "debug": settings.DEBUG,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "time_zone": settings.TIME_ZONE,
}
if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
    cache.set("bazaarche-settings-probe", "سلام", 30)
    result["redis_roundtrip"] = cache.get("bazaarche-settings-probe")
print(json.dumps(result))
"""


def probe(**env) -> dict:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": "bazaarche.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_settings_default_to_sqlite_local_memory_and_database_tasks():
    result = probe()
    assert result == {
        "engine": "django.db.backends.sqlite3",
        "name": str(settings.BASE_DIR / "db.sqlite3"),
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "sessions": "django.contrib.sessions.backends.db",
        "debug": True,
        "tasks": "django_tasks_db.DatabaseBackend",
        "time_zone": "Asia/Tehran",
    }


def test_settings_database_url_chooses_postgresql():
    result = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/bazaarche")
    assert (result["engine"], result["name"]) == ("django.db.backends.postgresql", "bazaarche")


def test_settings_redis_url_moves_cache_and_sessions_to_a_real_redis():
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    result = probe(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result["cache"] == "bazaarche.cache.ResilientRedisCache"
    assert result["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert result["redis_roundtrip"] == "سلام"


def test_settings_production_refuses_to_start_without_a_secret_key():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": "bazaarche.settings", "DJANGO_DEBUG": "0"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0." in out.stderr


def test_settings_production_passes_check_deploy():
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; production never has it.
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-and-random-enough-test-secret-0123456789",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert (out.returncode, out.stdout.strip(), out.stderr) == (
        0,
        "System check identified no issues (0 silenced).",
        "",
    )


def site_url(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_URL"))}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "bazaarche.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_site_url_for_links_in_messages_defaults_to_the_trusted_origin():
    assert site_url() == "http://127.0.0.1:8000"
    origins = "https://bazaarche.example.ir,https://www.bazaarche.example.ir"
    assert site_url(DJANGO_CSRF_TRUSTED_ORIGINS=origins) == "https://bazaarche.example.ir"
    assert (
        site_url(SITE_URL="https://bazaarche.ir/", DJANGO_CSRF_TRUSTED_ORIGINS=origins)
        == "https://bazaarche.ir"
    )


def test_settings_production_redirects_to_https_all_but_the_health_check():
    """The proxy asks /healthz over plain HTTP on the inside; every page goes to HTTPS."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from django.middleware.security import SecurityMiddleware\n"
        "middleware = SecurityMiddleware(lambda request: None)\n"
        "factory = RequestFactory(headers={'host': 'bazaarche.example.ir'})\n"
        "print(json.dumps([getattr(middleware.process_request(factory.get(p)), 'status_code', None)"
        " for p in ('/healthz', '/', '/healthz/x')]))\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "bazaarche.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-and-random-enough-test-secret-0123456789",
            "DJANGO_ALLOWED_HOSTS": "bazaarche.example.ir",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [None, 301, 301]
