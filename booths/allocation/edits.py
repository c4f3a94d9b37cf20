"""An organiser's changes to an allocated plan: move, swap, pin and unpin, each checked before it is written.

Each change locks the site row, then the applications and assignments it touches (the same order
as publishing and promotion), checks needs, availability and clashes, and refuses with a stable
code and a message in the organiser's language. A moved or swapped application is pinned to its
new booth, so a re-run keeps the organiser's choice.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from bazaarche.jalali import format_date
from booths.models import Application, Assignment, Booth
from events.models import Site
from events.schedule import schedule_for

from .instance import _features_text


class EditError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def booth_label(booth: Booth) -> str:
    return f"{booth.hall.code}/{booth.code}"


def find_booth(site: Site, text: str) -> Booth:
    """A booth of the site by "HALL/CODE", or by its code alone when only one hall has it."""
    text = (text or "").strip()
    hall_code, slash, code = text.rpartition("/")
    qs = Booth.objects.filter(hall__site=site).select_related("hall")
    matches = list(qs.filter(hall__code__iexact=hall_code, code__iexact=code)) if slash else []
    if not slash:
        matches = list(qs.filter(code__iexact=text))
    if not text or not matches:
        raise EditError("no_booth", gettext("There is no booth “%(booth)s” at this site.") % {"booth": text})
    if len(matches) > 1:
        raise EditError(
            "ambiguous_booth",
            gettext("More than one hall has a booth “%(booth)s”: write it as HALL/BOOTH, e.g. %(example)s.")
            % {"booth": text, "example": booth_label(matches[0])},
        )
    return matches[0]


def _lock(
    site: Site, application_ids: list[int]
) -> tuple[dict[int, Application], dict[int, list[Assignment]]]:
    """Lock the site row, then the applications (all of this site, or EditError) and their rows."""
    Site.objects.select_for_update().filter(pk=site.pk).first()
    applications = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .filter(site=site, pk__in=application_ids)
        .select_related("vendor")
        .order_by("pk")
    }
    if len(applications) != len(set(application_ids)):
        raise EditError("no_application", gettext("This application is not part of this site."))
    rows: dict[int, list[Assignment]] = {pk: [] for pk in applications}
    for row in (
        Assignment.objects.select_for_update(of=("self",))
        .filter(application_id__in=list(applications))
        .select_related("booth__hall")
        .order_by("application_id", "date")
    ):
        rows[row.application_id].append(row)
    return applications, rows


def _usable(application: Application) -> None:
    if application.status != Application.Status.ACCEPTED:
        raise EditError(
            "not_accepted",
            gettext("%(vendor)s is not accepted: only accepted applications get a booth.")
            % {"vendor": application.vendor.business_name},
        )


def _not_offered(application: Application, rows: list[Assignment]) -> None:
    if any(r.offer_id for r in rows):
        raise EditError(
            "offered",
            gettext(
                "Booth %(booth)s has been offered to %(vendor)s; a published booth cannot be moved or swapped."
            )
            % {"booth": booth_label(rows[0].booth), "vendor": application.vendor.business_name},
        )


def _dates(site: Site, application: Application, rows: list[Assignment]) -> list[datetime.date]:
    if rows:
        return [r.date for r in rows]
    open_days = {d.date for d in schedule_for(site).open_days}
    dates = sorted(d for d in (datetime.date.fromisoformat(x) for x in application.days) if d in open_days)
    if not dates:
        raise EditError("no_days", gettext("None of the days this application asks for is open."))
    return dates


def _check_fits(application: Application, booth: Booth, dates: list[datetime.date], ignore: set[int]) -> None:
    label = booth_label(booth)
    if booth.blocked:
        raise EditError("blocked", gettext("Booth %(booth)s is blocked.") % {"booth": label})
    missing = [n for n in application.needs if n not in booth.features]
    if missing:
        raise EditError(
            "needs",
            gettext("Booth %(booth)s has no %(needs)s, which %(vendor)s needs.")
            % {"booth": label, "needs": _features_text(missing), "vendor": application.vendor.business_name},
        )
    clash = (
        Assignment.objects.filter(booth=booth, date__in=dates)
        .exclude(application_id__in=ignore)
        .select_related("application__vendor")
        .order_by("date")
        .first()
    )
    if clash is not None:
        raise EditError(
            "taken",
            gettext("Booth %(booth)s is taken on %(day)s by %(vendor)s.")
            % {
                "booth": label,
                "day": format_date(clash.date),
                "vendor": clash.application.vendor.business_name,
            },
        )


def _write(application: Application, booth: Booth, dates: list[datetime.date]) -> None:
    Assignment.objects.bulk_create(Assignment(booth=booth, date=d, application=application) for d in dates)
    application.pinned_booth = booth
    application.save(update_fields=["pinned_booth", "updated_at"])


def _clash_error() -> EditError:
    return EditError(
        "taken", gettext("Someone changed this plan at the same moment; reload the page and try again.")
    )


def move(site: Site, application_id: int, booth_text: str) -> Booth:
    """Put an application (placed or not) on another booth for all its days, and pin it there."""
    booth = find_booth(site, booth_text)
    try:
        with transaction.atomic():
            applications, rows = _lock(site, [application_id])
            application = applications[application_id]
            _usable(application)
            _not_offered(application, rows[application_id])
            dates = _dates(site, application, rows[application_id])
            _check_fits(application, booth, dates, ignore={application.pk})
            Assignment.objects.filter(application=application).delete()
            _write(application, booth, dates)
    except IntegrityError:
        raise _clash_error() from None
    return booth


def swap(site: Site, application_id: int, booth_text: str) -> Application | None:
    """Exchange an application's booth with the one application on `booth_text` on its days.

    With nobody there it is a move. Both end up pinned. Returns the other application.
    """
    booth = find_booth(site, booth_text)
    others = set(
        Assignment.objects.filter(booth=booth, application__site=site)
        .exclude(application_id=application_id)
        .filter(date__in=Assignment.objects.filter(application_id=application_id).values("date"))
        .values_list("application_id", flat=True)
    )
    if not others:
        move(site, application_id, booth_text)
        return None
    if len(others) > 1:
        raise EditError(
            "several",
            gettext("Booth %(booth)s holds several vendors on these days; move them one at a time.")
            % {"booth": booth_label(booth)},
        )
    other_id = others.pop()
    try:
        with transaction.atomic():
            applications, rows = _lock(site, [application_id, other_id])
            a, b = applications[application_id], applications[other_id]
            for app in (a, b):
                _usable(app)
                _not_offered(app, rows[app.pk])
            if not rows[a.pk]:
                raise EditError(
                    "not_placed", gettext("Only a placed application can swap; use Move instead.")
                )
            booths_a = {r.booth_id for r in rows[a.pk]}
            if len(booths_a) != 1:
                raise EditError(
                    "split", gettext("This application is on more than one booth; move it first.")
                )
            own = rows[a.pk][0].booth
            dates_a, dates_b = [r.date for r in rows[a.pk]], [r.date for r in rows[b.pk]]
            ignore = {a.pk, b.pk}
            _check_fits(a, booth, dates_a, ignore)
            _check_fits(b, own, dates_b, ignore)
            Assignment.objects.filter(application_id__in=ignore).delete()
            _write(a, booth, dates_a)
            _write(b, own, dates_b)
    except IntegrityError:
        raise _clash_error() from None
    return b


def pin(site: Site, application_id: int) -> Booth:
    """Keep an application on its current booth when the allocation runs again."""
    with transaction.atomic():
        applications, rows = _lock(site, [application_id])
        application = applications[application_id]
        _usable(application)
        booths = {r.booth_id: r.booth for r in rows[application_id]}
        if len(booths) != 1:
            raise EditError(
                "not_placed", gettext("Only a placed application can be pinned; move it to a booth instead.")
            )
        booth = next(iter(booths.values()))
        application.pinned_booth = booth
        application.save(update_fields=["pinned_booth", "updated_at"])
    return booth


def unpin(site: Site, application_id: int) -> None:
    with transaction.atomic():
        applications, _rows = _lock(site, [application_id])
        application = applications[application_id]
        application.pinned_booth = None
        application.save(update_fields=["pinned_booth", "updated_at"])
