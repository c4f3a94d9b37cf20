"""Halls, booths and their zones, applications, assignments (booth × day), offers, passes and gate admissions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Site
from vendors.models import Bilingual, SupportCompany, Vendor


class Hall(Bilingual, models.Model):
    """A hall or yard of a site with a grid on which its booths are drawn."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="halls")
    code = models.CharField(_("code"), max_length=10)
    name_fa = models.CharField(_("Persian name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    rows = models.PositiveSmallIntegerField(_("grid rows"), default=1)
    cols = models.PositiveSmallIntegerField(_("grid columns"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["site", "position", "code"]
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="hall_unique_code_in_site")]

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")


class Booth(models.Model):
    """A booth on a hall's plan. Neighbours are the booths beside it (for variety and groups)."""

    class Type(models.TextChoices):
        STANDARD = "standard", _("Standard")
        CORNER = "corner", _("Corner")
        ISLAND = "island", _("Island")
        KIOSK = "kiosk", _("Kiosk")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="booths")
    code = models.CharField(_("code"), max_length=20)
    zone = models.CharField(_("zone"), max_length=20, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.STANDARD)
    size_m2 = models.DecimalField(_("size (m²)"), max_digits=6, decimal_places=2, default=9)
    has_power = models.BooleanField(_("power"), default=False)
    has_water = models.BooleanField(_("water"), default=False)
    accessible = models.BooleanField(_("accessible"), default=False)
    outdoor = models.BooleanField(_("outdoor"), default=False)
    price = models.PositiveBigIntegerField(_("price (rials)"), default=0)
    blocked = models.BooleanField(_("blocked"), default=False, help_text=_("Not offered to anyone."))
    row = models.PositiveSmallIntegerField(_("row on the plan"), default=0)
    col = models.PositiveSmallIntegerField(_("column on the plan"), default=0)
    width = models.PositiveSmallIntegerField(_("width in cells"), default=1)
    height = models.PositiveSmallIntegerField(_("height in cells"), default=1)
    neighbours = models.ManyToManyField("self", symmetrical=True, blank=True, verbose_name=_("neighbours"))

    class Meta:
        ordering = ["hall", "code"]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        constraints = [models.UniqueConstraint(fields=["hall", "code"], name="booth_unique_code_in_hall")]

    def __str__(self) -> str:
        return self.code

    @property
    def features(self) -> list[str]:
        """Feature names as the allocation instance spells them."""
        flags = {"power": self.has_power, "water": self.has_water}
        flags |= {"accessible": self.accessible, "outdoor": self.outdoor}
        return [name for name, present in flags.items() if present]


class Zone(Bilingual, models.Model):
    """What a zone code of a site's booths (Booth.zone) means: a name and a few words by the organisers."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="zones")
    code = models.CharField(_("code"), max_length=20)
    name_fa = models.CharField(_("Persian name"), max_length=100, blank=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description_fa = models.CharField(_("Persian description"), max_length=300, blank=True)
    description_en = models.CharField(_("English description"), max_length=300, blank=True)

    class Meta:
        ordering = ["site", "code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="zone_unique_code_in_site")]

    def __str__(self) -> str:
        return self.code


class Application(models.Model):
    """A vendor's request for a booth at a site on some of its open days."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="applications")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="applications")
    company = models.ForeignKey(
        SupportCompany,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("applied with support company"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    days = models.JSONField(_("days"), default=list, help_text=_("ISO dates of the open days asked for."))
    needs_power = models.BooleanField(_("needs power"), default=False)
    needs_water = models.BooleanField(_("needs water"), default=False)
    needs_accessible = models.BooleanField(_("needs an accessible booth"), default=False)
    needs_table = models.BooleanField(_("needs a table"), default=False)
    preferred_zones = models.JSONField(_("preferred zones"), default=list, blank=True)
    preferred_types = models.JSONField(_("preferred booth types"), default=list, blank=True)
    helpers = models.PositiveSmallIntegerField(_("helpers"), default=0)
    products = models.TextField(_("products"), blank=True)
    # Computed from registry data and history when the application is made or reviewed.
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    priority_reasons = models.JSONField(default=list, blank=True)
    pinned_booth = models.ForeignKey(
        Booth,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pinned booth"),
    )
    # Needs the organiser set aside, with a recorded reason, when pinning to a booth that lacks them:
    # a re-run keeps the application on that booth. Cleared when the pin goes or moves to a booth
    # that has them.
    waived_needs = models.JSONField(default=list, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["site", "vendor"], name="application_one_per_vendor_site")
        ]

    def __str__(self) -> str:
        return f"{self.vendor} @ {self.site}"

    @property
    def needs(self) -> list[str]:
        flags = {"power": self.needs_power, "water": self.needs_water, "accessible": self.needs_accessible}
        return [name for name, present in flags.items() if present]

    @property
    def last_change(self) -> "ApplicationChange | None":
        """The latest status change; reads prefetched changes when there are any."""
        changes = list(self.changes.all())
        return changes[-1] if changes else None


class ApplicationChange(models.Model):
    """One status change of an application: who, when and why. The vendor sees these."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="changes")
    old_status = models.CharField(max_length=20, choices=Application.Status.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=Application.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status}"


class Offer(models.Model):
    """A published booth for an application, which the vendor confirms or declines by a deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn by the organiser")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="offers")
    booth = models.ForeignKey(Booth, on_delete=models.PROTECT, related_name="offers")
    days = models.JSONField(default=list, help_text=_("ISO dates offered."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("why this booth"), blank=True)
    expires_at = models.DateTimeField(_("confirm by"))
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="offer_one_live_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.booth} → {self.application}"


class Assignment(models.Model):
    """One booth on one day for one application. The database refuses a second one per booth-day."""

    booth = models.ForeignKey(Booth, on_delete=models.CASCADE, related_name="assignments")
    date = models.DateField(_("date"))
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    offer = models.ForeignKey(
        Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )

    class Meta:
        ordering = ["date", "booth"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["booth", "date"], name="assignment_one_per_booth_day"),
            models.UniqueConstraint(
                fields=["application", "date"], name="assignment_one_per_application_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booth} {self.date}"


class Pass(models.Model):
    """A gate pass for the vendor or a helper of one application; valid on its assigned days."""

    class Holder(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        HELPER = "helper", _("Helper")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="passes")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="passes")
    holder = models.CharField(_("holder"), max_length=10, choices=Holder.choices, default=Holder.VENDOR)
    holder_name = models.CharField(_("holder's name"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=64, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["site", "application", "holder", "id"]
        verbose_name = _("pass")
        verbose_name_plural = _("passes")

    def __str__(self) -> str:
        return f"{self.application.vendor} ({self.get_holder_display()})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class GateToken(models.Model):
    """A gate-staff credential bound to one site. Only a hash of the key is stored."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="gate_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("gate token")
        verbose_name_plural = _("gate tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class Admission(models.Model):
    """Every scan at a gate, successful or not. A pass is admitted at most once a day."""

    class Result(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        ALREADY_ADMITTED = "already_admitted", _("Already in today")
        WRONG_SITE = "wrong_site", _("Wrong site")
        WRONG_DAY = "wrong_day", _("Not valid today")
        REVOKED = "revoked", _("Revoked")
        INVALID = "invalid", _("Invalid code")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="admissions")
    gate = models.ForeignKey(
        GateToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="admissions"
    )
    pass_obj = models.ForeignKey(
        Pass, on_delete=models.SET_NULL, null=True, blank=True, related_name="admissions", db_column="pass_id"
    )
    code = models.CharField(_("scanned text"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    date = models.DateField(_("day"))
    scanned_at = models.DateTimeField(_("scanned at"))
    # NULL, not "", means "no key": the unique constraint must ignore scans sent without one.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["-scanned_at"]
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        constraints = [
            models.UniqueConstraint(
                fields=["pass_obj", "date"],
                condition=Q(result="admitted"),
                name="admission_once_per_pass_day",
            ),
            models.UniqueConstraint(
                fields=["gate", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="admission_idempotency_per_gate",
            ),
        ]
        indexes = [models.Index(fields=["site", "date"], name="admission_site_day")]

    def __str__(self) -> str:
        return f"{self.result} {self.scanned_at}"


class AllocationRun(models.Model):
    """One run of the allocation engine on a site: its seed, lottery and result, then its publication.

    The run records the SHA-256 of the instance it is about to use (its commitment) before the seed
    is drawn, and keeps that instance: the organisers can hand it out, and anyone holding it can
    check it against the public commitment and re-run the allocation with the published seed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Allocating")
        DONE = "done", _("Ready to review")
        FAILED = "failed", _("Failed")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="allocation_runs")
    # Empty until the run draws it, after the commitment; given on the command line (`--seed`) otherwise.
    seed = models.PositiveBigIntegerField(_("lottery seed"), null=True, blank=True)
    seed_drawn = models.BooleanField(
        _("seed drawn by the system"), default=False, help_text=_("False when a person gave the seed.")
    )
    # SHA-256 (hex) of booths.allocation.instance.canonical_instance; empty for runs before commitments.
    commitment = models.CharField(_("commitment"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the organiser's page
    error = models.TextField(blank=True)
    # Application ids ("app-<pk>") in lottery order, as the engine drew them.
    lottery = models.JSONField(default=list, blank=True)
    # Per application id its pseudonymous ticket ("K7M-2QX"), shown on the public lottery page.
    tickets = models.JSONField(default=dict, blank=True)
    # The instance as ALLOCATION_INSTANCE.md shapes it, without the vendors' tracking codes and the
    # seed, and per application the engine's code and facts.
    instance = models.JSONField(default=dict, blank=True)
    placements = models.JSONField(default=dict, blank=True)
    refusals = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # `error` of a run whose task worker died on every try (booths.allocation.adapter.fail_lost_run).
    WORKER_LOST = "worker_lost"

    class Meta:
        ordering = ["site", "-created_at", "-id"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        indexes = [models.Index(fields=["site", "-created_at"], name="allocationrun_site_recent")]

    def __str__(self) -> str:
        return f"{self.site} #{self.pk}" + (f" (seed {self.seed})" if self.seed is not None else "")

    @property
    def failure_message(self) -> str:
        """What the organiser's page says of a failed run, by its error code."""
        if self.error == self.WORKER_LOST:
            return gettext(
                "The allocation stopped before it finished: the background worker running it stopped, on "
                "every try. Nothing was changed. Run it again; if it stops again, tell the system's "
                "administrator."
            )
        return gettext("The allocation failed; nothing was changed. Try again.")
