"""The worker and a database that goes away: it waits, reconnects and carries on."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError, connection
from django.tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.worker.slow_tasks import answer
from worker.loop import SteadyWorker

OPTIONS = {
    "queue_names": ["default"],
    "excluded_queue_names": [],
    "interval": 0.01,
    "batch": False,
    "backend_name": "default",
    "startup_delay": False,
    "max_tasks": 1,
    "worker_id": "steady-test",
}


class Outage:
    """Every query of this thread's connection fails for `seconds` (Django's execute_wrapper); the
    first query after that queues a task, so the worker can only run it once it has reconnected."""

    def __init__(self, seconds: float):
        self.until = time.monotonic() + seconds
        self.failed = 0
        self.result = None

    def __call__(self, execute, sql, params, many, context):
        if time.monotonic() < self.until:
            self.failed += 1
            raise OperationalError("server closed the connection unexpectedly")
        if self.result is None:
            self.result = True  # the enqueue below runs queries through this wrapper too
            self.result = answer.enqueue(42)
        return execute(sql, params, many, context)


def test_the_package_worker_exits_on_a_database_outage(transactional_db):
    with connection.execute_wrapper(Outage(seconds=0.5)), pytest.raises(OperationalError):
        Worker(**OPTIONS).run()


def test_worker_rides_out_an_outage_and_runs_a_task_queued_after_it(transactional_db, caplog):
    outage = Outage(seconds=1.0)
    with caplog.at_level(logging.WARNING, logger="django_tasks_db"), connection.execute_wrapper(outage):
        SteadyWorker(backoff=(0.01, 0.1), **OPTIONS).run()

    assert outage.failed > 3  # it kept trying
    row = DBTaskResult.objects.get(pk=outage.result.id)
    assert (row.status, row.return_value, row.worker_ids) == (
        TaskResultStatus.SUCCESSFUL,
        42,
        ["steady-test"],
    )
    lost = [r.getMessage() for r in caplog.records if "lost the database" in r.getMessage()]
    back = [r.getMessage() for r in caplog.records if "has the database back" in r.getMessage()]
    assert (len(lost), len(back)) == (1, 1)  # once per outage, not once per try
