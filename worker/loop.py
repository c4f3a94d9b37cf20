"""django_tasks_db's worker, made to ride out a database outage and to beat while it works.

The package's worker exits on the first OperationalError it meets outside a task (PostgreSQL
restarting, a network blip): here the loop closes the connection, waits with a capped exponential
backoff, logs once per outage and carries on where it was. A task whose end could not be recorded
because the database went away is then treated like the task of a dead worker (worker.leases).
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import leases
from .heartbeat import Heartbeat

logger = logging.getLogger("django_tasks_db")

DATABASE_DOWN = (OperationalError, InterfaceError)


class SteadyWorker(Worker):
    def __init__(self, *, backoff: tuple[float, float] = (0.5, 10.0), **options):
        super().__init__(**options)
        self.backoff_first, self.backoff_most = backoff
        self.unrecorded: list[str] = []  # tasks whose end the database did not take

    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id, scan=leases.recover_lost)
        heartbeat.start()
        try:
            while True:
                try:
                    return super().run()
                except DATABASE_DOWN as error:
                    self.ride_out(error)
                    self.startup_delay = False  # no thundering herd to avoid after an outage
        finally:
            heartbeat.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DATABASE_DOWN:
            self.unrecorded.append(str(db_task_result.pk))
            raise

    def ride_out(self, error: Exception) -> None:
        """Wait until the database answers again (SIGTERM still stops the worker here)."""
        logger.warning(
            "Worker %s lost the database (%s); retrying with backoff",
            self.worker_id,
            str(error).strip() or type(error).__name__,
        )
        began = time.monotonic()
        delay = self.backoff_first
        while True:
            _close(connection)
            time.sleep(delay)
            try:
                connection.ensure_connection()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                break
            except DATABASE_DOWN:
                delay = min(delay * 2, self.backoff_most)
        logger.warning(
            "Worker %s has the database back after %.1f s", self.worker_id, time.monotonic() - began
        )
        while self.unrecorded:
            leases.recover(self.unrecorded[0], checked=True)
            self.unrecorded.pop(0)


def _close(conn) -> None:
    try:
        conn.close()
    except DATABASE_DOWN:
        pass
