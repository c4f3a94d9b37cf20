"""Small factories for tests: each makes one valid object with sensible defaults, overridable."""

import datetime
import itertools

from django.utils import timezone

from booths.models import Application, Booth, Hall
from events.models import Exhibition, OpeningHours, Site, Venue
from vendors.models import Category, County, Province, SupportCompany, User, Vendor

_seq = itertools.count(1)


def national_id(n: int) -> str:
    """A valid national ID derived from n (check digit computed per the registry rule)."""
    digits = f"{(n * 7919 + 12345) % 10**9:09d}"
    s = sum(int(d) * (10 - i) for i, d in enumerate(digits))
    r = s % 11
    return digits + str(r if r < 2 else 11 - r)


def county(slug: str = "khorramabad") -> County:
    return County.objects.get(slug=slug)


def user(**fields) -> User:
    n = next(_seq)
    fields.setdefault("username", f"user{n}")
    password = fields.pop("password", "secret-pass-123")
    u = User(**fields)
    u.set_password(password)
    u.save()
    return u


def provincial_organiser(**fields) -> User:
    fields.setdefault("organiser_province", Province.objects.get(slug="lorestan"))
    return user(**fields)


def county_organiser(county_slug: str = "khorramabad", **fields) -> User:
    c = county(county_slug)
    return user(organiser_province=c.province, organiser_county=c, **fields)


def support_company(**fields) -> SupportCompany:
    n = next(_seq)
    fields.setdefault("national_id", f"{10100000000 + n}")
    fields.setdefault("name", f"شرکت پشتیبان {n}")
    return SupportCompany.objects.create(**fields)


def vendor(**fields) -> Vendor:
    n = next(_seq)
    today = timezone.localdate()
    # Outside 1404000000-1404999999, where tests write codes by hand: never the same as one of those.
    fields.setdefault("tracking_code", f"{1409000000 + n}")
    fields.setdefault("national_id", national_id(n))
    fields.setdefault("first_name", "مریم")
    fields.setdefault("last_name", f"رحیمی {n}")
    fields.setdefault("mobile", f"0916{n:07d}")
    fields.setdefault("business_name", f"کارگاه {n}")
    fields.setdefault("category", Category.objects.get(code="1002"))
    fields.setdefault("permit_type", Vendor.PermitType.INDEPENDENT)
    fields.setdefault("permit_issued", today - datetime.timedelta(days=365))
    fields.setdefault("permit_expires", today + datetime.timedelta(days=365))
    fields.setdefault("county", county())
    return Vendor.objects.create(**fields)


def exhibition(**fields) -> Exhibition:
    n = next(_seq)
    fields.setdefault("province", Province.objects.get(slug="lorestan"))
    fields.setdefault("slug", f"exhibition-{n}")
    fields.setdefault("title_fa", f"نمایشگاه مشاغل خانگی {n}")
    fields.setdefault("title_en", f"Home business exhibition {n}")
    fields.setdefault("status", Exhibition.Status.PUBLISHED)
    return Exhibition.objects.create(**fields)


def venue(county_slug: str = "khorramabad", **fields) -> Venue:
    fields.setdefault("name_fa", "نمایشگاه بین‌المللی لرستان")
    fields.setdefault("name_en", "Lorestan International Fairground")
    return Venue.objects.create(county=county(county_slug), **fields)


def site(
    exhibition_obj: Exhibition | None = None, county_slug: str = "khorramabad", hours=(14, 20), **fields
) -> Site:
    """A site with the same opening hours every weekday (hours=None for none)."""
    n = next(_seq)
    today = timezone.localdate()
    fields.setdefault("slug", f"site-{n}")
    fields.setdefault("title_fa", f"غرفه‌های {n}")
    fields.setdefault("start_date", today)
    fields.setdefault("end_date", today + datetime.timedelta(days=5))
    s = Site.objects.create(
        exhibition=exhibition_obj or exhibition(),
        county=county(county_slug),
        venue=fields.pop("venue", None) or venue(county_slug),
        **fields,
    )
    if hours:
        OpeningHours.objects.bulk_create(
            OpeningHours(site=s, weekday=d, opens=datetime.time(hours[0]), closes=datetime.time(hours[1]))
            for d in range(7)
        )
    return s


def hall(site_obj: Site, **fields) -> Hall:
    fields.setdefault("code", f"H{next(_seq)}")
    fields.setdefault("name_fa", "سالن")
    return Hall.objects.create(site=site_obj, **fields)


def booth(hall_obj: Hall, **fields) -> Booth:
    fields.setdefault("code", f"B-{next(_seq):03d}")
    return Booth.objects.create(hall=hall_obj, **fields)


def application(site_obj: Site, vendor_obj: Vendor | None = None, **fields) -> Application:
    fields.setdefault("days", [site_obj.start_date.isoformat()])
    return Application.objects.create(site=site_obj, vendor=vendor_obj or vendor(), **fields)
