"""Builds the demo: Lorestan vendors, a province-wide exhibition with sites, applications, an allocation and passes."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from bazaarche.text import fold
from bazaarche.validators import clean_mobile, clean_national_id
from booths.gate.passes import new_code
from booths.models import (
    Admission,
    Application,
    ApplicationChange,
    Assignment,
    Booth,
    GateToken,
    Hall,
    Offer,
    Pass,
    Zone,
)
from events.models import DayException, Exhibition, OpeningHours, Site, SiteQuota, Venue
from events.schedule import build_schedule
from vendors.models import Category, CategoryGroup, County, Province, SupportCompany, User, Vendor

PASSWORD = "bazaarche-demo"
SEED = 1404
VENDOR_COUNT = 300
# Tracking codes from 1404900000 on are reserved for the demo; the registry's own codes stay below.
TRACKING_BASE = 1404900000
EXHIBITION_SLUG = "lorestan-home-businesses"
DRAFT_EXHIBITION_SLUG = "lorestan-yalda-bazaars"
DEMO_EXHIBITION_SLUGS = (EXHIBITION_SLUG, DRAFT_EXHIBITION_SLUG)
FOOD_GROUP = "agricultural-processing"

S = Application.Status

FEMALE_NAMES = (
    "زهرا", "مریم", "فاطمه", "معصومه", "سکینه", "لیلا", "سمیه", "طاهره", "نرگس", "زینب", "اعظم",
    "شهلا", "منیژه", "پروین", "رقیه", "کبری", "صغری", "مهناز", "فرشته", "الهام", "نسرین", "سارا",
    "مرضیه", "طیبه", "اکرم", "ناهید", "گلناز", "شیرین", "بهاره", "آزاده", "فریبا", "سهیلا", "زهره",
    "منصوره", "خدیجه", "ربابه", "نازنین", "مهین", "سیمین", "شکوفه", "پریسا", "صدیقه", "عفت", "گلی",
)  # fmt: skip
MALE_NAMES = (
    "علی", "محمد", "حسین", "رضا", "مهدی", "بهمن", "جواد", "مرتضی", "سعید", "امید", "حمید", "کریم",
    "فرهاد", "مسعود", "یدالله", "عباس", "قاسم", "داریوش", "کیومرث", "بهروز", "اسماعیل", "نادر",
)  # fmt: skip
LAST_NAMES = (
    "دالوند", "بیرانوند", "سپهوند", "میرزاوند", "کرمی", "رحیمی", "قاسمی", "حسنوند", "امیری", "طاهری",
    "مومنی", "ملکی", "کاظمی", "یاراحمدی", "پیرانی", "شهبازی", "سلیمانی", "غضنفری", "چگینی", "ویسی",
    "رشنو", "نوروزی", "فلاحی", "گودرزی", "باجلان", "ساکی", "بهرامی", "زینیوند", "سلطانی", "خدابخشی",
    "عزیزی", "نظری", "کاکاوند", "حیدری", "جهانبخش", "آزادبخت", "ترکاشوند", "پاپی", "میرزایی", "سوری",
    "ملک‌محمدی", "مرادی", "کولیوند", "قبادی", "رضایی", "خسروی", "شیرخانی", "اسدی",
)  # fmt: skip
STREETS = (
    "خیابان امام خمینی", "خیابان شریعتی", "بلوار شهید بهشتی", "خیابان انقلاب", "کوی اساتید",
    "خیابان ولیعصر", "شهرک ولایت", "خیابان مطهری", "کوی کارگر", "خیابان فردوسی", "کوی فرهنگیان",
    "خیابان سعدی", "بلوار معلم", "کوی زاگرس", "خیابان طالقانی",
)  # fmt: skip

# More vendors where more people live; every county gets some.
COUNTY_WEIGHTS = {
    "khorramabad": 70, "borujerd": 50, "dorud": 25, "aligudarz": 22, "azna": 14, "kuhdasht": 25,
    "poldokhtar": 14, "delfan": 20, "selseleh": 15, "chegeni": 9, "rumeshkan": 9, "mamulan": 8,
}  # fmt: skip
POSTAL_PREFIX = {
    "khorramabad": "681", "borujerd": "691", "dorud": "688", "aligudarz": "687", "azna": "687",
    "kuhdasht": "685", "poldokhtar": "684", "delfan": "686", "selseleh": "686", "chegeni": "681",
    "rumeshkan": "685", "mamulan": "684",
}  # fmt: skip
NATIONAL_ID_PREFIXES = ("406", "407", "408", "409", "410", "411", "412", "413", "414", "415", "416")
MOBILE_PREFIXES = ("0916", "0916", "0916", "0916", "0918", "0912", "0935", "0936", "0939", "0901", "0990")
# Food and handicrafts dominate the home businesses that come to bazaars.
GROUP_WEIGHTS = {
    "agricultural-processing": 8,
    "handicrafts": 4,
    "manufacturing-and-services": 2,
    "livestock-products": 2,
    "plant-products": 1.5,
    "fisheries": 1,
    "culture-and-art": 1,
}

BUSINESS_NAMES = {
    "1001": "قالیبافی {last}", "1002": "کارگاه گلیم‌بافی {first}", "1003": "تابلوفرش {first}",
    "1004": "قلمزنی {last}", "1005": "چرم دست‌دوز {first}", "1006": "گلدوزی {first}",
    "1007": "منبت‌کاری {last}", "1008": "نمدمالی {last}", "1009": "فیروزه‌کوبی {first}",
    "1010": "ماشته‌بافی {first}", "1011": "چوغابافی {last}", "1012": "حکاکی سنگ {last}",
    "1013": "سازسازی {last}", "1014": "بافتنی‌های {first}", "1015": "ابریشم‌بافی {first}",
    "2001": "خیاطی {first}", "2002": "لباس محلی {first}", "2003": "اسباب‌بازی {last}",
    "2004": "گل‌سازی {first}", "2005": "بسته‌بندی {last}", "3001": "عسل طبیعی {last}",
    "3002": "مرغ بومی {last}", "3003": "تخم‌مرغ محلی {last}", "3004": "نوغان {last}",
    "3005": "لبنیات محلی {first}", "4001": "قارچ {last}", "4002": "گلخانه {first}",
    "4003": "گیاهان دارویی {last}", "4004": "محصولات گلخانه‌ای {last}", "5001": "حبوبات {last}",
    "5002": "سبزی خشک {first}", "5003": "سبزی آماده {first}", "5004": "دمنوش‌های {first}",
    "5005": "شیرینی خانگی {first}", "5006": "ترشی خانگی {first}", "5007": "رب و مربای {first}",
    "6001": "ماهی زینتی {last}", "7001": "انیمیشن {last}", "7002": "برنامه‌نویسی {last}",
    "7003": "ترجمه {first}", "7004": "ویراستاری {first}", "7005": "نقاشی و خوشنویسی {first}",
}  # fmt: skip
PRODUCTS = {
    "1001": "قالی دستباف با نقشه‌های لری و عشایری",
    "1002": "گلیم، جاجیم و پشتی دستباف لری",
    "1003": "تابلوفرش با طرح‌های سنتی",
    "1006": "رومیزی، روسری و لباس گلدوزی‌شده",
    "1011": "چوغای لری و سوغاتی‌های چوغابافی",
    "1014": "شال، کلاه و دستکش بافتنی",
    "2001": "لباس زنانه و بچگانه دوخت سفارشی",
    "2002": "لباس محلی لری، سربند و جلیقه",
    "3001": "عسل کوهی زاگرس و موم",
    "3005": "کره محلی، دوغ، کشک و روغن حیوانی",
    "4003": "گل‌گاوزبان، آویشن کوهی و بابونه",
    "5004": "دمنوش‌های گیاهی و گیاهان دارویی بسته‌بندی‌شده",
    "5005": "کلوچه، نان برنجی، گاتا و شیرینی محلی",
    "5006": "ترشی لیته، خیارشور و شوری‌های خانگی",
    "5007": "رب گوجه، رب انار و مربای بالنگ",
}
REASONS_FA = {
    "female_head_of_household": "سرپرست خانوار زن",
    "disability": "دارای معلولیت",
    "first_time": "نخستین حضور",
    "not_placed_before": "تاکنون غرفه نگرفته",
}
REJECTIONS = (
    "شناسه بهداشت برای رسته‌های خوراکی ستاره‌دار بارگذاری نشده است.",
    "عکس محصولات با توضیحات درخواست هم‌خوانی ندارد؛ لطفاً در دوره بعد دوباره درخواست دهید.",
)
WITHDRAWALS = (
    "به دلیل بیماری در خانواده نمی‌توانم شرکت کنم.",
    "در همین روزها در بازارچه دیگری غرفه دارم.",
    "محصولاتم برای این روزها آماده نمی‌شود.",
)


@dataclass(frozen=True)
class SignIn:
    role: str
    username: str
    password: str
    can: str


@dataclass(frozen=True)
class GateKey:
    site_slug: str
    name: str
    key: str


@dataclass(frozen=True)
class DemoSignIns:
    """What load_demo made: the sign-ins to print, the gate keys (new on every load) and counts."""

    users: tuple[SignIn, ...]
    gate_keys: tuple[GateKey, ...]
    other_vendor_accounts: int
    counts: dict[str, int]


@dataclass
class _SiteBuild:
    site: Site
    open_days: list[str]
    booths: list[Booth] = field(default_factory=list)
    neighbours: dict[int, set[int]] = field(default_factory=dict)


@dataclass
class _Change:
    application: Application
    old: str
    new: str
    reason: str
    by: User | None
    at: datetime.datetime


@dataclass
class _Placement:
    application: Application
    booth: Booth
    rank: int
    of: int
    offer_status: str = Offer.Status.CONFIRMED
    second_round: bool = False


@dataclass
class _Demo:
    """Working state of one load, so the steps stay plain functions."""

    rng: random.Random
    today: datetime.date
    now: datetime.datetime
    vendors: list[Vendor] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    submitted_at: dict[int, datetime.datetime] = field(default_factory=dict)
    changes: list[_Change] = field(default_factory=list)
    placements: list[_Placement] = field(default_factory=list)
    # Vendors' first-time / not-placed-before flags, fixed per vendor so every site agrees.
    history: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)  # vendor pk → position in `vendors`
    mobiles: set[str] = field(default_factory=set)
    late: set[int] = field(default_factory=set)  # id() of applications nobody reviewed yet


def load_demo(today: datetime.date | None = None, stdout: TextIO | None = None) -> DemoSignIns:
    """Build (or rebuild) the demo around `today`; the same data on every load, only passes and gate keys differ."""
    today = today or timezone.localdate()
    # "Now" follows `today`, so a demo built for another date is consistent with itself.
    now = timezone.make_aware(datetime.datetime.combine(today, timezone.localtime().time()))
    password_hash = make_password(PASSWORD)  # once: a PBKDF2 hash costs about a second
    demo = _Demo(rng=random.Random(SEED), today=today, now=now)
    with transaction.atomic():
        _delete_previous_demo()
        province = Province.objects.get(slug="lorestan")
        counties = {c.slug: c for c in County.objects.filter(province=province)}
        categories = list(Category.objects.select_related("group").order_by("code"))
        groups = {g.slug: g for g in CategoryGroup.objects.all()}

        companies = _support_companies(counties)
        _vendors(demo, counties, categories, companies)
        staff = _staff_users(password_hash, province, counties["khorramabad"], companies[0], demo)
        builds = _exhibitions(demo, province, counties, groups, staff["province"])
        _applications(demo, builds, companies, staff)
        vendor_user, others = _vendor_users(demo, password_hash)
        _save_applications(demo)
        _offers_assignments_passes(demo, builds)
        gate_keys = _gate_tokens(builds, staff["province"])
        _past_scans(demo)

    placement = next(p for p in demo.placements if p.application.vendor.pk == demo.vendors[0].pk)
    users = (
        SignIn("admin", "admin", PASSWORD, "Django admin at /admin/: everything"),
        SignIn(
            "provincial organiser",
            "province",
            PASSWORD,
            "کارشناس اداره کل: every Lorestan site — review, allocate, passes, dashboard",
        ),
        SignIn(
            "county organiser",
            "khorramabad",
            PASSWORD,
            "کارشناس شهرستان خرم‌آباد: only the Khorramabad sites",
        ),
        SignIn(
            "vendor",
            vendor_user.username,
            PASSWORD,
            f"{demo.vendors[0].full_name} «{demo.vendors[0].business_name}»: confirmed booth "
            f"{placement.booth.code} at Khorramabad today with a pass; also applied to Kuhdasht",
        ),
        SignIn(
            "support company manager",
            staff["company"].username,
            PASSWORD,
            f"«{companies[0].name}»: applies for its {len(_members(demo, companies[0]))} member home workers",
        ),
    )
    result = DemoSignIns(users, tuple(gate_keys), len(others), _counts())
    if stdout is not None:
        stdout.write(
            "Demo loaded for {day}: {vendors} vendors, {sites} sites, {booths} booths, {applications} "
            "applications, {offers} offers, {assignments} booth-days, {passes} passes.\n".format(
                day=today.isoformat(), **result.counts
            )
        )
    return result


def _delete_previous_demo() -> None:
    """Remove what an earlier load built: the demo exhibitions, with everything that hangs off them."""
    sites = Site.objects.filter(exhibition__slug__in=DEMO_EXHIBITION_SLUGS)
    # Offers protect their booth, so they go first; the rest cascades from the exhibitions.
    Offer.objects.filter(booth__hall__site__in=sites).delete()
    Offer.objects.filter(application__site__in=sites).delete()
    Exhibition.objects.filter(slug__in=DEMO_EXHIBITION_SLUGS).delete()


def demo_tracking_codes() -> list[str]:
    return [str(TRACKING_BASE + i) for i in range(VENDOR_COUNT)]


def _counts() -> dict[str, int]:
    sites = Site.objects.filter(exhibition__slug__in=DEMO_EXHIBITION_SLUGS)
    return {
        "vendors": Vendor.objects.filter(tracking_code__in=demo_tracking_codes()).count(),
        "sites": sites.count(),
        "booths": Booth.objects.filter(hall__site__in=sites).count(),
        "applications": Application.objects.filter(site__in=sites).count(),
        "offers": Offer.objects.filter(application__site__in=sites).count(),
        "assignments": Assignment.objects.filter(application__site__in=sites).count(),
        "passes": Pass.objects.filter(site__in=sites).count(),
    }


# --- registry side -------------------------------------------------------------------------------


def _support_companies(counties: dict[str, County]) -> list[SupportCompany]:
    rows = (
        ("10102345673", "شرکت هنر لر", "khorramabad"),
        ("10861234561", "تعاونی بانوان زاگرس", "borujerd"),
        ("14003217895", "شرکت صنایع دستی سفیدکوه", "khorramabad"),
    )
    companies = []
    for national_id, name, county in rows:
        company, _ = SupportCompany.objects.update_or_create(
            national_id=national_id, defaults={"name": name, "county": counties[county]}
        )
        companies.append(company)
    return companies


def _national_id(rng: random.Random, seen: set[str]) -> str:
    while True:
        body = rng.choice(NATIONAL_ID_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(6))
        remainder = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
        candidate = body + str(remainder if remainder < 2 else 11 - remainder)
        if candidate not in seen and clean_national_id(candidate) == candidate:
            seen.add(candidate)
            return candidate


def _mobile(rng: random.Random, seen: set[str]) -> str:
    while True:
        candidate = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
        if candidate not in seen and clean_mobile(candidate) == candidate:
            seen.add(candidate)
            return candidate


def _postal_code(rng: random.Random, county_slug: str) -> str:
    # Iranian postal codes use neither 0 nor 2 in their first five digits.
    prefix = POSTAL_PREFIX.get(county_slug, "681")
    head = prefix + "".join(rng.choice("13456789") for _ in range(5 - len(prefix)))
    return head + "".join(rng.choice("0123456789") for _ in range(5))


def _search_text(vendor: Vendor) -> str:
    # The same key Vendor.save() computes; bulk_create does not call save().
    parts = (
        vendor.first_name,
        vendor.last_name,
        vendor.business_name,
        vendor.tracking_code,
        vendor.national_id,
        vendor.mobile,
    )
    return " ".join(fold(part) for part in parts)


def _vendors(
    demo: _Demo, counties: dict[str, County], categories: list[Category], companies: list[SupportCompany]
) -> None:
    rng, today = demo.rng, demo.today
    ids: set[str] = set()
    county_slugs = [slug for slug in COUNTY_WEIGHTS if slug in counties]
    county_weights = [COUNTY_WEIGHTS[slug] for slug in county_slugs]
    category_weights = [GROUP_WEIGHTS.get(c.group.slug, 1) for c in categories]
    handicrafts = [c for c in categories if c.group.slug == "handicrafts"] or categories
    food = [c for c in categories if c.group.slug == FOOD_GROUP] or categories
    by_code = {c.code: c for c in categories}
    # Members of the support companies: piece-rate workers, mostly in the company's county.
    member_of: dict[int, SupportCompany] = {}
    member_slots = rng.sample(range(1, VENDOR_COUNT), 15 + 8 + 5)
    for n, index in enumerate(member_slots):
        member_of[index] = companies[0] if n < 15 else companies[1] if n < 23 else companies[2]

    vendors = []
    for i in range(VENDOR_COUNT):
        company = member_of.get(i)
        female = i == 0 or rng.random() < 0.76 or company is not None
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(LAST_NAMES)
        if i < len(county_slugs):
            county_slug = county_slugs[i]  # at least one vendor in every county
        elif company is not None and rng.random() < 0.8:
            county_slug = company.county.slug
        else:
            county_slug = rng.choices(county_slugs, county_weights)[0]
        if company is companies[1]:
            category = rng.choice(food)
        elif company is not None:
            category = rng.choice(handicrafts)
        else:
            category = rng.choices(categories, category_weights)[0]
        if i == 0:
            # The vendor who signs in: a weaver from Khorramabad, head of her household.
            first, last, county_slug = "زهرا", "دالوند", "khorramabad"
            category = by_code.get("1002", handicrafts[0])
        issued, expires = _permit_dates(rng, today)
        if i == 0 or company is not None:
            issued, expires = today - datetime.timedelta(days=400), today + datetime.timedelta(days=700)
        county = counties[county_slug]
        template = BUSINESS_NAMES.get(category.code, "کارگاه {title} {first}")
        street = rng.choice(STREETS)
        head_of_household = female and (i == 0 or rng.random() < 0.4)
        products = PRODUCTS.get(category.code, f"انواع محصولات {category.title_fa}")
        tracking = str(TRACKING_BASE + i)
        vendor = Vendor(
            tracking_code=tracking,
            permit_id=f"99{tracking}",
            national_id=_national_id(rng, ids),
            first_name=first,
            last_name=last,
            gender=Vendor.Gender.FEMALE if female else Vendor.Gender.MALE,
            mobile=_mobile(rng, demo.mobiles),
            birth_date=datetime.date(rng.randint(1962, 2002), rng.randint(1, 12), rng.randint(1, 28)),
            business_name=template.format(first=first, last=last, title=category.title_fa),
            description=f"{products}؛ تولید خانگی در {county.seat_fa or county.name_fa}.",
            category=category,
            permit_type=Vendor.PermitType.PIECE_RATE if company else Vendor.PermitType.INDEPENDENT,
            support_company=company,
            permit_issued=issued,
            permit_expires=expires,
            county=county,
            city=county.seat_fa or county.name_fa,
            address=f"{county.seat_fa or county.name_fa}، {street}، کوچه {rng.randint(1, 40)}، "
            f"پلاک {rng.randint(1, 90)}",
            postal_code=_postal_code(rng, county_slug),
            female_head_of_household=head_of_household,
            disability=rng.random() < 0.05,
        )
        vendor.search_text = _search_text(vendor)
        vendors.append(vendor)
        demo.history[i] = (rng.random() < 0.35, rng.random() < 0.3)
    demo.history[0] = (True, True)

    updated = [
        f.name
        for f in Vendor._meta.concrete_fields
        if f.name not in {"id", "tracking_code", "user", "created_at"}
    ]
    demo.vendors = Vendor.objects.bulk_create(
        vendors, update_conflicts=True, unique_fields=["tracking_code"], update_fields=updated
    )
    demo.index = {vendor.pk: index for index, vendor in enumerate(demo.vendors)}


def _permit_dates(rng: random.Random, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    days = datetime.timedelta
    draw = rng.random()
    if draw < 0.05:  # expired
        expires = today - days(rng.randint(5, 200))
        return expires - days(3 * 365), expires
    if draw < 0.10:  # expiring within 30 days
        expires = today + days(rng.randint(3, 29))
        return expires - days(3 * 365), expires
    issued = today - days(rng.randint(60, 1000))
    expires = issued + days(rng.randint(3 * 365, 5 * 365))
    if expires <= today + days(30):
        expires = today + days(rng.randint(60, 900))
    return issued, expires


def _members(demo: _Demo, company: SupportCompany) -> list[Vendor]:
    return [v for v in demo.vendors if v.support_company_id == company.pk]


# --- users ---------------------------------------------------------------------------------------


def _user(username: str, password_hash: str, **fields) -> User:
    user, _ = User.objects.get_or_create(username=username)
    for name, value in fields.items():
        setattr(user, name, value)
    user.password = password_hash  # the hash of PASSWORD, made once with make_password
    user.is_active = True
    user.save()
    return user


def _staff_users(
    password_hash: str, province: Province, khorramabad: County, company: SupportCompany, demo: _Demo
) -> dict[str, User]:
    staff = {
        "admin": _user(
            "admin", password_hash, first_name="مدیر", last_name="سامانه", is_staff=True, is_superuser=True
        ),
        "province": _user(
            "province", password_hash, first_name="نسرین", last_name="بیرانوند", organiser_province=province
        ),
        "khorramabad": _user(
            "khorramabad",
            password_hash,
            first_name="علیرضا",
            last_name="کرمی",
            organiser_province=province,
            organiser_county=khorramabad,
        ),
    }
    mobile = _mobile(demo.rng, demo.mobiles)  # from the vendors' pool, so no mobile is used twice
    manager = _user(mobile, password_hash, mobile=mobile, first_name="کامران", last_name="حسنوند")
    company.managers.add(manager)
    staff["company"] = manager
    return staff


def _vendor_users(demo: _Demo, password_hash: str) -> tuple[User, list[User]]:
    """Accounts for the sign-in vendor and twenty others who applied somewhere (username = mobile)."""
    applied = {a.vendor.pk for a in demo.applications}
    chosen = [demo.vendors[0]]
    chosen += [v for v in demo.vendors[1:] if v.pk in applied and v.support_company_id is None][:20]
    users = []
    for vendor in chosen:
        user = _user(
            vendor.mobile,
            password_hash,
            mobile=vendor.mobile,
            first_name=vendor.first_name,
            last_name=vendor.last_name,
        )
        vendor.user = user
        users.append(user)
    Vendor.objects.bulk_update(chosen, ["user"])
    by_vendor = {v.pk: v.user for v in chosen}
    for application in demo.applications:
        if application.applied_by is None:
            application.applied_by = by_vendor.get(application.vendor.pk)
    return users[0], users[1:]


# --- exhibitions, sites, booths --------------------------------------------------------------------


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def _venue(
    county: County, name_fa: str, name_en: str, address_fa: str, address_en: str, lat: str, lng: str
) -> Venue:
    venue, _ = Venue.objects.update_or_create(
        county=county,
        name_fa=name_fa,
        defaults={
            "name_en": name_en,
            "address_fa": address_fa,
            "address_en": address_en,
            "latitude": Decimal(lat),
            "longitude": Decimal(lng),
        },
    )
    return venue


def _site(
    exhibition: Exhibition,
    *,
    slug: str,
    county: County,
    venue: Venue,
    title_fa: str,
    title_en: str,
    start: datetime.date,
    end: datetime.date,
    window: tuple[datetime.datetime, datetime.datetime] | None,
    hours: dict[int, tuple[str, str]],
    exceptions: tuple[DayException, ...] = (),
) -> _SiteBuild:
    site = Site.objects.create(
        exhibition=exhibition,
        slug=slug,
        county=county,
        venue=venue,
        title_fa=title_fa,
        title_en=title_en,
        start_date=start,
        end_date=end,
        # Calls open at 08:00 and close at 20:00, as an office would announce them.
        applications_open=window[0].replace(hour=8, minute=0, second=0, microsecond=0) if window else None,
        applications_close=window[1].replace(hour=20, minute=0, second=0, microsecond=0) if window else None,
        helpers_per_booth=2,
        confirm_days=3,
    )
    rows = [
        OpeningHours(site=site, weekday=weekday, opens=_time(opens), closes=_time(closes))
        for weekday, (opens, closes) in sorted(hours.items())
    ]
    OpeningHours.objects.bulk_create(rows)
    for exception in exceptions:
        exception.site = site
    DayException.objects.bulk_create(exceptions)
    schedule = build_schedule(site, rows, list(exceptions))
    return _SiteBuild(site, [day.date.isoformat() for day in schedule.open_days])


def _hall(
    demo: _Demo,
    build: _SiteBuild,
    *,
    code: str,
    name_fa: str,
    name_en: str,
    rows: int,
    cols: int,
    position: int,
    zones: tuple[str, str],
    corner_price: int = 0,
    outdoor: bool = False,
    power_everywhere: bool = False,
    island_row: int | None = None,
    blocked: tuple[tuple[int, int], ...] = (),
) -> None:
    """A grid of booths: corners at the row ends, zones front and back, neighbours left and right."""
    rng = demo.rng
    hall = Hall.objects.create(
        site=build.site, code=code, name_fa=name_fa, name_en=name_en, rows=rows, cols=cols, position=position
    )
    booths = []
    for row in range(rows):
        for col in range(cols):
            corner = col in (0, cols - 1)
            kind = Booth.Type.CORNER if corner else Booth.Type.STANDARD
            if island_row == row and not corner:
                kind = Booth.Type.ISLAND
            booths.append(
                Booth(
                    hall=hall,
                    code=f"{code}-{row * cols + col + 1:02d}",
                    zone=zones[0] if row < (rows + 1) // 2 else zones[1],
                    type=kind,
                    size_m2=Decimal(12 if corner else 16 if kind == Booth.Type.ISLAND else 9),
                    has_power=power_everywhere or row in (0, rows - 1) or rng.random() < 0.3,
                    has_water=col == 0 or (row == 0 and col == cols - 1),
                    accessible=row == 0 and col < 3,
                    outdoor=outdoor,
                    price=corner_price if corner else 0,
                    blocked=(row, col) in blocked,
                    row=row + 1,
                    col=col + 1,
                )
            )
    booths = Booth.objects.bulk_create(booths)
    Through = Booth.neighbours.through
    links = []
    for left, right in itertools.pairwise(booths):
        if left.row == right.row:
            links += [Through(from_booth_id=left.pk, to_booth_id=right.pk)]
            links += [Through(from_booth_id=right.pk, to_booth_id=left.pk)]
            build.neighbours.setdefault(left.pk, set()).add(right.pk)
            build.neighbours.setdefault(right.pk, set()).add(left.pk)
    Through.objects.bulk_create(links)
    build.booths += booths


def _exhibitions(
    demo: _Demo,
    province: Province,
    counties: dict[str, County],
    groups: dict[str, CategoryGroup],
    organiser: User,
) -> dict[str, _SiteBuild]:
    today, now = demo.today, demo.now
    day = datetime.timedelta(days=1)
    every_day = dict.fromkeys(range(7))
    exhibition = Exhibition.objects.create(
        province=province,
        slug=EXHIBITION_SLUG,
        title_fa="نمایشگاه سراسری مشاغل خانگی لرستان",
        title_en="Lorestan Province-wide Home Business Exhibition",
        description_fa="نمایشگاه‌ها و بازارچه‌های مشاغل خانگی در شهرستان‌های لرستان، با غرفه رایگان یا کم‌هزینه "
        "برای کسب‌وکارهای خانگی دارای مجوز. برگزارکننده: اداره کل تعاون، کار و رفاه اجتماعی استان لرستان.",
        description_en="Exhibitions and bazaars for licensed home businesses across Lorestan's counties, with "
        "free or low-cost booths. Run by the Directorate General of Cooperatives, Labour and Social Welfare.",
        status=Exhibition.Status.PUBLISHED,
        published_at=now - 30 * day,
        created_by=organiser,
    )
    builds: dict[str, _SiteBuild] = {}

    fairground = _venue(
        counties["khorramabad"],
        "نمایشگاه بین‌المللی لرستان",
        "Lorestan International Fairground",
        "خرم‌آباد، کمربندی شمالی، محل دائمی نمایشگاه‌های بین‌المللی استان",
        "Northern ring road, Khorramabad",
        "33.513200",
        "48.366900",
    )
    build = builds["khorramabad-fairground"] = _site(
        exhibition,
        slug="khorramabad-fairground",
        county=counties["khorramabad"],
        venue=fairground,
        title_fa="جشنواره مشاغل خانگی خرم‌آباد",
        title_en="Khorramabad Home Business Festival",
        start=today - 2 * day,
        end=today + 3 * day,
        window=(now - 40 * day, now - 10 * day),
        hours={weekday: ("14:00", "20:00") for weekday in every_day},
        # Closed on a day other than today, so the festival is open while the demo is shown.
        exceptions=(
            DayException(
                date=today + 2 * day, closed=True, reason_fa="تعطیل رسمی", reason_en="Public holiday"
            ),
        ),
    )
    _hall(
        demo,
        build,
        code="A",
        name_fa="سالن الف",
        name_en="Hall A",
        rows=5,
        cols=10,
        position=0,
        zones=("A", "B"),
        corner_price=5_000_000,
        blocked=((2, 5),),
    )
    _hall(
        demo,
        build,
        code="B",
        name_fa="سالن ب",
        name_en="Hall B",
        rows=5,
        cols=7,
        position=1,
        zones=("C", "D"),
        island_row=2,
        blocked=((4, 6),),
    )
    if FOOD_GROUP in groups:
        SiteQuota.objects.create(site=build.site, group=groups[FOOD_GROUP], max_percent=40)

    cultural_centre = _venue(
        counties["borujerd"],
        "فرهنگسرای شهرداری بروجرد",
        "Borujerd Municipal Cultural Centre",
        "بروجرد، خیابان جعفری، حیاط فرهنگسرای شهرداری",
        "Jafari Street, Borujerd",
        "33.897300",
        "48.751600",
    )
    build = builds["borujerd-bazaar"] = _site(
        exhibition,
        slug="borujerd-bazaar",
        county=counties["borujerd"],
        venue=cultural_centre,
        title_fa="بازارچه ده‌روزه بانوان بروجرد",
        title_en="Borujerd Ten-day Women's Bazaar",
        start=today - day,
        end=today + 8 * day,
        window=(now - 30 * day, now - 7 * day),
        hours={weekday: ("16:00", "21:00") for weekday in every_day},
    )
    _hall(
        demo,
        build,
        code="A",
        name_fa="حیاط فرهنگسرا",
        name_en="Courtyard",
        rows=2,
        cols=10,
        position=0,
        zones=("A", "B"),
        outdoor=True,
        power_everywhere=True,
    )

    dorud_park = _venue(
        counties["dorud"],
        "بازارچه دائمی مشاغل خانگی دورود",
        "Dorud Permanent Home Business Bazaar",
        "دورود، بلوار امام خمینی، جنب پارک ساحلی",
        "Imam Khomeini Boulevard, by the riverside park, Dorud",
        "33.495500",
        "49.057800",
    )
    build = builds["dorud-friday"] = _site(
        exhibition,
        slug="dorud-friday",
        county=counties["dorud"],
        venue=dorud_park,
        title_fa="بازارچه جمعه دورود",
        title_en="Dorud Friday Bazaar",
        start=today - 14 * day,
        end=today + 60 * day,
        window=(now - 45 * day, now - 20 * day),
        hours={OpeningHours.Weekday.FRIDAY: ("16:00", "21:00")},
    )
    build.site.eligible_counties.set([counties[s] for s in ("dorud", "borujerd", "azna") if s in counties])
    _hall(
        demo,
        build,
        code="A",
        name_fa="راسته اصلی",
        name_en="Main row",
        rows=2,
        cols=6,
        position=0,
        zones=("A", "B"),
        outdoor=True,
    )

    aligudarz_park = _venue(
        counties["aligudarz"],
        "پارک شهر الیگودرز",
        "Aligudarz City Park",
        "الیگودرز، خیابان امام، ورودی پارک شهر",
        "Imam Street, City Park entrance, Aligudarz",
        "33.400600",
        "49.694900",
    )
    build = builds["aligudarz-tuesday"] = _site(
        exhibition,
        slug="aligudarz-tuesday",
        county=counties["aligudarz"],
        venue=aligudarz_park,
        title_fa="بازارچه سه‌شنبه الیگودرز",
        title_en="Aligudarz Tuesday Bazaar",
        start=today + 5 * day,
        end=today + 90 * day,
        window=(now - 3 * day, now + 10 * day),
        hours={OpeningHours.Weekday.TUESDAY: ("10:00", "14:00")},
    )
    _hall(
        demo,
        build,
        code="A",
        name_fa="ضلع شمالی پارک",
        name_en="North side",
        rows=2,
        cols=8,
        position=0,
        zones=("A", "B"),
        outdoor=True,
        corner_price=2_000_000,  # the corners by the park's paths cost a little; the rest are free
    )

    kuhdasht_hall = _venue(
        counties["kuhdasht"],
        "سالن اجتماعات فرمانداری کوهدشت",
        "Kuhdasht Governorate Hall",
        "کوهدشت، میدان امام حسین، ساختمان فرمانداری",
        "Imam Hossein Square, Kuhdasht",
        "33.535000",
        "47.606100",
    )
    start = today + 20 * day
    build = builds["kuhdasht-fair"] = _site(
        exhibition,
        slug="kuhdasht-fair",
        county=counties["kuhdasht"],
        venue=kuhdasht_hall,
        title_fa="جشنواره سوغات و صنایع دستی کوهدشت",
        title_en="Kuhdasht Crafts and Souvenirs Fair",
        start=start,
        end=start + 4 * day,
        window=(now - 3 * day, now + 10 * day),
        hours={weekday: ("10:00", "13:00") for weekday in every_day},
        exceptions=(
            DayException(
                date=start + day,
                closed=False,
                opens=_time("11:00"),
                closes=_time("13:00"),
                reason_fa="آیین افتتاحیه؛ شروع با تأخیر",
                reason_en="Opening ceremony; opens late",
            ),
            DayException(
                date=start + 3 * day,
                closed=True,
                reason_fa="تاسوعا",
                reason_en="Tasua",
                estimated=True,
            ),
        ),
    )
    build.site.eligible_groups.set(
        [groups[s] for s in ("handicrafts", FOOD_GROUP, "livestock-products") if s in groups]
    )
    _hall(
        demo,
        build,
        code="A",
        name_fa="سالن اصلی",
        name_en="Main hall",
        rows=3,
        cols=8,
        position=0,
        zones=("A", "B"),
        island_row=1,
    )

    # A draft exhibition: visible to organisers only, never on a public page.
    draft = Exhibition.objects.create(
        province=province,
        slug=DRAFT_EXHIBITION_SLUG,
        title_fa="بازارچه‌های شب یلدای لرستان",
        title_en="Lorestan Yalda Night Bazaars",
        description_fa="پیش‌نویس؛ هنوز منتشر نشده است.",
        description_en="Draft; not published yet.",
        status=Exhibition.Status.DRAFT,
        created_by=organiser,
    )
    azna_park = _venue(
        counties["azna"],
        "بوستان شهدای ازنا",
        "Azna Martyrs' Park",
        "ازنا، بلوار شهدا، بوستان شهدا",
        "Shohada Boulevard, Azna",
        "33.455800",
        "49.455500",
    )
    build = builds["azna-yalda"] = _site(
        draft,
        slug="azna-yalda",
        county=counties["azna"],
        venue=azna_park,
        title_fa="بازارچه شب یلدای ازنا",
        title_en="Azna Yalda Night Bazaar",
        start=today + 30 * day,
        end=today + 32 * day,
        window=None,
        hours={weekday: ("16:00", "22:00") for weekday in every_day},
    )
    _hall(
        demo,
        build,
        code="A",
        name_fa="محوطه بوستان",
        name_en="Park grounds",
        rows=2,
        cols=5,
        position=0,
        zones=("A", "B"),
        outdoor=True,
    )
    for build in builds.values():
        _zones(build)
    return builds


# What the organisers say of each zone (the front rows of a hall or yard are by its entrance).
# Khorramabad's zone D is left unnamed, as an organiser may leave one: vendors read «بخش D».
ZONE_WORDS = {
    "A": (
        "ردیف‌های جلو، کنار ورودی",
        "Front rows, by the entrance",
        "بیشترین رفت‌وآمد بازدیدکنندگان؛ غرفه‌های کنار در برق دارند.",
        "Most visitors pass here; the booths by the door have power.",
    ),
    "B": (
        "ردیف‌های عقب، کنار دیوار",
        "Back rows, along the wall",
        "آرام‌تر و نزدیک به آب و سرویس‌ها.",
        "Quieter, near water and the toilets.",
    ),
    "C": (
        "سالن ب، کنار غرفه‌های جزیره",
        "Hall B, by the island booths",
        "وسط سالن دوم، رو به غرفه‌های جزیره‌ای.",
        "The middle of the second hall, facing the island booths.",
    ),
}


def _zones(build: _SiteBuild) -> None:
    codes = sorted({booth.zone for booth in build.booths if booth.zone})
    Zone.objects.bulk_create(
        Zone(
            site=build.site,
            code=code,
            name_fa=ZONE_WORDS[code][0],
            name_en=ZONE_WORDS[code][1],
            description_fa=ZONE_WORDS[code][2],
            description_en=ZONE_WORDS[code][3],
        )
        for code in codes
        if code in ZONE_WORDS
    )


# --- applications and their review ---------------------------------------------------------------


def _pick(demo: _Demo, vendors: list[Vendor], k: int, weight: Callable[[Vendor], float]) -> list[Vendor]:
    """A weighted sample without replacement (Efraimidis–Spirakis), in a reproducible order."""
    keyed = [(demo.rng.random() ** (1.0 / w), demo.index[v.pk], v) for v in vendors if (w := weight(v)) > 0]
    keyed.sort(key=lambda item: (-item[0], item[1]))
    return [v for _, _, v in keyed[:k]]


def _new_application(
    demo: _Demo,
    build: _SiteBuild,
    vendor: Vendor,
    days: list[str],
    *,
    company: SupportCompany | None = None,
    applied_by: User | None = None,
    needs_rate: float = 0.15,
) -> Application:
    rng = demo.rng
    first_time, not_placed = demo.history[demo.index[vendor.pk]]
    reasons = []
    if vendor.female_head_of_household:
        reasons.append("female_head_of_household")
    if vendor.disability:
        reasons.append("disability")
    if first_time:
        reasons.append("first_time")
    if not_placed:
        reasons.append("not_placed_before")
    zones = sorted({b.zone for b in build.booths})
    food = vendor.category.group.slug in (FOOD_GROUP, "livestock-products")
    application = Application(
        site=build.site,
        vendor=vendor,
        company=company,
        status=S.SUBMITTED,
        days=days,
        needs_power=rng.random() < needs_rate,
        needs_water=food and rng.random() < needs_rate,
        needs_accessible=vendor.disability,
        needs_table=rng.random() < 0.5,
        preferred_zones=rng.sample(zones, 1) if rng.random() < 0.4 else [],
        preferred_types=[Booth.Type.CORNER] if rng.random() < 0.2 else [],
        helpers=rng.choice((0, 0, 1, 1, 2)),
        products=PRODUCTS.get(vendor.category.code, f"انواع محصولات {vendor.category.title_fa}"),
        priority=min(3, len(reasons)),
        priority_reasons=reasons,
        applied_by=applied_by,
    )
    window_open = build.site.applications_open or demo.now - datetime.timedelta(days=3)
    window_close = min(build.site.applications_close or demo.now, demo.now)
    span = (window_close - window_open).total_seconds()
    submitted = window_open + datetime.timedelta(seconds=rng.uniform(0.05, 0.9) * span)
    demo.applications.append(application)
    demo.submitted_at[id(application)] = submitted
    demo.changes.append(_Change(application, "", S.SUBMITTED, "", applied_by, submitted))
    return application


def _some_days(rng: random.Random, open_days: list[str], full_rate: float) -> list[str]:
    """All open days, or a run of at least two of them."""
    if len(open_days) <= 2 or rng.random() < full_rate:
        return list(open_days)
    length = rng.randint(2, len(open_days) - 1)
    start = rng.randint(0, len(open_days) - length)
    return open_days[start : start + length]


def _applications(
    demo: _Demo,
    builds: dict[str, _SiteBuild],
    companies: list[SupportCompany],
    staff: dict[str, User],
) -> None:
    rng, vendors = demo.rng, demo.vendors
    hunar = companies[0]
    day = datetime.timedelta(days=1)

    # Khorramabad: the whole province may apply; about 2.4 applicants per booth.
    build = builds["khorramabad-fairground"]
    close = build.site.applications_close
    zahra = vendors[0]
    members = _members(demo, hunar)[:10]
    others = _pick(
        demo,
        [v for v in vendors[1:] if v.support_company_id != hunar.pk],
        200 - 1 - len(members),
        lambda v: 4 if v.county.slug in ("khorramabad", "chegeni") else 1,
    )
    apps = [_new_application(demo, build, zahra, list(build.open_days))]
    apps[0].pinned_booth = next(b for b in build.booths if b.code == "A-12")
    apps[0].needs_power = apps[0].needs_water = apps[0].needs_accessible = False
    apps += [
        _new_application(
            demo, build, v, list(build.open_days), company=hunar, applied_by=staff["company"], needs_rate=0
        )
        for v in members
    ]
    apps += [_new_application(demo, build, v, _some_days(rng, build.open_days, 0.7)) for v in others]
    quota = build.site.quotas.first()
    _review(demo, build, apps, staff["khorramabad"], close + day, leave_submitted=4)
    _allocate(demo, build, apps, staff["khorramabad"], close + 2 * day, quota=quota, pending=4, declined=1)

    # Borujerd: forty women in two shifts of five days share twenty booths.
    build = builds["borujerd-bazaar"]
    close = build.site.applications_close
    half = len(build.open_days) // 2
    shifts = (build.open_days[:half], build.open_days[half:])
    women = [v for v in vendors[1:] if v.gender == Vendor.Gender.FEMALE and v.support_company_id != hunar.pk]
    picked = _pick(demo, women, 50, lambda v: 5 if v.county.slug in ("borujerd", "dorud", "azna") else 1)
    apps = [
        _new_application(demo, build, v, list(shifts[n % 2]), needs_rate=0.1) for n, v in enumerate(picked)
    ]
    _review(demo, build, apps, staff["province"], close + day, leave_submitted=0, max_rejected=2)
    _allocate(demo, build, apps, staff["province"], close + 2 * day, quota=None, pending=1, declined=0)

    # Dorud: a weekly bazaar for three counties; reviewed, but booths are handed out on each Friday.
    build = builds["dorud-friday"]
    close = build.site.applications_close
    upcoming = [d for d in build.open_days if d >= demo.today.isoformat()]
    eligible = {c.pk for c in build.site.eligible_counties.all()}
    local = [v for v in vendors[1:] if v.county_id in eligible]
    apps = [
        _new_application(demo, build, v, upcoming[: rng.randint(2, len(upcoming))])
        for v in _pick(demo, local, 30, lambda v: 1)
    ]
    _review(demo, build, apps, staff["province"], close + day, leave_submitted=3)
    ordered = sorted(
        (a for a in apps if a.status == S.SUBMITTED and id(a) not in demo.late), key=_by_priority(rng)
    )
    capacity = len([b for b in build.booths if not b.blocked])
    for rank, application in enumerate(ordered, start=1):
        new = S.ACCEPTED if rank <= capacity else S.WAITLISTED
        reason = (
            "مدارک کامل است و درخواست پذیرفته شد."
            if new == S.ACCEPTED
            else f"ظرفیت بازارچه تکمیل است؛ رتبه شما در فهرست انتظار {rank - capacity} است."
        )
        _change(demo, application, new, reason, staff["province"], close + 2 * day)

    # Coming sites with an open call: applications still arriving.
    for slug, count in (("aligudarz-tuesday", 20), ("kuhdasht-fair", 30)):
        build = builds[slug]
        site_groups = {g.pk for g in build.site.eligible_groups.all()}
        pool = [v for v in vendors[1:] if not site_groups or v.category.group_id in site_groups]
        county = build.site.county
        apps = [
            _new_application(demo, build, v, _some_days(rng, build.open_days[:8], 0.5))
            for v in _pick(demo, pool, count, lambda v, c=county: 4 if v.county_id == c.pk else 1)
        ]
        if slug == "kuhdasht-fair":
            apps.append(_new_application(demo, build, zahra, list(build.open_days)))
        for application in apps:
            if not _permit_covers(application):
                _change(demo, application, S.REJECTED, _expired_reason(), staff["province"], demo.now)
        for application in apps[:2]:
            if application.status == S.SUBMITTED and application.vendor.pk != zahra.pk:
                _change(
                    demo, application, S.WITHDRAWN, rng.choice(WITHDRAWALS), application.applied_by, demo.now
                )


def _by_priority(rng: random.Random) -> Callable[[Application], tuple]:
    """Priority first; the lottery (a seeded shuffle) breaks ties."""
    lottery: dict[int, float] = {}

    def key(application: Application) -> tuple:
        if id(application) not in lottery:
            lottery[id(application)] = rng.random()
        return (application.pinned_booth is None, -application.priority, lottery[id(application)])

    return key


def _permit_covers(application: Application) -> bool:
    vendor = application.vendor
    return all(vendor.permit_valid_on(datetime.date.fromisoformat(d)) for d in application.days)


def _expired_reason() -> str:
    return "مجوز کسب‌وکار شما در روزهای درخواستی معتبر نیست (منقضی شده یا پیش از پایان نمایشگاه منقضی می‌شود)."


def _change(
    demo: _Demo, application: Application, new: str, reason: str, by: User | None, at: datetime.datetime
) -> None:
    # Reviews spread over a working day instead of landing all in one instant.
    at = min(at + datetime.timedelta(minutes=demo.rng.randint(0, 240)), demo.now)
    demo.changes.append(_Change(application, application.status, new, reason, by, at))
    application.status = new


def _review(
    demo: _Demo,
    build: _SiteBuild,
    apps: list[Application],
    organiser: User,
    at: datetime.datetime,
    *,
    leave_submitted: int,
    max_rejected: int = 6,
) -> None:
    """Catch expired permits, reject a few more, let a few withdraw, leave a few late ones unreviewed."""
    rng = demo.rng
    rejected = 0
    for application in apps:
        if application.pinned_booth is not None or application.company is not None:
            continue
        if not _permit_covers(application):
            _change(demo, application, S.REJECTED, _expired_reason(), organiser, at)
        elif application.vendor.category.starred and rng.random() < 0.04 and rejected < max_rejected:
            _change(demo, application, S.REJECTED, REJECTIONS[0], organiser, at)
            rejected += 1
        elif rng.random() < 0.015 and rejected < max_rejected:
            _change(demo, application, S.REJECTED, REJECTIONS[1], organiser, at)
            rejected += 1
        elif rng.random() < 0.03:
            withdrawn_at = demo.submitted_at[id(application)] + datetime.timedelta(days=1)
            _change(
                demo, application, S.WITHDRAWN, rng.choice(WITHDRAWALS), application.applied_by, withdrawn_at
            )
    # The last applications of the call are still waiting for review.
    waiting = [a for a in apps if a.status == S.SUBMITTED and a.pinned_booth is None and a.company is None]
    waiting.sort(key=lambda a: demo.submitted_at[id(a)])
    for application in waiting[len(waiting) - leave_submitted :] if leave_submitted else []:
        demo.late.add(id(application))


class _Floor:
    """Which booth is whose on which day, while the demo allocates."""

    def __init__(self, build: _SiteBuild) -> None:
        self.booths = [b for b in build.booths if not b.blocked]
        self.neighbours = build.neighbours
        self.taken: dict[tuple[int, str], Application] = {}
        self.features = {b.pk: frozenset(b.features) for b in self.booths}

    def fits(self, booth: Booth, application: Application) -> bool:
        if not self.features[booth.pk].issuperset(application.needs):
            return False
        return all((booth.pk, d) not in self.taken for d in application.days)

    def choose(self, application: Application) -> Booth | None:
        if application.pinned_booth is not None:
            pinned = next(b for b in self.booths if b.pk == application.pinned_booth.pk)
            return pinned if self.fits(pinned, application) else None
        candidates = [b for b in self.booths if self.fits(b, application)]
        if not candidates:
            return None

        def score(booth: Booth) -> tuple:
            group = 0
            if application.company is not None:
                group = sum(
                    1
                    for n in self.neighbours.get(booth.pk, ())
                    for d in application.days
                    if (other := self.taken.get((n, d))) is not None
                    and other.company_id == application.company_id
                )
            return (
                -group,
                booth.zone not in application.preferred_zones,
                booth.type not in application.preferred_types,
                # Keep special booths for those who need them.
                len(self.features[booth.pk].difference(application.needs)),
            )

        return min(candidates, key=score)

    def take(self, booth: Booth, application: Application) -> None:
        for d in application.days:
            self.taken[(booth.pk, d)] = application

    def release(self, booth: Booth, application: Application) -> None:
        for d in application.days:
            self.taken.pop((booth.pk, d), None)


def _offer_reason(placement: _Placement) -> str:
    application, booth = placement.application, placement.booth
    reasons = "، ".join(REASONS_FA[r] for r in application.priority_reasons)
    priority = f"اولویت {application.priority}" + (f" ({reasons})" if reasons else "")
    return (
        f"غرفه {booth.code} در منطقه {booth.zone} برای {len(application.days)} روز؛ {priority}؛ "
        f"رتبه قرعه‌کشی {placement.rank} از {placement.of}."
    )


def _allocate(
    demo: _Demo,
    build: _SiteBuild,
    apps: list[Application],
    organiser: User,
    at: datetime.datetime,
    *,
    quota: SiteQuota | None,
    pending: int,
    declined: int,
) -> None:
    """Place reviewed applications by priority and lottery; whoever finds no fitting booth waits."""
    floor = _Floor(build)
    ordered = sorted(
        (a for a in apps if a.status == S.SUBMITTED and id(a) not in demo.late), key=_by_priority(demo.rng)
    )
    quota_limit = len(floor.booths) * quota.max_percent // 100 if quota else 0
    in_quota = 0
    placements: list[_Placement] = []
    waiting: list[Application] = []
    for rank, application in enumerate(ordered, start=1):
        in_group = quota is not None and application.vendor.category.group_id == quota.group_id
        if in_group and in_quota >= quota_limit:
            reason = (
                f"سهمیه گروه «{quota.group.name_fa}» ({quota.max_percent}٪ غرفه‌ها) پر شده است؛ "
                f"رتبه شما در قرعه‌کشی {rank} از {len(ordered)} است و در فهرست انتظار هستید."
            )
            _change(demo, application, S.WAITLISTED, reason, organiser, at)
            waiting.append(application)
            continue
        booth = floor.choose(application)
        if booth is None:
            reason = (
                "غرفه خالی مناسب برای روزها و نیازهای شما نماند؛ "
                f"رتبه شما در قرعه‌کشی {rank} از {len(ordered)} است و در فهرست انتظار هستید."
            )
            _change(demo, application, S.WAITLISTED, reason, organiser, at)
            waiting.append(application)
            continue
        floor.take(booth, application)
        in_quota += in_group
        placements.append(_Placement(application, booth, rank, len(ordered)))
        _change(demo, application, S.ACCEPTED, "مدارک کامل است و درخواست پذیرفته شد.", organiser, at)

    # The latest placed confirm late; the pinned vendor always confirms.
    movable = [p for p in placements if p.application.pinned_booth is None]
    for placement in movable[len(movable) - pending :] if pending else []:
        placement.offer_status = Offer.Status.PENDING
    for placement in movable[len(movable) // 2 : len(movable) // 2 + declined]:
        placement.offer_status = Offer.Status.DECLINED
        floor.release(placement.booth, placement.application)
        in_quota -= quota is not None and placement.application.vendor.category.group_id == quota.group_id
        _change(
            demo,
            placement.application,
            S.WITHDRAWN,
            "متقاضی غرفه پیشنهادی را نپذیرفت.",
            placement.application.applied_by,
            at + datetime.timedelta(days=1),
        )
        # A declined booth passes to the first on the waiting list it fits.
        for application in waiting:
            over_quota = quota is not None and application.vendor.category.group_id == quota.group_id
            if floor.fits(placement.booth, application) and not (over_quota and in_quota >= quota_limit):
                floor.take(placement.booth, application)
                in_quota += over_quota
                waiting.remove(application)
                rank = ordered.index(application) + 1
                placements.append(
                    _Placement(application, placement.booth, rank, len(ordered), Offer.Status.PENDING, True)
                )
                _change(
                    demo,
                    application,
                    S.ACCEPTED,
                    "غرفه‌ای که متقاضی دیگری نپذیرفت به شما رسید.",
                    organiser,
                    at + datetime.timedelta(days=2),
                )
                break
    demo.placements += placements


# --- saving ---------------------------------------------------------------------------------------


def _backdate(objects: list[models.Model], field_name: str, values: list[datetime.datetime]) -> None:
    """Set an auto_now_add timestamp after the insert, which always stamps "now", so timelines read naturally.

    One executemany instead of bulk_update: the CASE expressions bulk_update builds cost more
    than the rest of the demo's inserts together.
    """
    if not objects:
        return
    meta = type(objects[0])._meta
    column = meta.get_field(field_name)
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(meta.db_table)} SET {quote(column.column)} = %s WHERE {quote(meta.pk.column)} = %s"
    params = [
        (column.get_db_prep_value(value, connection), obj.pk)
        for obj, value in zip(objects, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    for obj, value in zip(objects, values, strict=True):
        setattr(obj, column.attname, value)


def _save_applications(demo: _Demo) -> None:
    Application.objects.bulk_create(demo.applications)
    _backdate(demo.applications, "created_at", [demo.submitted_at[id(a)] for a in demo.applications])
    changes = ApplicationChange.objects.bulk_create(
        [
            ApplicationChange(
                application=c.application,
                old_status=c.old,
                new_status=c.new,
                reason=c.reason,
                # Applying and withdrawing are the applicant's own acts; accounts were made after planning.
                by=c.application.applied_by if c.new in (S.SUBMITTED, S.WITHDRAWN) else c.by,
            )
            for c in demo.changes
        ]
    )
    _backdate(changes, "at", [c.at for c in demo.changes])


def _offers_assignments_passes(demo: _Demo, builds: dict[str, _SiteBuild]) -> None:
    rng, now = demo.rng, demo.now
    day = datetime.timedelta(days=1)
    offers, created_at = [], []
    for placement in demo.placements:
        site = placement.application.site
        created = site.applications_close + (4 * day if placement.second_round else 3 * day)
        created = min(created, now - day)
        status = placement.offer_status
        offer = Offer(
            application=placement.application,
            booth=placement.booth,
            days=list(placement.application.days),
            status=status,
            reason=_offer_reason(placement),
            expires_at=now + 2 * day if status == Offer.Status.PENDING else created + site.confirm_days * day,
            responded_at=None if status == Offer.Status.PENDING else created + rng.uniform(0.1, 2.5) * day,
        )
        offers.append(offer)
        created_at.append(created)
    Offer.objects.bulk_create(offers)
    _backdate(offers, "created_at", created_at)

    assignments, passes = [], []
    helper_names = FEMALE_NAMES + MALE_NAMES
    for offer in offers:
        if offer.status == Offer.Status.DECLINED:
            continue
        application = offer.application
        assignments += [
            Assignment(
                booth=offer.booth, date=datetime.date.fromisoformat(d), application=application, offer=offer
            )
            for d in offer.days
        ]
        if offer.status != Offer.Status.CONFIRMED:
            continue
        vendor = application.vendor
        passes.append(
            Pass(
                site=application.site,
                application=application,
                holder=Pass.Holder.VENDOR,
                holder_name=vendor.full_name,
                code=new_code(),
            )
        )
        for _ in range(min(application.helpers, application.site.helpers_per_booth)):
            passes.append(
                Pass(
                    site=application.site,
                    application=application,
                    holder=Pass.Holder.HELPER,
                    holder_name=f"{rng.choice(helper_names)} {vendor.last_name}",
                    code=new_code(),
                )
            )
    Assignment.objects.bulk_create(assignments)
    Pass.objects.bulk_create(passes)


def _gate_tokens(builds: dict[str, _SiteBuild], organiser: User) -> list[GateKey]:
    keys = []
    for slug in ("khorramabad-fairground", "borujerd-bazaar"):
        key = secrets.token_urlsafe(24)
        name = "دروازه اصلی"
        GateToken.objects.create(
            site=builds[slug].site,
            name=name,
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            key_prefix=key[:6],
            created_by=organiser,
        )
        keys.append(GateKey(slug, name, key))
    return keys


def _past_scans(demo: _Demo) -> None:
    """Gate scans on the days already past, so the dashboard has check-ins and a few no-shows:
    most holders came in once in the morning, some were scanned again, a few never came."""
    rng, tehran = demo.rng, timezone.get_current_timezone()
    gates = {gate.site_id: gate for gate in GateToken.objects.filter(revoked_at__isnull=True)}
    rows = []
    passes = Pass.objects.filter(revoked_at__isnull=True).prefetch_related("application__assignments")
    for pass_obj in passes.order_by("id"):
        for assignment in pass_obj.application.assignments.all():
            if assignment.date >= demo.today or rng.random() < 0.12:
                continue
            first = datetime.datetime.combine(assignment.date, datetime.time(9, 30), tehran)
            first += datetime.timedelta(minutes=rng.randrange(0, 240))
            scan = {"site_id": pass_obj.site_id, "gate": gates.get(pass_obj.site_id), "pass_obj": pass_obj}
            scan |= {"code": pass_obj.code, "date": assignment.date}
            rows.append(Admission(**scan, result=Admission.Result.ADMITTED, scanned_at=first))
            if rng.random() < 0.05:
                again = first + datetime.timedelta(minutes=rng.randrange(5, 90))
                rows.append(Admission(**scan, result=Admission.Result.ALREADY_ADMITTED, scanned_at=again))
    Admission.objects.bulk_create(rows)
