"""The allocation's ids for the database's rows: what the engine, a run's stored JSON and the lottery
call an application and a booth.

An application is "app-<pk>" and a booth "<hall code>/<booth code>" (unique within a site, and what
an organiser types in the move box). The run stores its lottery, tickets, placements and refusals
keyed by these ids, and the published instance carries them, so they must not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from booths.models import Booth


def application_id(pk: int) -> str:
    return f"app-{pk}"


def booth_key(booth: Booth) -> str:
    return f"{booth.hall.code}/{booth.code}"
