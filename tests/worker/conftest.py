"""Workers as real subprocesses against the test database, and what they wrote read back."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

BASE = Path(__file__).resolve().parents[2]
# Short enough for a test, long enough that a loaded machine still beats in time.
LEASE = 2.0
TIMINGS = {"WORKER_BEAT_SECONDS": "0.3", "WORKER_LEASE_SECONDS": str(LEASE), "WORKER_SCAN_SECONDS": "0.5"}


class WorkerDatabase:
    """The test database as a subprocess sees it.

    PostgreSQL: the test database itself (the test commits, `transactional_db`). SQLite: pytest-django's
    test database lives in this process's memory, so it is copied to a file for the workers (`share`)
    and their writes are copied back (`refresh`) with SQLite's online backup.
    """

    def __init__(self, folder: Path):
        connection.ensure_connection()
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.file: Path | None = folder / "workers.sqlite3"
            self.url = f"sqlite:///{self.file}"
        else:
            self.file = None
            self.url = (
                f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
                f"{settings['PORT'] or 5432}/{settings['NAME']}"
            )

    def share(self) -> None:
        if self.file is not None:
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def refresh(self) -> None:
        if self.file is not None:
            source = sqlite3.connect(self.file, timeout=20)
            source.backup(connection.connection)
            source.close()


class Workers:
    """`manage.py run_worker` processes started by a test, all stopped after it."""

    def __init__(self, database: WorkerDatabase, media: Path):
        self.database = database
        self.media = media
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            **TIMINGS,
            "DATABASE_URL": self.database.url,
            "DJANGO_MEDIA_ROOT": str(self.media),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            cwd=BASE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    pool = Workers(WorkerDatabase(tmp_path), settings.MEDIA_ROOT)
    yield pool
    pool.stop_all()


def wait_for(condition, refresh, seconds: float, what: str):
    """Poll `condition()` (after `refresh()`) until it is true; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        refresh()
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"not within {seconds} s: {what}")
