"""The registry side of the demo: support companies, 300 Lorestan vendors with valid identifiers, and
the accounts that sign in (staff, a company manager, some vendors).

Vendors are upserted by tracking code, companies by national id and users by username, so a second
load updates them in place instead of adding more.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from bazaarche.text import fold
from bazaarche.validators import clean_mobile, clean_national_id
from vendors.models import Category, County, Province, SupportCompany, User, Vendor

from . import data
from .state import Demo


def support_companies(demo: Demo, counties: dict[str, County]) -> None:
    for company in data.COMPANIES:
        row, _ = SupportCompany.objects.update_or_create(
            national_id=company.national_id,
            defaults={"name": company.name, "county": counties[company.county]},
        )
        demo.companies.append(row)


def _national_id(rng: random.Random, seen: set[str]) -> str:
    while True:
        body = rng.choice(data.NATIONAL_ID_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(6))
        remainder = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
        candidate = body + str(remainder if remainder < 2 else 11 - remainder)
        if candidate not in seen and clean_national_id(candidate) == candidate:
            seen.add(candidate)
            return candidate


def _mobile(rng: random.Random, seen: set[str]) -> str:
    while True:
        candidate = rng.choice(data.MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
        if candidate not in seen and clean_mobile(candidate) == candidate:
            seen.add(candidate)
            return candidate


def _postal_code(rng: random.Random, county_slug: str) -> str:
    # Iranian postal codes use neither 0 nor 2 in their first five digits.
    prefix = data.POSTAL_PREFIX.get(county_slug, "681")
    head = prefix + "".join(rng.choice("13456789") for _ in range(5 - len(prefix)))
    return head + "".join(rng.choice("0123456789") for _ in range(5))


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


class _Draw:
    """Who each vendor is: county, category and company, drawn with the weights of data.py."""

    def __init__(self, demo: Demo, counties: dict[str, County], categories: list[Category]) -> None:
        rng = demo.rng
        self.rng, self.counties = rng, counties
        self.county_slugs = [slug for slug in data.COUNTY_WEIGHTS if slug in counties]
        self.county_weights = [data.COUNTY_WEIGHTS[slug] for slug in self.county_slugs]
        self.categories = categories
        self.category_weights = [data.GROUP_WEIGHTS.get(c.group.slug, 1) for c in categories]
        self.by_code = {c.code: c for c in categories}
        self.member_of: dict[int, SupportCompany] = {}
        slots = iter(rng.sample(range(1, data.VENDOR_COUNT), sum(c.members for c in data.COMPANIES)))
        for spec, company in zip(data.COMPANIES, demo.companies, strict=True):
            for _ in range(spec.members):
                self.member_of[next(slots)] = company
        self.groups = {
            c.pk: spec.member_groups for spec, c in zip(data.COMPANIES, demo.companies, strict=True)
        }

    def county(self, i: int, company: SupportCompany | None) -> str:
        if i < len(self.county_slugs):
            return self.county_slugs[i]  # at least one vendor in every county
        if company is not None and self.rng.random() < 0.8:
            return company.county.slug
        return self.rng.choices(self.county_slugs, self.county_weights)[0]

    def category(self, company: SupportCompany | None) -> Category:
        if company is None:
            return self.rng.choices(self.categories, self.category_weights)[0]
        fitting = [c for c in self.categories if c.group.slug in self.groups[company.pk]]
        return self.rng.choice(fitting or self.categories)


def _vendor(demo: Demo, draw: _Draw, i: int, national_ids: set[str]) -> Vendor:
    rng, today = demo.rng, demo.today
    company = draw.member_of.get(i)
    female = i == 0 or rng.random() < 0.76 or company is not None
    first = rng.choice(data.FEMALE_NAMES if female else data.MALE_NAMES)
    last = rng.choice(data.LAST_NAMES)
    county_slug = draw.county(i, company)
    category = draw.category(company)
    issued, expires = _permit_dates(rng, today)
    if i == 0:
        story = data.SIGN_IN_VENDOR
        first, last, county_slug = story.first_name, story.last_name, story.county
        category = draw.by_code.get(story.category, category)
    if i == 0 or company is not None:
        issued, expires = today - datetime.timedelta(days=400), today + datetime.timedelta(days=700)
    county = draw.counties[county_slug]
    town = county.seat_fa or county.name_fa
    template = data.BUSINESS_NAMES.get(category.code, "کارگاه {title} {first}")
    products = data.PRODUCTS.get(category.code, f"انواع محصولات {category.title_fa}")
    tracking = str(data.TRACKING_BASE + i)
    vendor = Vendor(
        tracking_code=tracking,
        permit_id=f"99{tracking}",
        national_id=_national_id(rng, national_ids),
        first_name=first,
        last_name=last,
        gender=Vendor.Gender.FEMALE if female else Vendor.Gender.MALE,
        mobile=_mobile(rng, demo.mobiles),
        birth_date=datetime.date(rng.randint(1962, 2002), rng.randint(1, 12), rng.randint(1, 28)),
        business_name=template.format(first=first, last=last, title=category.title_fa),
        description=f"{products}؛ تولید خانگی در {town}.",
        category=category,
        permit_type=Vendor.PermitType.PIECE_RATE if company else Vendor.PermitType.INDEPENDENT,
        support_company=company,
        permit_issued=issued,
        permit_expires=expires,
        county=county,
        city=town,
        address=f"{town}، {rng.choice(data.STREETS)}، کوچه {rng.randint(1, 40)}، پلاک {rng.randint(1, 90)}",
        postal_code=_postal_code(rng, county_slug),
        # The sign-in vendor heads her household.
        female_head_of_household=female and (i == 0 or rng.random() < 0.4),
        disability=rng.random() < 0.05,
    )
    vendor.search_text = _search_text(vendor)
    return vendor


def vendors(demo: Demo, counties: dict[str, County], categories: list[Category]) -> None:
    draw = _Draw(demo, counties, categories)
    national_ids: set[str] = set()
    rows = [_vendor(demo, draw, i, national_ids) for i in range(data.VENDOR_COUNT)]
    updated = [
        f.name
        for f in Vendor._meta.concrete_fields
        if f.name not in {"id", "tracking_code", "user", "created_at"}
    ]
    demo.vendors = Vendor.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["tracking_code"], update_fields=updated
    )


def members(demo: Demo, company: SupportCompany) -> list[Vendor]:
    return [v for v in demo.vendors if v.support_company_id == company.pk]


# --- accounts -------------------------------------------------------------------------------------


def _user(username: str, password_hash: str, **fields) -> User:
    user, _ = User.objects.get_or_create(username=username)
    for name, value in fields.items():
        setattr(user, name, value)
    user.password = password_hash  # the hash of PASSWORD, made once with make_password
    user.is_active = True
    user.save()
    return user


def staff(demo: Demo, password_hash: str, province: Province, counties: dict[str, County]) -> None:
    """The admin, the organisers and the first company's manager."""
    for person in data.STAFF:
        scope: dict = {"is_staff": True, "is_superuser": True}
        if person.scope != "admin":
            scope = {"organiser_province": province}
            if person.scope in counties:
                scope["organiser_county"] = counties[person.scope]
        demo.staff[person.username] = _user(
            person.username, password_hash, first_name=person.first_name, last_name=person.last_name, **scope
        )
    mobile = _mobile(demo.rng, demo.mobiles)  # from the vendors' pool, so no mobile is used twice
    first, last = data.COMPANY_MANAGER
    demo.manager = _user(mobile, password_hash, mobile=mobile, first_name=first, last_name=last)
    demo.companies[0].managers.add(demo.manager)


def vendor_accounts(demo: Demo, password_hash: str, applicants: Iterable[int]) -> list[User]:
    """Accounts (username = mobile) for the sign-in vendor and the first others who apply on their own."""
    applying = set(applicants)
    chosen = [demo.vendors[0]]
    chosen += [v for v in demo.vendors[1:] if v.pk in applying and v.support_company_id is None][
        : data.OTHER_ACCOUNTS
    ]
    users = []
    for vendor in chosen:
        vendor.user = _user(
            vendor.mobile,
            password_hash,
            mobile=vendor.mobile,
            first_name=vendor.first_name,
            last_name=vendor.last_name,
        )
        users.append(vendor.user)
    Vendor.objects.bulk_update(chosen, ["user"])
    return users
