"""Registry imports uploaded by organisers: a background check (a dry run with a preview), then the import."""

from __future__ import annotations

import datetime
import io
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import PurePath
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bazaarche.bilingual import both, joined

from .models import RegistryImport, User

Status = RegistryImport.Status
# A check or import without a sign of life for this long has stalled: no worker is serving the queue
# (a dead worker's tasks are recovered much sooner, by worker.leases).
STALLED_AFTER = datetime.timedelta(minutes=15)

# How many rejected rows the check keeps for the page; the full list is in the import's report.
PREVIEW_ROWS = 20
# The longest text of a preview row. The engine already shortens what it repeats from a cell; this
# bounds what is stored and shown even so (the longest reason is under 300 characters).
PREVIEW_TEXT_MAX = 500

CHECK_CRASHED = _(
    "Checking the file stopped because of an unexpected error. Nothing was imported. "
    "Try again; if it happens again, send the file to the system's administrator."
)
IMPORT_CRASHED = _(
    "The import stopped because of an unexpected error. Rows already imported are kept; "
    "upload the file again to finish: importing it again never duplicates a vendor."
)


def stored_name(original_name: str) -> str:
    """A random file name with the original extension: the file holds private data, so its URL must not be guessable."""
    return secrets.token_urlsafe(18) + PurePath(original_name).suffix.lower()[:10]


def start_check(upload: UploadedFile, user: User) -> RegistryImport:
    """Keep an uploaded registry export and queue its check."""
    registry_import = RegistryImport(original_name=PurePath(upload.name or "").name[:255], uploaded_by=user)
    registry_import.file.save(stored_name(registry_import.original_name), upload, save=False)
    registry_import.save()
    check_registry_import.enqueue(registry_import.pk)
    return registry_import


