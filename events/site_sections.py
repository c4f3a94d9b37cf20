"""What other apps add to the public pages of events, so that events need not import them.

Booths knows who exhibits where; it registers these two functions when it starts
(booths/apps.py), and events' public views call them through here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Exhibitors:
    """The site page's "who is there": a template and its context."""

    template: str
    context: dict[str, Any]


# (site, schedule, today) -> Exhibitors | None
exhibitors: Callable[..., Exhibitors | None] = lambda site, schedule, today: None  # noqa: E731
# (category group) -> values queryset of site ids where that group exhibits, or None: no filter known
sites_with_group: Callable[..., Any] = lambda group: None  # noqa: E731
