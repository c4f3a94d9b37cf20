"""The registry side: provinces and counties, categories, support companies, vendors and accounts."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bazaarche.text import digits_for_language


class Bilingual:
    """Pick the Persian or English variant of a field pair by the active language."""

    def localized(self, field: str) -> str:
        """The text in the active language, its digits as that language writes them (stored text has
        ASCII digits: a title "…1405" reads "…۱۴۰۵" on Persian pages and images)."""
        language = get_language()
        if language == "en":
            text = getattr(self, f"{field}_en") or getattr(self, f"{field}_fa")
        else:
            text = getattr(self, f"{field}_fa")
        return digits_for_language(text, language) if text else text


class Province(Bilingual, models.Model):
    slug = models.SlugField(unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")


class County(Bilingual, models.Model):
    """A county (شهرستان). Counties are renamed and split, so they are data, with old names as aliases."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="counties")
    slug = models.SlugField(unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    seat_fa = models.CharField(_("county seat (Persian)"), max_length=100, blank=True)
    seat_en = models.CharField(_("county seat (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.UniqueConstraint(fields=["province", "name_fa"], name="county_unique_name_in_province")
        ]

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")


class CountyAlias(models.Model):
    """An old or alternative name of a county (دوره for چگنی), stored in search-folded form."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("county alias")
        verbose_name_plural = _("county aliases")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from bazaarche.text import fold

        self.key = fold(self.name)
        super().save(*args, **kwargs)


class CategoryGroup(Bilingual, models.Model):
    """A group of registry categories (handicrafts, food processing, …); quotas are set per group."""

    slug = models.SlugField(unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=150, unique=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")


class Category(Bilingual, models.Model):
    """A registry category (رسته). Starred ones need a health ID or a veterinary approval."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title_fa = models.CharField(_("Persian title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    group = models.ForeignKey(CategoryGroup, on_delete=models.PROTECT, related_name="categories")
    starred = models.BooleanField(_("starred"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.localized('title')}"

    @property
    def title(self) -> str:
        return self.localized("title")


class SupportCompany(models.Model):
    """A support company (شرکت پشتیبان) that applies for its member home workers."""

    national_id = models.CharField(_("national ID of the company"), max_length=11, unique=True)
    name = models.CharField(_("name"), max_length=200)
    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    managers = models.ManyToManyField(
        "vendors.User", blank=True, related_name="managed_companies", verbose_name=_("managers")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("support company")
        verbose_name_plural = _("support companies")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """An account. Roles follow from relations: an organiser scope, linked vendors, managed companies.

    Vendors and company managers sign in with their mobile number; organisers with a username.
    """

    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True)
    organiser_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisers",
        verbose_name=_("organiser of province"),
        help_text=_("Set for provincial organisers; county organisers also set a county."),
    )
    organiser_county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisers",
        verbose_name=_("organiser of county"),
    )
    # The secret in the address of the organiser's deadlines calendar; replacing it retires the old one.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(organiser_county__isnull=True) | Q(organiser_province__isnull=False),
                name="user_county_organiser_has_province",
            )
        ]


class Vendor(models.Model):
    """A home business as the registry knows it: one row per permit (tracking code).

    National ID, mobile, address, postal code, birth date and disability are private: they are
    never shown on a public page.
    """

    class PermitType(models.TextChoices):
        INDEPENDENT = "independent", _("Independent")
        SUPPORT = "support", _("Support company")
        PIECE_RATE = "piece_rate", _("Piece-rate for a support company")

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    permit_id = models.CharField(_("permit unique ID"), max_length=30, unique=True, null=True, blank=True)
    national_id = models.CharField(_("national ID"), max_length=10, db_index=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11, db_index=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    business_name = models.CharField(_("business name"), max_length=200)
    description = models.TextField(_("description of the business"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="vendors")
    permit_type = models.CharField(_("permit type"), max_length=20, choices=PermitType.choices)
    support_company = models.ForeignKey(
        SupportCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    permit_issued = models.DateField(_("permit issued"))
    permit_expires = models.DateField(_("permit expires"))
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="vendors")
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    female_head_of_household = models.BooleanField(_("female head of household"), default=False)
    disability = models.BooleanField(_("has a disability"), default=False)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vendors",
        verbose_name=_("account"),
    )
    search_text = models.TextField(editable=False, default="")
    # The secret in the address of the vendor's private booth-day calendar; replacing it retires the old one.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # A photo of the vendor's face, for the gate of a site where they hold a pass to compare with the
    # person. Private: stored re-encoded under a random name (vendors/photos.py) and served only by
    # a view that checks who asks, never by its /media/ address.
    portrait = models.ImageField(
        _("portrait for the gate"), upload_to="portraits/", blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [
            models.CheckConstraint(
                condition=Q(permit_expires__gt=models.F("permit_issued")),
                name="vendor_permit_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(permit_type="piece_rate") | Q(support_company__isnull=False),
                name="vendor_piece_rate_has_company",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_name} ({self.full_name})"

    def save(self, *args, **kwargs):
        from bazaarche.text import fold

        self.search_text = " ".join(
            fold(part)
            for part in (
                self.first_name,
                self.last_name,
                self.business_name,
                self.tracking_code,
                self.national_id,
                self.mobile,
            )
        )
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def permit_valid_on(self, day) -> bool:
        return self.permit_issued <= day <= self.permit_expires

    @property
    def permit_valid_today(self) -> bool:
        return self.permit_valid_on(timezone.localdate())


def vendor_photo_path(instance: "VendorPhoto", filename: str) -> str:
    return f"vendors/{instance.vendor_id}/{filename}"


class VendorPhoto(models.Model):
    """A product photo on a vendor's profile, stored re-encoded without metadata, with a thumbnail."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=vendor_photo_path)
    thumbnail = models.ImageField(upload_to=vendor_photo_path, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS. Only a keyed hash is kept; it expires and works once."""

    mobile = models.CharField(_("mobile"), max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.mobile} {self.created_at:%Y-%m-%d %H:%M}"


class LimitCounter(models.Model):
    """A sign-in limit's counter, kept here only while the cache (Redis) cannot count: vendors/limits.py."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key} {self.count}"


class RegistryImport(models.Model):
    """One registry export uploaded by an organiser: checked first (a preview), then imported."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("File unusable")

    file = models.FileField(_("file"), upload_to="imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CHECKING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    # The first rejected rows, for the preview: [{"row", "column", "code", "reason_fa", "reason_en"}, …]
    preview = models.JSONField(default=list, blank=True)
    report = models.FileField(_("report"), upload_to="imports/reports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The worker's last sign of life (confirmation, then progress): an import silent for too long has
    # lost its worker and is marked failed, so the page does not wait for ever.
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return self.original_name
