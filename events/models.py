"""Exhibitions and their sites: venues, dates, opening hours, closures and exceptions, calls."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vendors.models import Bilingual, CategoryGroup, County, Province


class Venue(Bilingual, models.Model):
    """A place where sites are held, reused across exhibitions (the Khorramabad fairground, …)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="venues")
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    address_fa = models.TextField(_("address (Persian)"), blank=True)
    address_en = models.TextField(_("address (English)"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def address(self) -> str:
        return self.localized("address")


class Exhibition(Bilingual, models.Model):
    """A province-wide exhibition or bazaar programme; public once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="exhibitions")
    slug = models.SlugField(unique=True, allow_unicode=False)
    title_fa = models.CharField(_("Persian title"), max_length=250)
    title_en = models.CharField(_("English title"), max_length=250, blank=True)
    description_fa = models.TextField(_("Persian description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    poster = models.ImageField(_("poster"), upload_to="posters/", blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Grows on every public change; part of cache keys and ETags of public pages and feeds.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exhibition")
        verbose_name_plural = _("exhibitions")

    def __str__(self) -> str:
        return self.localized("title")

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Site(Bilingual, models.Model):
    """One exhibition's presence in one county and venue: its own dates, hours, call and booth plan.

    Its open days are the dates from start to end whose weekday has opening hours, less closures;
    a weekly bazaar is a site whose hours exist for one weekday only.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    exhibition = models.ForeignKey(Exhibition, on_delete=models.CASCADE, related_name="sites")
    slug = models.SlugField(unique=True)
    title_fa = models.CharField(_("Persian title"), max_length=250)
    title_en = models.CharField(_("English title"), max_length=250, blank=True)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="sites")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="sites")
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    applications_open = models.DateTimeField(_("applications open"), null=True, blank=True)
    applications_close = models.DateTimeField(_("applications close"), null=True, blank=True)
    eligible_groups = models.ManyToManyField(
        CategoryGroup,
        blank=True,
        related_name="+",
        verbose_name=_("eligible category groups"),
        help_text=_("Empty means every group."),
    )
    eligible_counties = models.ManyToManyField(
        County,
        blank=True,
        related_name="+",
        verbose_name=_("eligible counties"),
        help_text=_("Empty means every county of the province."),
    )
    helpers_per_booth = models.PositiveSmallIntegerField(_("helpers per booth"), default=1)
    confirm_days = models.PositiveSmallIntegerField(_("days to confirm an offer"), default=3)
    # Grows on every change a calendar subscriber must see (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "title_fa"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="site_ends_after_start"),
            models.CheckConstraint(
                condition=Q(applications_open__isnull=True)
                | Q(applications_close__isnull=True)
                | Q(applications_close__gt=F("applications_open")),
                name="site_application_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.localized("title")

    @property
    def title(self) -> str:
        return self.localized("title")


class OpeningHours(models.Model):
    """A site's regular hours on one weekday (Python numbering: Monday 0 … Friday 4, Saturday 5)."""

    class Weekday(models.IntegerChoices):
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["site", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["site", "weekday"], name="hours_one_per_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="hours_close_after_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class DayException(Bilingual, models.Model):
    """A date on which a site is closed (mourning days, holidays) or keeps other hours (Ramadan)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason_fa = models.CharField(_("reason (Persian)"), max_length=200, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=200, blank=True)
    # Islamic holidays beyond the confirmed calendar are estimates; the UI says so.
    estimated = models.BooleanField(_("date is an estimate"), default=False)

    class Meta:
        ordering = ["site", "date"]
        verbose_name = _("closure or exception")
        verbose_name_plural = _("closures and exceptions")
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="exception_one_per_site_day"),
            models.CheckConstraint(
                condition=Q(closed=True)
                | Q(opens__isnull=False, closes__isnull=False, closes__gt=F("opens")),
                name="exception_open_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason_fa}"

    @property
    def reason(self) -> str:
        return self.localized("reason")


class SiteQuota(models.Model):
    """The largest share of a site's booths that one category group may take."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="quotas")
    group = models.ForeignKey(CategoryGroup, on_delete=models.PROTECT, related_name="+")
    max_percent = models.PositiveSmallIntegerField(_("largest share (%)"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["site", "group"], name="quota_one_per_group"),
            models.CheckConstraint(condition=Q(max_percent__lte=100), name="quota_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.max_percent}%"