def confirm(import_id: int) -> bool:
    """Queue the import of a checked file; False when it is not waiting for confirmation (confirmed twice)."""
    # One UPDATE claims the import, so two confirmations racing each other cannot both win.
    claimed = RegistryImport.objects.filter(pk=import_id, status=Status.CHECKED).update(
        status=Status.IMPORTING, rows_done=0, progress_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        run_registry_import.enqueue(import_id)
    except Exception:
        RegistryImport.objects.filter(pk=import_id, status=Status.IMPORTING).update(status=Status.CHECKED)
        raise
    return True


@contextmanager
def _opened(registry_import: RegistryImport) -> Iterator[Any]:
    """The uploaded file as a plain binary file object, whatever the storage wraps it in."""
    with registry_import.file.storage.open(registry_import.file.name, "rb") as stored:
        yield getattr(stored, "file", stored)


def _progress(import_id: int) -> Callable[[int], None]:
    def report(rows_done: int) -> None:
        RegistryImport.objects.filter(pk=import_id).update(rows_done=rows_done, progress_at=timezone.now())

    return report


def restart_lost(import_id: int) -> None:
    """Before the task worker repeats a check or import whose worker died (worker.recovery): its
    progress starts again from nothing, and the page shows it moving."""
    RegistryImport.objects.filter(pk=import_id, status__in=(Status.CHECKING, Status.IMPORTING)).update(
        rows_done=0, progress_at=timezone.now()
    )


def fail_lost(import_id: int) -> None:
    """A check or import whose worker died too often (worker.recovery): failed, with what to do."""
    now = timezone.now()
    for status, message in ((Status.CHECKING, CHECK_CRASHED), (Status.IMPORTING, IMPORT_CRASHED)):
        RegistryImport.objects.filter(pk=import_id, status=status).update(
            status=Status.FAILED, error=both(partial(str, message)), finished_at=now
        )


def fail_stalled(now: datetime.datetime | None = None) -> int:
    """Mark failed the checks and imports whose worker has been silent too long; the organiser then
    sees why and can upload again. Returns how many. The worker's leases (worker.leases) retry or
    fail a dead worker's task within about a minute; this is the last resort, for a queue no
    worker serves at all."""
    now = now or timezone.now()
    silent = Q(progress_at__lt=now - STALLED_AFTER) | Q(
        progress_at__isnull=True, created_at__lt=now - STALLED_AFTER
    )
    failed = 0
    for status, message in ((Status.CHECKING, CHECK_CRASHED), (Status.IMPORTING, IMPORT_CRASHED)):
        failed += RegistryImport.objects.filter(silent, status=status).update(
            status=Status.FAILED, error=both(partial(str, message)), finished_at=now
        )
    return failed


def _fail(import_id: int, error: str) -> None:
    RegistryImport.objects.filter(pk=import_id).update(
        status=Status.FAILED, error=error, finished_at=timezone.now()
    )


def _preview(summary: Any) -> list[dict[str, Any]]:
    from .registry.columns import COLUMNS_BY_KEY
    from .registry.rejections import shortened

    def header(key: str, language: str) -> str:
        column = COLUMNS_BY_KEY.get(key)
        if column is None:
            return key
        return column.header_fa if language == "fa" else column.label_en

    rows = [
        {
            "row": verdict.row,
            "tracking_code": verdict.tracking_code,
            "column": verdict.column,
            # The header as the file shows it, so the organiser finds the cell.
            "column_fa": header(verdict.column, "fa"),
            "column_en": header(verdict.column, "en"),
            "code": verdict.code,
            "reason_fa": verdict.reason_fa,
            "reason_en": verdict.reason_en,
        }
        for verdict in summary.rejected_rows[:PREVIEW_ROWS]
    ]
    return [
        {
            key: shortened(value, PREVIEW_TEXT_MAX) if isinstance(value, str) else value
            for key, value in row.items()
        }
        for row in rows
    ]


def _counts(summary: Any) -> dict[str, Any]:
    return {
        "rows_total": summary.rows,
        "rows_done": summary.rows,
        "rows_ok": summary.created + summary.updated + summary.unchanged,
        "rows_rejected": summary.rejected,
        "created": summary.created,
        "updated": summary.updated,
        "preview": _preview(summary),
    }


def check(import_id: int) -> None:
    """Dry-run the file: count rows, note what would change, keep the first rejected rows."""
    from .registry.importing import import_registry
    from .registry.reading import count_rows
    from .registry.rejections import UnusableFile

    registry_import = RegistryImport.objects.get(pk=import_id)
    if registry_import.status != Status.CHECKING:
        return  # a task run twice: the first run has done the work
    name = registry_import.original_name
    try:
        with _opened(registry_import) as source:
            total = count_rows(source, name=name)
        RegistryImport.objects.filter(pk=import_id).update(rows_total=total, rows_done=0)
        with _opened(registry_import) as source:
            summary = import_registry(source, name=name, dry_run=True, progress=_progress(import_id))
    except UnusableFile as error:
        _fail(import_id, joined(error.message_fa, error.message_en))
        return
    except Exception:
        _fail(import_id, both(lambda: CHECK_CRASHED))
        raise
    RegistryImport.objects.filter(pk=import_id, status=Status.CHECKING).update(
        status=Status.CHECKED, **_counts(summary)
    )


def run(import_id: int) -> None:
    """Import a confirmed file, keeping the full per-row report with the import."""
    from .registry.importing import import_registry
    from .registry.rejections import UnusableFile

    registry_import = RegistryImport.objects.get(pk=import_id)
    if registry_import.status != Status.IMPORTING:
        return
    name = registry_import.original_name
    try:
        with tempfile.TemporaryFile() as buffer:
            # A byte-order mark, so that Excel opens the report as UTF-8.
            report = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
            with _opened(registry_import) as source:
                summary = import_registry(source, name=name, report=report, progress=_progress(import_id))
            report.flush()
            report.detach()
            buffer.seek(0)
            base = PurePath(name).stem[:80] or "registry"
            registry_import.report.save(f"{base}-{secrets.token_urlsafe(12)}.csv", File(buffer), save=False)
    except UnusableFile as error:
        _fail(import_id, joined(error.message_fa, error.message_en))
        return
    except Exception:
        _fail(import_id, both(lambda: IMPORT_CRASHED))
        raise
    RegistryImport.objects.filter(pk=import_id, status=Status.IMPORTING).update(
        status=Status.DONE, report=registry_import.report.name, finished_at=timezone.now(), **_counts(summary)
    )


@task
def check_registry_import(import_id: int) -> None:
    check(import_id)


@task
def run_registry_import(import_id: int) -> None:
    run(import_id)
