"""A site's passes printed as one PDF by the task worker, and the state of that print for the organiser.

The drawing itself is booths.gate.cards; this module keeps where the PDF lives and how far it got.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from booths.gate.cards import write_site_passes
from booths.gate.tasks import render_site_passes

# --- a site's PDF, made in the background ---------------------------------------------------------
# The organiser's "print all" runs as a task (a worker process), so its state lives beside the
# PDF in a small JSON file, not in a per-process cache. The folder's name is a keyed hash of the
# site: the PDF is a sheet of gate credentials and must not sit at a guessable address; it is only
# ever served through a view that checks who asks.


def site_print_dir(site) -> Path:
    import hashlib
    import hmac

    digest = hmac.new(settings.SECRET_KEY.encode(), f"passes:{site.pk}:{site.slug}".encode(), hashlib.sha256)
    return Path(settings.MEDIA_ROOT) / "passes" / digest.hexdigest()[:32]


def site_pdf_path(site) -> Path:
    return site_print_dir(site) / f"{site.slug}-passes.pdf"


def print_status(site) -> dict | None:
    """{"state": queued | running | done | failed, "done", "total", "count", "started_at", "finished_at"} or None."""
    import json

    try:
        return json.loads((site_print_dir(site) / "status.json").read_text())
    except (OSError, ValueError):
        return None


def _write_status(site, **status) -> None:
    import json
    import os

    folder = site_print_dir(site)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "status.json.part"
    partial.write_text(json.dumps(status))
    os.replace(partial, folder / "status.json")


# A print still queued or running after this long is taken as lost (a worker that died): it may start again.
PRINT_GIVE_UP_AFTER = 20 * 60


def print_in_progress(status: dict | None) -> bool:
    """Whether a print is queued or running, and recently enough that it is still alive."""
    import datetime as dt

    from django.utils import timezone

    if not status or status.get("state") not in {"queued", "running"}:
        return False
    try:
        started = dt.datetime.fromisoformat(status.get("started_at") or "")
    except ValueError:
        return False
    return (timezone.now() - started).total_seconds() < PRINT_GIVE_UP_AFTER


def start_site_print(site) -> None:
    """Queue the site's PDF; a second request while one is queued or running does nothing."""
    from django.utils import timezone

    status = print_status(site) or {}
    if print_in_progress(status):
        return
    _write_status(site, state="queued", done=0, total=0, started_at=timezone.now().isoformat())
    try:
        render_site_passes.enqueue(site.pk)
    except Exception:
        _write_status(site, state="failed", done=0, total=0, started_at=status.get("started_at"))
        raise


def run_site_print(site_id: int, language: str = "fa") -> None:
    """Render every live pass of the site into its PDF, reporting progress in the status file."""
    import os

    from django.utils import timezone

    from booths.gate.passes import live_passes
    from events.models import Site

    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return
    started = timezone.now().isoformat()
    passes = live_passes(site)
    total = passes.count()
    _write_status(site, state="running", done=0, total=total, started_at=started)
    path = site_pdf_path(site)
    partial = path.with_suffix(".pdf.part")
    try:
        with partial.open("wb") as out:
            count = write_site_passes(
                passes.iterator(chunk_size=200),
                out,
                language=language,
                progress=lambda done: _write_status(
                    site, state="running", done=done, total=total, started_at=started
                ),
            )
        os.replace(partial, path)
    except Exception:
        partial.unlink(missing_ok=True)
        _write_status(site, state="failed", done=0, total=total, started_at=started)
        raise
    _write_status(
        site,
        state="done",
        done=count,
        total=total,
        count=count,
        started_at=started,
        finished_at=timezone.now().isoformat(),
    )


def fail_lost_print(site_id: int) -> None:
    """A print whose worker died on every try (worker.recovery): failed, so the organiser may start it again."""
    from events.models import Site

    site = Site.objects.filter(pk=site_id).first()
    status = print_status(site) if site is not None else None
    if status and status.get("state") in {"queued", "running"}:
        _write_status(
            site, state="failed", done=0, total=status.get("total", 0), started_at=status.get("started_at")
        )
