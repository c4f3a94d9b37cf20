"""The workers' heartbeats: who is alive, so that the tasks of a worker that died are found."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """One running `run_worker` process and the last time it said it was alive."""

    # The id django_tasks_db records in a task's `worker_ids` when this worker claims it.
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
