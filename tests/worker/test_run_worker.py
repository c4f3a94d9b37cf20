"""`manage.py run_worker` as real processes: one is killed with SIGKILL mid-task, another recovers it."""

from __future__ import annotations

import signal
import time

from django.core.files.base import ContentFile
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.vendors.registry.helpers import csv_bytes, make_row
from tests.worker.conftest import LEASE, wait_for
from tests.worker.slow_tasks import take_time
from vendors.models import RegistryImport
from vendors.tasks import check_registry_import

# Enough rows that checking them outlasts the moment the test needs to kill the worker.
ROWS = 4000
# Starting Python and Django, then the lease, the scan and the task again, on a busy machine.
RECOVERED_WITHIN = 40


def task_row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def kill_while_running(workers, result, started=lambda: True):
    """Start a worker, and SIGKILL it once it runs the task and `started()` says the work has begun."""
    first = workers.start()
    wait_for(
        lambda: task_row(result).status == TaskResultStatus.RUNNING and started(),
        workers.database.refresh,
        RECOVERED_WITHIN,
        "the first worker runs the task",
    )
    first.send_signal(signal.SIGKILL)
    first.wait()
    return task_row(result).worker_ids[-1]


def test_a_check_killed_mid_run_is_repeated_by_another_worker(workers, reference_data):
    registry_import = RegistryImport.objects.create(
        file=ContentFile(csv_bytes([make_row(n) for n in range(1, ROWS + 1)]), name="registry.csv"),
        original_name="registry.csv",
        uploaded_by=factories.provincial_organiser(),
    )
    result = check_registry_import.enqueue(registry_import.pk)
    workers.database.share()

    def counted() -> bool:
        return RegistryImport.objects.get(pk=registry_import.pk).rows_total == ROWS

    killed = kill_while_running(workers, result, started=counted)
    assert RegistryImport.objects.get(pk=registry_import.pk).status == RegistryImport.Status.CHECKING
    killed_at = time.monotonic()

    workers.start()
    wait_for(
        lambda: task_row(result).status == TaskResultStatus.SUCCESSFUL,
        workers.database.refresh,
        RECOVERED_WITHIN,
        "the second worker repeats the check",
    )

    assert time.monotonic() - killed_at >= LEASE  # not before the dead worker's lease ran out
    checked = RegistryImport.objects.get(pk=registry_import.pk)
    assert (checked.status, checked.rows_total, checked.rows_done) == (
        RegistryImport.Status.CHECKED,
        ROWS,
        ROWS,
    )
    worker_ids = task_row(result).worker_ids
    assert len(worker_ids) == 2
    assert worker_ids[0] == killed != worker_ids[1]


def test_a_task_not_safe_to_repeat_killed_mid_run_is_failed_by_another_worker(workers):
    result = take_time.enqueue(60)
    workers.database.share()

    kill_while_running(workers, result)
    workers.start()
    wait_for(
        lambda: task_row(result).status == TaskResultStatus.FAILED,
        workers.database.refresh,
        RECOVERED_WITHIN,
        "the second worker fails the task",
    )

    row = task_row(result)
    assert row.exception_class_path == "worker.leases.WorkerLost"
    assert len(row.worker_ids) == 1  # never run again
    assert "The worker running this task stopped before it finished" in row.traceback
