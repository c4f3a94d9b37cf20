"""Saving what organisers edit: exhibitions, sites with hours and quotas, closures, holidays, publishing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from bazaarche.text import normalize
from vendors.models import County, User
from vendors.permissions import is_county_organiser, is_provincial_organiser

from .models import DayException, Exhibition, OpeningHours, Site, SiteQuota

SLUG_MAX = 50


def unique_slug(model, text: str, fallback: str, exclude_pk: int | None = None) -> str:
    """An ASCII slug from text (the English title), else fallback-<n>; -2, -3 … until unused."""
    base = slugify(text)[:SLUG_MAX].strip("-")
    taken = model.objects.exclude(pk=exclude_pk)
    if not base:
        n = model.objects.count() + 1
        while taken.filter(slug=f"{fallback}-{n}").exists():
            n += 1
        return f"{fallback}-{n}"
    slug, n = base, 2
    while taken.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = base[: SLUG_MAX - len(suffix)] + suffix
        n += 1
    return slug


def counties_in_scope(user: User) -> QuerySet[County]:
    """The counties an organiser may put sites in: their own, or every county of their province."""
    if is_county_organiser(user):
        return County.objects.filter(pk=user.organiser_county_id)
    if is_provincial_organiser(user):
        return County.objects.filter(province_id=user.organiser_province_id)
    return County.objects.none()


def bump_exhibition(exhibition: Exhibition) -> None:
    """A change calendar subscribers must see: the exhibition's revision goes up."""
    Exhibition.objects.filter(pk=exhibition.pk).update(revision=F("revision") + 1)
    exhibition.refresh_from_db(fields=["revision"])


def bump_site(site: Site) -> None:
    """A change calendar subscribers must see: the site's SEQUENCE goes up (and its exhibition's revision)."""
    Site.objects.filter(pk=site.pk).update(sequence=F("sequence") + 1)
    site.refresh_from_db(fields=["sequence"])
    bump_exhibition(site.exhibition)


@transaction.atomic
def save_exhibition(form, user: User) -> Exhibition:
    """Create or update from a valid ExhibitionForm; a change to an existing one bumps its revision."""
    exhibition = form.save(commit=False)
    is_new = exhibition.pk is None
    old_poster = (
        "" if is_new else Exhibition.objects.filter(pk=exhibition.pk).values_list("poster", flat=True).first()
    )
    if not exhibition.slug:
        exhibition.slug = unique_slug(Exhibition, exhibition.title_en, "exhibition", exhibition.pk)
    if is_new:
        exhibition.province_id = user.organiser_province_id
        exhibition.created_by = user
    exhibition.save()
    if old_poster and old_poster != exhibition.poster.name:
        _remove_poster_file(old_poster, exhibition.poster.storage)
    if not is_new:
        bump_exhibition(exhibition)
    return exhibition


def _remove_poster_file(name: str, storage) -> None:
    """Delete a replaced or cleared poster once saved: it stays public at its address until it is gone.

    A file another exhibition still shows is kept.
    """
    if Exhibition.objects.filter(poster=name).exists():
        return
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def publish_exhibition(exhibition: Exhibition) -> Exhibition:
    exhibition.status = Exhibition.Status.PUBLISHED
    exhibition.published_at = timezone.now()
    exhibition.save(update_fields=["status", "published_at", "updated_at"])
    bump_exhibition(exhibition)
    return exhibition


@transaction.atomic
def save_site(
    site_form,
    hours: dict[int, tuple[datetime.time, datetime.time]],
    percents: dict[int, int],
    exhibition: Exhibition,
) -> Site:
    """Save a site with its venue, weekly hours and quotas at once; every change bumps SEQUENCE."""
    site = site_form.save(commit=False)
    is_new = site.pk is None
    site.exhibition = exhibition
    venue = site_form.new_venue()
    if venue is not None:
        venue.save()
        site.venue = venue
    if not site.slug:
        site.slug = unique_slug(Site, site.title_en, "site", site.pk)
    site.save()
    site_form.save_m2m()
    site.hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(site=site, weekday=day, opens=opens, closes=closes)
        for day, (opens, closes) in hours.items()
    )
    site.quotas.all().delete()
    SiteQuota.objects.bulk_create(
        SiteQuota(site=site, group_id=group_id, max_percent=percent) for group_id, percent in percents.items()
    )
    if is_new:
        bump_exhibition(exhibition)
    else:
        bump_site(site)
    return site


@transaction.atomic
def add_exception(site: Site, data: dict) -> DayException:
    exception = DayException.objects.create(
        site=site,
        date=data["date"],
        closed=data["closed"],
        opens=None if data["closed"] else data["opens"],
        closes=None if data["closed"] else data["closes"],
        reason_fa=data.get("reason_fa") or "",
        reason_en=data.get("reason_en") or "",
    )
    bump_site(site)
    return exception


@transaction.atomic
def remove_exception(site: Site, exception_pk: int) -> bool:
    deleted, _ = DayException.objects.filter(site=site, pk=exception_pk).delete()
    if deleted:
        bump_site(site)
    return bool(deleted)


@dataclass(frozen=True)
class Holiday:
    date: datetime.date
    name_fa: str
    name_en: str
    estimated: bool


def iranian_holidays(start: datetime.date, end: datetime.date) -> list[Holiday]:
    """Official holidays between start and end; Islamic ones past the published calendar are estimates.

    The holidays package adds «(تخمینی)» / «(estimated)» to the names of Islamic holidays whose
    dates it computed rather than took from the official calendar. The English names tell us which
    (the label is stable there); the names we store are asked for without the label.
    """
    import holidays

    years = range(start.year, end.year + 1)
    labelled = holidays.country_holidays("IR", years=years, language="en_US")
    fa = holidays.country_holidays("IR", years=years, language="fa", islamic_show_estimated=False)
    en = holidays.country_holidays("IR", years=years, language="en_US", islamic_show_estimated=False)
    return [
        Holiday(day, normalize(fa[day]), en.get(day, ""), "(estimated)" in labelled.get(day, ""))
        for day in sorted(fa)
        if start <= day <= end
    ]


@transaction.atomic
def add_iranian_holidays(site: Site) -> list[DayException]:
    """Close the site on each holiday within its dates; dates that already have an exception are kept."""
    taken = set(site.exceptions.values_list("date", flat=True))
    created = DayException.objects.bulk_create(
        DayException(
            site=site,
            date=h.date,
            closed=True,
            reason_fa=h.name_fa[:200],
            reason_en=h.name_en[:200],
            estimated=h.estimated,
        )
        for h in iranian_holidays(site.start_date, site.end_date)
        if h.date not in taken
    )
    if created:
        bump_site(site)
    return created
