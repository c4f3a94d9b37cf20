"""An organiser's changes to an allocated plan: move, swap, pin and unpin, each checked before it is written.

Each change takes the site lock, then locks the applications and assignments it touches (in the
order booths.allocation.locking writes down), checks needs, availability and clashes, and refuses
with a stable code and a message in the organiser's language. A moved or swapped application is pinned to its
new booth, so a re-run keeps the organiser's choice.

Hard rules are never set aside: one vendor per booth per day (and a booth shared on other days
only by swapping), a blocked booth, days the site is closed, an application that is not accepted
or whose booth has been offered. A vendor's need (power, water, accessible access) is soft: the
organiser may know better (a cable will be run, the step is ramped), so a move or swap refused only
for a need can be made with a reason, which goes into the application's history. The needs set
aside are kept with the pin (`Application.waived_needs`), so a re-run keeps the vendor on that booth.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from bazaarche.jalali import format_date
from bazaarche.refusals import Refused
from bazaarche.text import digits_for_language, normalize
from booths.applications.review import record_change
from booths.models import Application, Assignment, Booth
from booths.plans.labels import booth_label
from events.models import Site
from events.schedule import schedule_for
from vendors.models import User

from .ids import booth_key
from .instance import features_text
from .locking import lock_site

# Refusals an organiser may override with a reason (see the module's docstring); every other is hard.
SOFT_RULES = frozenset({"needs", "reason_required"})
MAX_REASON = 500


class EditError(Refused):
    """A change to the plan that was refused; the message is for the organiser."""

    @property
    def soft(self) -> bool:
        """Whether the organiser may make the change anyway, with a reason."""
        return self.code in SOFT_RULES


@dataclass(frozen=True)
class Waiver:
    """The organiser sets a vendor's needs aside for this change, and says why."""

    reason: str
    by: User | None = None

    def checked(self) -> Waiver:
        reason = normalize(self.reason)
        if not reason:
            raise EditError(
                "reason_required",
                gettext(
                    "Write why this booth is right anyway: the vendor sees the reason in their application's history."
                ),
            )
        if len(reason) > MAX_REASON:
            raise EditError(
                "reason_required",
                gettext("Keep the reason to %(max)s characters.")
                % {"max": digits_for_language(str(MAX_REASON))},
            )
        return Waiver(reason, self.by)


def _named(booth: Booth) -> str:
    """A booth as a message's subject: «غرفه A-۰۴», "Main hall, booth A-04"."""
    return capfirst(booth_label(booth))


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
            % {"booth": text, "example": booth_key(matches[0])},
        )
    return matches[0]


def _lock(
    site: Site, application_ids: list[int]
) -> tuple[dict[int, Application], dict[int, list[Assignment]]]:
    """Lock the site row, then the applications (all of this site, or EditError) and their rows."""
    lock_site(site.pk)
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
            gettext("%(booth)s has been offered to %(vendor)s; a published booth cannot be moved or swapped.")
            % {"booth": _named(rows[0].booth), "vendor": application.vendor.business_name},
        )


def _dates(site: Site, application: Application, rows: list[Assignment]) -> list[datetime.date]:
    if rows:
        return [r.date for r in rows]
    open_days = {d.date for d in schedule_for(site).open_days}
    dates = sorted(d for d in (datetime.date.fromisoformat(x) for x in application.days) if d in open_days)
    if not dates:
        raise EditError("no_days", gettext("None of the days this application asks for is open."))
    return dates


def _check_hard(application: Application, booth: Booth, dates: list[datetime.date], ignore: set[int]) -> None:
    """The rules nobody sets aside: the booth is not blocked and is free on these days."""
    label = _named(booth)
    if booth.blocked:
        raise EditError("blocked", gettext("%(booth)s is blocked.") % {"booth": label})
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
            gettext("%(booth)s is taken on %(day)s by %(vendor)s.")
            % {
                "booth": label,
                "day": format_date(clash.date),
                "vendor": clash.application.vendor.business_name,
            },
        )


