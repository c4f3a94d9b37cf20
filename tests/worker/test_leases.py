"""Tasks whose worker fell silent: found after a lease, then retried or failed as worker.recovery says."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.tasks import TaskResultStatus
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booths.allocation.tasks import notify_offers_task, run_allocation
from booths.models import AllocationRun
from tests import factories
from tests.booths.allocation.helpers import small_site
from tests.worker.slow_tasks import take_time
from vendors.models import RegistryImport
from vendors.tasks import check_registry_import, run_registry_import
from worker.heartbeat import beat, last_beat
from worker.leases import recover_lost
from worker.models import WorkerBeat

pytestmark = pytest.mark.django_db
Status = RegistryImport.Status
LONG_AGO = datetime.timedelta(minutes=2)


def running(result, worker_ids: list[str], started_ago=LONG_AGO) -> DBTaskResult:
    """The task as a worker that claimed it left it (one claim per id)."""
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids, started_at=timezone.now() - started_ago
    )
    return DBTaskResult.objects.get(pk=result.id)


def silent(worker_id: str, ago=LONG_AGO) -> None:
    beat(worker_id, timezone.now() - ago)
    WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now() - ago)


def registry_import(status, **fields) -> RegistryImport:
    made = RegistryImport.objects.create(
        file=ContentFile(b"", name="x.csv"),
        original_name="x.csv",
        uploaded_by=factories.provincial_organiser(),
        status=status,
    )
    RegistryImport.objects.filter(pk=made.pk).update(**fields)
    return RegistryImport.objects.get(pk=made.pk)


def test_last_beat_is_the_newest_beat_of_any_worker():
    assert last_beat() is None
    silent("old", ago=datetime.timedelta(minutes=5))
    beat("new", timezone.now())
    assert last_beat() == WorkerBeat.objects.get(worker_id="new").beat_at


def test_a_lost_check_is_queued_again_and_its_progress_starts_over():
    checking = registry_import(Status.CHECKING, rows_total=900, rows_done=300)
    task = running(check_registry_import.enqueue(checking.pk), ["dead"])
    silent("dead")

    assert recover_lost() == 1

    task.refresh_from_db()
    checking.refresh_from_db()
    assert (task.status, task.started_at, task.worker_ids) == (TaskResultStatus.READY, None, ["dead"])
    assert (checking.status, checking.rows_done) == (Status.CHECKING, 0)


def test_a_task_of_a_worker_never_seen_is_lost_too():
    importing = registry_import(Status.IMPORTING, rows_done=300)
    task = running(run_registry_import.enqueue(importing.pk), ["an-old-db-worker"])

    recover_lost()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_the_task_of_a_live_worker_or_one_just_started_is_left_alone():
    beat("alive", timezone.now())
    busy = running(check_registry_import.enqueue(registry_import(Status.CHECKING).pk), ["alive"])
    fresh = running(take_time.enqueue(1), ["no-beat-yet"], started_ago=datetime.timedelta(seconds=1))

    assert recover_lost() == 0

    assert {t.status for t in DBTaskResult.objects.filter(pk__in=[busy.pk, fresh.pk])} == {
        TaskResultStatus.RUNNING
    }


def test_a_task_lost_on_its_third_run_is_failed_with_its_import():
    importing = registry_import(Status.IMPORTING, rows_done=300)
    task = running(run_registry_import.enqueue(importing.pk), ["one", "two", "three"])

    recover_lost()

    task.refresh_from_db()
    importing.refresh_from_db()
    assert (task.status, task.exception_class_path) == (TaskResultStatus.FAILED, "worker.leases.WorkerLost")
    assert importing.status == Status.FAILED
    fa, en = importing.error.split("\n")
    assert fa.startswith("ورود اطلاعات به دلیل خطای پیش‌بینی‌نشده متوقف شد.")
    assert en.startswith("The import stopped because of an unexpected error.")


def test_a_lost_allocation_run_is_queued_again_and_then_runs():
    site, *_ = small_site()
    run = AllocationRun.objects.create(site=site, status=AllocationRun.Status.RUNNING, progress=25)
    task = running(run_allocation.enqueue(run.pk), ["dead"])

    recover_lost()

    run.refresh_from_db()
    task.refresh_from_db()
    assert (run.status, run.progress, run.seed, task.status) == (
        AllocationRun.Status.QUEUED,
        0,
        None,
        TaskResultStatus.READY,
    )
    run_allocation.call(run.pk)  # what the next worker does with it
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE


def test_an_allocation_run_lost_on_every_try_fails_and_the_page_says_what_to_do():
    site, *_ = small_site()
    run = AllocationRun.objects.create(site=site, status=AllocationRun.Status.RUNNING, progress=25)
    running(run_allocation.enqueue(run.pk), ["one", "two", "three"])

    recover_lost()

    run.refresh_from_db()
    assert (run.status, run.error) == (AllocationRun.Status.FAILED, "worker_lost")
    client = Client()
    client.force_login(factories.county_organiser("khorramabad"))
    html = client.get(f"/organiser/sites/{site.slug}/allocation/").content.decode()
    assert '<div class="error" role="alert"><p>تخصیص پیش از پایان متوقف شد' in html


def test_offer_texts_are_never_sent_twice_a_lost_notice_task_is_failed_at_once():
    task = running(notify_offers_task.enqueue([1, 2, 3]), ["dead"])

    recover_lost()

    task.refresh_from_db()
    assert (task.status, task.exception_class_path) == (TaskResultStatus.FAILED, "worker.leases.WorkerLost")
    message = task.traceback.rstrip().partition(": ")[2]  # "worker.leases.WorkerLost: <fa>\n<en>"
    fa, en = message.split("\n")
    assert fa.startswith("پردازشگر پس‌زمینه‌ای که این کار را انجام می‌داد پیش از پایان متوقف شد")
    assert en.startswith(
        "The worker running this task stopped before it finished, and the task was not repeated."
    )
