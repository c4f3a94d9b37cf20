"""Each worker process records that it is alive every few seconds, from a thread of its own.

The beat goes on while the main thread runs a long task (an allocation of minutes), so "no beat for a
lease" means the process is gone (kill -9, out of memory, a deploy), not that it is busy. The same
thread looks for the tasks of workers that fell silent (worker.leases), once it has itself been
connected for a whole lease: after an outage every live worker first gets the time to beat again.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import WorkerBeat

logger = logging.getLogger(__name__)


def last_beat() -> datetime.datetime | None:
    """The newest beat of any worker (for /healthz): None when no worker has ever beaten."""
    return WorkerBeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    """Record that this worker is alive now."""
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
        },
    )


class Heartbeat(threading.Thread):
    """Beats every WORKER_BEAT_SECONDS; calls `scan` every WORKER_SCAN_SECONDS once connected for a lease."""

    def __init__(self, worker_id: str, scan: Callable[[], object]):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.scan = scan
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        self.connected_since: float | None = None  # monotonic time of the first beat after a failure
        self.last_scan = 0.0

    def run(self) -> None:
        while True:
            self._tick()
            if self.stopping.wait(settings.WORKER_BEAT_SECONDS):
                break
        self._forget()

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=settings.WORKER_BEAT_SECONDS + 5)

    def _tick(self) -> None:
        try:
            beat(self.worker_id, self.started_at)
        except DatabaseError:
            if self.connected_since is not None:
                logger.warning(
                    "Worker %s could not record its heartbeat; the database is away", self.worker_id
                )
            self.connected_since = None
            _close_quietly()
            return
        now = time.monotonic()
        if self.connected_since is None:
            self.connected_since = now
        lease_held = now - self.connected_since >= settings.WORKER_LEASE_SECONDS
        if lease_held and now - self.last_scan >= settings.WORKER_SCAN_SECONDS:
            self.last_scan = now
            try:
                self.scan()
            except Exception:
                # A failed look is tried again at the next scan; the heartbeat must go on whatever happens.
                logger.exception("Looking for the tasks of silent workers failed")
                _close_quietly()

    def _forget(self) -> None:
        """A worker that stops cleanly leaves no beat behind (its tasks have finished)."""
        try:
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            pass
        _close_quietly()


def _close_quietly() -> None:
    try:
        connection.close()
    except DatabaseError:
        pass