def _missing_needs(application: Application, booth: Booth, waiver: Waiver | None) -> list[str]:
    """The needs the booth does not meet: refused, unless the organiser sets them aside (returned)."""
    missing = [n for n in application.needs if n not in booth.features]
    if missing and waiver is None:
        raise EditError(
            "needs",
            gettext("%(booth)s has no %(needs)s, which %(vendor)s needs.")
            % {
                "booth": _named(booth),
                "needs": features_text(missing),
                "vendor": application.vendor.business_name,
            },
        )
    return missing


def _record_waiver(application: Application, missing: list[str], waiver: Waiver) -> None:
    """A line in the application's history, which the vendor reads: in Persian, like their messages."""
    with translation.override("fa"):
        text = gettext(
            "The organiser set aside your need for %(needs)s when choosing your booth. Reason: %(reason)s"
        ) % {"needs": features_text(missing), "reason": waiver.reason}
    record_change(application, application.status, text, waiver.by)


def _write(
    application: Application, booth: Booth, dates: list[datetime.date], waived: list[str] | None = None
) -> None:
    """The application on the booth for these days, pinned there with the needs set aside (if any),
    so that a re-run keeps it."""
    Assignment.objects.bulk_create(Assignment(booth=booth, date=d, application=application) for d in dates)
    application.pinned_booth = booth
    application.waived_needs = sorted(waived or [])
    application.save(update_fields=["pinned_booth", "waived_needs", "updated_at"])


def _clash_error() -> EditError:
    return EditError(
        "taken", gettext("Someone changed this plan at the same moment; reload the page and try again.")
    )


def move(site: Site, application_id: int, booth_text: str, *, waiver: Waiver | None = None) -> Booth:
    """Put an application (placed or not) on another booth for all its days, and pin it there.

    With a waiver, a need the booth does not meet is set aside and recorded; hard rules still hold.
    """
    waiver = waiver.checked() if waiver is not None else None
    booth = find_booth(site, booth_text)
    try:
        with transaction.atomic():
            applications, rows = _lock(site, [application_id])
            application = applications[application_id]
            _usable(application)
            _not_offered(application, rows[application_id])
            dates = _dates(site, application, rows[application_id])
            _check_hard(application, booth, dates, ignore={application.pk})
            missing = _missing_needs(application, booth, waiver)
            Assignment.objects.filter(application=application).delete()
            _write(application, booth, dates, missing)
            if missing:
                _record_waiver(application, missing, waiver)
    except IntegrityError:
        raise _clash_error() from None
    return booth


def swap(
    site: Site, application_id: int, booth_text: str, *, waiver: Waiver | None = None
) -> Application | None:
    """Exchange an application's booth with the one application on `booth_text` on its days.

    With nobody there it is a move. Both end up pinned. Returns the other application. With a
    waiver, needs either booth does not meet are set aside and recorded; hard rules still hold.
    """
    waiver = waiver.checked() if waiver is not None else None
    booth = find_booth(site, booth_text)
    others = set(
        Assignment.objects.filter(booth=booth, application__site=site)
        .exclude(application_id=application_id)
        .filter(date__in=Assignment.objects.filter(application_id=application_id).values("date"))
        .values_list("application_id", flat=True)
    )
    if not others:
        move(site, application_id, booth_text, waiver=waiver)
        return None
    if len(others) > 1:
        raise EditError(
            "several",
            gettext("%(booth)s holds several vendors on these days; move them one at a time.")
            % {"booth": _named(booth)},
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
            _check_hard(a, booth, dates_a, ignore)
            _check_hard(b, own, dates_b, ignore)
            missing = {a.pk: _missing_needs(a, booth, waiver), b.pk: _missing_needs(b, own, waiver)}
            Assignment.objects.filter(application_id__in=ignore).delete()
            _write(a, booth, dates_a, missing[a.pk])
            _write(b, own, dates_b, missing[b.pk])
            for app in (a, b):
                if missing[app.pk]:
                    _record_waiver(app, missing[app.pk], waiver)
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
        application.waived_needs = []
        application.save(update_fields=["pinned_booth", "waived_needs", "updated_at"])
