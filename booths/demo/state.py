"""The working state of one demo load: the seeded generator, the day, the people made so far, and the
timeline that dates what the services create.

The services stamp a new application, status change, offer, pass or run with the real time, but the
demo's story happened over the weeks before the day it is built for. So each step of the story runs
inside `Demo.at(moment)`, and `Timeline.write` later gives everything a step created that step's
moment: one UPDATE per model and step, in a single executemany.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from booths.models import AllocationRun, Application, ApplicationChange, Offer, Pass
from events.models import Site
from vendors.models import SupportCompany, User, Vendor

# What the services stamp with the time they run, and the columns that hold it.
STAMPED = (
    (Application, ("created_at",)),
    (ApplicationChange, ("at",)),
    (Offer, ("created_at",)),
    (Pass, ("issued_at",)),
    (AllocationRun, ("created_at", "finished_at")),
)


class Timeline:
    """The moment of each step, and the highest id of each stamped model when the step ended."""

    def __init__(self) -> None:
        self.marks: list[tuple[datetime.datetime | None, tuple[int, ...]]] = [(None, self._tops())]

    @staticmethod
    def _tops() -> tuple[int, ...]:
        quote = connection.ops.quote_name
        columns = ", ".join(
            f"(SELECT COALESCE(MAX({quote(model._meta.pk.column)}), 0) FROM {quote(model._meta.db_table)})"
            for model, _fields in STAMPED
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns}")
            return tuple(cursor.fetchone())

    def mark(self, moment: datetime.datetime) -> None:
        """What was created since the last mark happened at `moment`."""
        self.marks.append((moment, self._tops()))

    def write(self) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for n, (model, names) in enumerate(STAMPED):
                meta = model._meta
                columns = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
                pk = quote(meta.pk.column)
                sql = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {pk} > %s AND {pk} <= %s"
                params = [
                    [_db_value(moment)] * len(names) + [before[n], after[n]]
                    for (_, before), (moment, after) in itertools.pairwise(self.marks)
                    if after[n] > before[n]
                ]
                if params:
                    cursor.executemany(sql, params)


def _db_value(moment: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


@dataclass
class SiteBuild:
    """A site as the story needs it: the row, its open days, the organiser who runs it."""

    site: Site
    open_days: list[str]
    zones: list[str]
    organiser: User
    applications: list[Application] = field(default_factory=list)  # in the order they were made
    submitted: dict[int, datetime.datetime] = field(default_factory=dict)  # by application pk


@dataclass
class Demo:
    """Working state of one load, so the steps stay plain functions."""

    rng: random.Random
    today: datetime.date
    timeline: Timeline
    vendors: list[Vendor] = field(default_factory=list)
    companies: list[SupportCompany] = field(default_factory=list)
    staff: dict[str, User] = field(default_factory=dict)
    manager: User | None = None
    mobiles: set[str] = field(default_factory=set)
    builds: dict[str, SiteBuild] = field(default_factory=dict)
    confirmed_at: dict[int, datetime.datetime] = field(default_factory=dict)  # by application pk

    def on(self, offset: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
        """A time on the day `offset` days from the demo's day (local time)."""
        day = self.today + datetime.timedelta(days=offset)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    @contextmanager
    def at(self, moment: datetime.datetime) -> Iterator[datetime.datetime]:
        """A step of the story, which happened at `moment` (the services get it as their `now`)."""
        yield moment
        self.timeline.mark(moment)
