"""What to do with each kind of task whose worker died while running it: repeat it, or fail it.

One table, so the choice for every background task is read in one place. Hooks are dotted paths,
imported only when a task is recovered, and are called with the task's own arguments: `before_retry`
puts the domain row back where the task expects to find it, `on_fail` marks the row failed with a
message that says what to do. A task not listed here is never repeated: nobody has said it is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Recovery:
    retry: bool
    before_retry: str = ""
    on_fail: str = ""

    def hook(self, name: str) -> Callable[..., object] | None:
        path = getattr(self, name)
        return import_string(path) if path else None


RECOVERIES: dict[str, Recovery] = {
    # A dry run: it writes only its own progress and preview, so running it again is harmless.
    "vendors.tasks.check_registry_import": Recovery(
        retry=True, before_retry="vendors.tasks.restart_lost", on_fail="vendors.tasks.fail_lost"
    ),
    # Importing again never duplicates a vendor and the organiser has already confirmed this file:
    # repeating finishes the work, where failing would send them back to upload, check and confirm.
    "vendors.tasks.run_registry_import": Recovery(
        retry=True, before_retry="vendors.tasks.restart_lost", on_fail="vendors.tasks.fail_lost"
    ),
    # The run writes its instance, seed and assignments in one transaction: a killed run wrote none of
    # them (its seed was never seen), so it is queued again and runs from the start.
    "booths.allocation.tasks.run_allocation": Recovery(
        retry=True,
        before_retry="booths.allocation.adapter.requeue_lost_run",
        on_fail="booths.allocation.adapter.fail_lost_run",
    ),
    # Expiring is idempotent under the site's lock, and the texts of the offers it passes on are sent
    # after the commit that made them: a repeat finds nothing due twice and texts nobody twice.
    "booths.allocation.tasks.expire_site_offers": Recovery(retry=True),
    # Texts already sent are not recorded one by one: repeating could text a vendor twice. The offers
    # are on the vendors' pages whatever happens.
    "booths.allocation.tasks.notify_offers_task": Recovery(retry=False),
    # The PDF is written beside its final name and moved into place at the end: a repeat starts over.
    "booths.gate.tasks.render_site_passes": Recovery(
        retry=True, on_fail="booths.gate.printing.fail_lost_print"
    ),
}
NEVER_REPEAT = Recovery(retry=False)


def recovery_for(task_path: str) -> Recovery:
    return RECOVERIES.get(task_path, NEVER_REPEAT)
