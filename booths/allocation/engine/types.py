"""The engine's plain data: the instance it reads and the result it gives (ALLOCATION_INSTANCE.md).

Frozen dataclasses of strings, numbers and tuples, no ORM: booths.allocation.adapter builds them
from a site's rows, booths.allocation.instance from a JSON file, bench/ from its generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BoothIn:
    id: str
    zone: str = ""
    type: str = ""
    features: frozenset[str] = frozenset()
    neighbours: tuple[str, ...] = ()
    days: tuple[int, ...] | None = None  # None: every day


@dataclass(frozen=True)
class ApplicationIn:
    id: str
    days: tuple[int, ...]
    vendor: str = ""
    category: str = ""
    county: str = ""
    group: str | None = None
    priority: int = 0
    needs: frozenset[str] = frozenset()
    prefer_zones: tuple[str, ...] = ()
    prefer_types: tuple[str, ...] = ()
    pinned: str | None = None
    category_group: str = ""  # for quotas


@dataclass(frozen=True)
class Instance:
    days: tuple[str, ...]
    booths: tuple[BoothIn, ...]
    applications: tuple[ApplicationIn, ...]
    seed: int = 0
    site: str = ""
    # (category group, largest share of the site's booth-days in percent); a hard rule
    quotas: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Placement:
    """An application on a booth for all its days; code and facts say why that booth."""

    application: str
    booth: str
    days: tuple[int, ...]
    code: str  # pinned | preferred | needs | group | free
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """An application without a booth; code and facts say why."""

    application: str
    code: str  # no_booth_with_needs | no_booth_on_days | booths_full_on_days | quota_full
    facts: dict = field(default_factory=dict)


@dataclass
class Result:
    assignments: list[Placement]
    unassigned: list[Refusal]
    seed: int
    booth_days: int
    seconds: float
    levels: dict[int, dict[str, int]]  # priority -> placed, unplaced, booth_days, asked_booth_days


def misses(app: ApplicationIn, zone: str, kind: str) -> int:
    """How many of the application's preferences (zone, type) a booth in zone, of kind, misses."""
    return (bool(app.prefer_zones) and zone not in app.prefer_zones) + (
        bool(app.prefer_types) and kind not in app.prefer_types
    )
