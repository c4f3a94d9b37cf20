"""Leases on running tasks: a task RUNNING under a worker that has not beaten for a lease is lost.

Every live worker looks for lost tasks (worker.heartbeat); each is then, in one transaction that
holds its row, put back in the queue when worker.recovery says it is safe to repeat and it has not
been repeated MAX_RETRIES times already, or marked failed with its domain row.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import router
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from bazaarche.bilingual import both

from .models import WorkerBeat
from .recovery import recovery_for

logger = logging.getLogger(__name__)

# A task lost more often than its first run and this many repeats is failed: it may be what kills
# its worker (a file too large for the memory, say).
MAX_RETRIES = 2
# Beats this old belong to workers long gone; they are removed as they are passed.
FORGET_BEATS_AFTER = datetime.timedelta(days=1)

WORKER_LOST = _(
    "The worker running this task stopped before it finished, and the task was not repeated. "
    "Check what it had done and start it again from its page if needed."
)


class WorkerLost(Exception):
    """Recorded as a lost task's error (django_tasks_db keeps its class and message)."""


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def lost_task_ids(now: datetime.datetime | None = None) -> list[str]:
    """Tasks RUNNING for longer than a lease under a worker with no beat within the lease."""
    now = now or timezone.now()
    live = set(WorkerBeat.objects.filter(beat_at__gte=now - lease()).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.running().filter(started_at__lt=now - lease())
    return [
        str(pk)
        for pk, worker_ids in running.values_list("pk", "worker_ids")
        if not worker_ids or worker_ids[-1] not in live
    ]


def recover_lost(now: datetime.datetime | None = None) -> int:
    """Retry or fail every lost task; how many were found."""
    now = now or timezone.now()
    WorkerBeat.objects.filter(beat_at__lt=now - FORGET_BEATS_AFTER).delete()
    ids = lost_task_ids(now)
    for task_id in ids:
        recover(task_id, now)
    return len(ids)


def recover(task_id: str, now: datetime.datetime | None = None, *, checked: bool = False) -> str | None:
    """Retry or fail one task still RUNNING; "retried", "failed", or None when it is not (or no longer)
    lost. `checked`: the caller knows the task is lost (its own worker could not record its end)."""
    now = now or timezone.now()
    with exclusive_transaction(router.db_for_write(DBTaskResult)):
        task = DBTaskResult.objects.select_for_update(skip_locked=True).filter(pk=task_id).first()
        if task is None or task.status != TaskResultStatus.RUNNING:
            return None  # finished meanwhile, or another worker holds it
        if not checked and task_id not in lost_task_ids(now):
            return None
        recovery = recovery_for(task.task_path)
        args, kwargs = task.args_kwargs["args"], task.args_kwargs["kwargs"]
        attempts = len(task.worker_ids)
        if recovery.retry and attempts <= MAX_RETRIES:
            if hook := recovery.hook("before_retry"):
                hook(*args, **kwargs)
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            logger.warning(
                "Task %s (%s) lost its worker; queued again (run %d)", task_id, task.task_path, attempts
            )
            return "retried"
        if hook := recovery.hook("on_fail"):
            hook(*args, **kwargs)
        task.set_failed(WorkerLost(both(lambda: WORKER_LOST)))
        logger.warning(
            "Task %s (%s) lost its worker after %d runs; failed", task_id, task.task_path, attempts
        )
        return "failed"
