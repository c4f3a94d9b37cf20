"""`manage.py run_worker`: the task worker to run in production (db_worker's options, same queues).

It is django_tasks_db's `db_worker` with worker.loop.SteadyWorker: it rides out a database outage,
beats so that a dead worker's tasks are found, and retries or fails them. Run it under something that
restarts it if it dies anyway (the Makefile's loop, systemd's Restart=always).
"""

from __future__ import annotations

import os
import socket

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from worker.loop import SteadyWorker


def new_worker_id() -> str:
    """Host, pid and a random part: unique in the pool, and the admin can tell which process it was."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{get_random_string(8)}"


class Command(DbWorkerCommand):
    help = "Run the task worker: rides out database outages and recovers the tasks of dead workers"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)  # drawn per process by new_worker_id, not a bare random string

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, worker_id, **options) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker_id = worker_id or new_worker_id()
        worker = SteadyWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            worker_id=worker_id,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
        )
        if reload and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child, which runs the worker
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
