"""The demo builder: idempotent, deterministic, and true to the rules the models and the product set."""

import datetime
import hashlib
import re
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from bazaarche.text import fold
from bazaarche.validators import clean_mobile, clean_national_id
from booths.allocation.ids import application_id, booth_key
from booths.demo import load_demo
from booths.demo.build import demo_tracking_codes
from booths.demo.data import DRAFT_EXHIBITION_SLUG, EXHIBITION_SLUG, PASSWORD
from booths.models import (
    Admission,
    AllocationRun,
    Application,
    ApplicationChange,
    Assignment,
    Booth,
    GateToken,
    Offer,
    Pass,
)
from events.models import DayException, Exhibition, Site, Venue
from events.schedule import schedule_for
from vendors.models import Category, County, Province, SupportCompany, User, Vendor

TODAY = datetime.date(2025, 11, 17)  # a Monday: the Friday bazaar in Dorud is not open
ISO_TODAY = TODAY.isoformat()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the tests below that only read it, inside a transaction rolled back
    after them (each test's own transaction nests in it): loading it runs the real services and the
    engine, a few seconds each time."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers), transaction.atomic():
        yield load_demo(TODAY)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # PBKDF2 takes about a second per hash; what is tested here is which users exist, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def model_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"vendors", "events", "booths"}
    }


def fingerprint() -> tuple:
    """What the demo holds, without database ids or the random pass codes and gate keys."""
    vendors = sorted(
        Vendor.objects.values_list(
            "tracking_code",
            "national_id",
            "mobile",
            "first_name",
            "last_name",
            "county__slug",
            "category__code",
        )
    )
    applications = sorted(
        (site, code, status, tuple(days))
        for site, code, status, days in Application.objects.values_list(
            "site__slug", "vendor__tracking_code", "status", "days"
        )
    )
    assignments = sorted(
        (site, booth, day.isoformat(), code)
        for site, booth, day, code in Assignment.objects.values_list(
            "booth__hall__site__slug", "booth__code", "date", "application__vendor__tracking_code"
        )
    )
    offers = sorted(Offer.objects.values_list("application__vendor__tracking_code", "booth__code", "status"))
    return vendors, applications, assignments, offers


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_counts_and_data():
    load_demo(TODAY)
    first_counts, first_data = model_counts(), fingerprint()

    load_demo(TODAY)

    assert model_counts() == first_counts
    assert fingerprint() == first_data
    assert Vendor.objects.count() == 300
    assert SupportCompany.objects.count() == 3
    assert Exhibition.objects.count() == 2
    assert Site.objects.count() == 6
    assert Venue.objects.count() == 6
    assert Booth.objects.count() == 85 + 20 + 12 + 16 + 24 + 10
    assert GateToken.objects.count() == 2
    assert User.objects.count() == 3 + 1 + 21


@pytest.mark.django_db
def test_load_demo_twice_leaves_no_duplicates():
    load_demo(TODAY)
    load_demo(TODAY)

    vendors = Vendor.objects.all()
    assert sorted(v.tracking_code for v in vendors) == demo_tracking_codes()
    assert len({v.national_id for v in vendors}) == 300
    assert len({v.mobile for v in vendors}) == 300
    assert list(Venue.objects.values("county", "name_fa").annotate(n=Count("id")).filter(n__gt=1)) == []
    assert list(User.objects.values("username").annotate(n=Count("id")).filter(n__gt=1)) == []
    assert SupportCompany.objects.get(name="شرکت هنر لر").managers.count() == 1
    assert list(Application.objects.values("site", "vendor").annotate(n=Count("id")).filter(n__gt=1)) == []


@pytest.mark.django_db
def test_load_demo_keeps_what_it_did_not_create():
    province = Province.objects.get(slug="lorestan")
    county = County.objects.get(slug="azna")
    venue = Venue.objects.create(county=county, name_fa="سالن شهرداری ازنا")
    exhibition = Exhibition.objects.create(province=province, slug="azna-own", title_fa="بازارچه ازنا")
    Site.objects.create(
        exhibition=exhibition,
        slug="azna-own-site",
        title_fa="بازارچه ازنا",
        county=county,
        venue=venue,
        start_date=TODAY,
        end_date=TODAY,
    )
    vendor = Vendor.objects.create(
        tracking_code="1404000000",
        national_id="0499370899",
        first_name="مریم",
        last_name="رحیمی",
        mobile="09120000000",
        business_name="شیرینی خانگی مریم",
        category=Category.objects.get(code="5005"),
        permit_type=Vendor.PermitType.INDEPENDENT,
        permit_issued=TODAY - datetime.timedelta(days=10),
        permit_expires=TODAY + datetime.timedelta(days=300),
        county=county,
    )

    load_demo(TODAY)
    load_demo(TODAY)

    assert Site.objects.filter(slug="azna-own-site").count() == 1
    assert Vendor.objects.filter(pk=vendor.pk).count() == 1
    assert Vendor.objects.count() == 301


@pytest.mark.django_db
def test_demo_exhibition_has_sites_in_five_counties(demo):

    published = Exhibition.objects.get(slug=EXHIBITION_SLUG)
    counties = set(published.sites.values_list("county__slug", flat=True))
    assert counties == {"khorramabad", "borujerd", "dorud", "aligudarz", "kuhdasht"}
    assert published.status == Exhibition.Status.PUBLISHED
    assert published.published_at is not None
    draft = Exhibition.objects.get(slug=DRAFT_EXHIBITION_SLUG)
    assert draft.status == Exhibition.Status.DRAFT
    assert list(draft.sites.values_list("slug", flat=True)) == ["azna-yalda"]


@pytest.mark.django_db
def test_demo_sites_some_open_today_some_later(demo):

    schedules = {site.slug: schedule_for(site) for site in Site.objects.all()}
    open_today = {slug for slug, schedule in schedules.items() if schedule.day(TODAY) is not None}
    later = set(Site.objects.filter(start_date__gt=TODAY).values_list("slug", flat=True))
    assert open_today == {"khorramabad-fairground", "borujerd-bazaar"}
    assert later == {"aligudarz-tuesday", "kuhdasht-fair", "azna-yalda"}
    fairground = schedules["khorramabad-fairground"]
    assert len(fairground.open_days) == 5
    assert [c.reason_fa for c in fairground.closures] == ["تعطیل رسمی"]
    assert fairground.day(TODAY).opens == datetime.time(14, 0)
    assert {d.date.weekday() for d in schedules["dorud-friday"].open_days} == {4}
    assert {d.date.weekday() for d in schedules["aligudarz-tuesday"].open_days} == {1}
    fair = schedules["kuhdasht-fair"]
    assert len(fair.open_days) == 4
    assert [(c.reason_fa, c.estimated) for c in fair.closures] == [("تاسوعا", True)]
    assert DayException.objects.filter(site__slug="kuhdasht-fair", closed=False).count() == 1


@pytest.mark.django_db
def test_demo_applications_cover_every_status_on_open_days(demo):

    assert set(Application.objects.values_list("status", flat=True)) == set(Application.Status.values)
    for site in Site.objects.prefetch_related("applications"):
        open_days = {d.date.isoformat() for d in schedule_for(site).open_days}
        for application in site.applications.all():
            assert application.days
            assert set(application.days) <= open_days
    # Every application's history starts with its submission and ends in its current status.
    for application in Application.objects.prefetch_related("changes"):
        changes = list(application.changes.all())
        assert (changes[0].old_status, changes[0].new_status) == ("", Application.Status.SUBMITTED)
        assert changes[-1].new_status == application.status
    rejected = ApplicationChange.objects.filter(new_status=Application.Status.REJECTED)
    assert rejected.filter(reason="").count() == 0


@pytest.mark.django_db
def test_demo_sign_ins_authenticate(demo):
    result = demo

    assert [s.role for s in result.users] == [
        "admin",
        "provincial organiser",
        "county organiser",
        "vendor",
        "support company manager",
    ]
    for sign_in in result.users:
        assert sign_in.password == PASSWORD
        user = authenticate(username=sign_in.username, password=sign_in.password)
        assert user is not None
        assert user.username == sign_in.username
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert User.objects.get(username="khorramabad").organiser_county.slug == "khorramabad"
    assert User.objects.get(username="province").organiser_province.slug == "lorestan"


@pytest.mark.django_db
def test_demo_vendor_sign_in_has_a_booth_today_and_another_application(demo):
    result = demo

    user = User.objects.get(username=result.users[3].username)
    vendor = Vendor.objects.get(user=user)
    assert user.mobile == vendor.mobile == user.username
    today = Assignment.objects.get(application__vendor=vendor, date=TODAY)
    assert today.booth.hall.site.slug == "khorramabad-fairground"
    assert today.offer.status == Offer.Status.CONFIRMED
    assert Pass.objects.filter(application=today.application, holder=Pass.Holder.VENDOR).count() == 1
    assert set(vendor.applications.values_list("site__slug", flat=True)) == {
        "khorramabad-fairground",
        "kuhdasht-fair",
    }
    assert Vendor.objects.filter(user__isnull=False).count() == 21


@pytest.mark.django_db
def test_demo_support_company_has_manager_and_members(demo):
    result = demo

    company = SupportCompany.objects.get(name="شرکت هنر لر")
    assert list(company.managers.values_list("username", flat=True)) == [result.users[4].username]
    assert company.members.count() == 15
    assert set(company.members.values_list("permit_type", flat=True)) == {Vendor.PermitType.PIECE_RATE}
    assert all(len(c.national_id) == 11 for c in SupportCompany.objects.all())
    piece_rate = Vendor.objects.filter(permit_type=Vendor.PermitType.PIECE_RATE)
    assert piece_rate.filter(support_company__isnull=True).count() == 0


@pytest.mark.django_db
def test_demo_assignments_never_double_book(demo):

    per_booth_day = Assignment.objects.values("booth", "date").annotate(n=Count("id")).filter(n__gt=1)
    per_application_day = (
        Assignment.objects.values("application", "date").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert list(per_booth_day) == []
    assert list(per_application_day) == []
    assignments = Assignment.objects.select_related("booth", "application", "offer")
    assert set(assignments.values_list("booth__hall__site__slug", flat=True)) == {
        "khorramabad-fairground",
        "borujerd-bazaar",
    }
    for assignment in assignments:
        application = assignment.application
        assert set(application.needs) <= set(assignment.booth.features)
        assert not assignment.booth.blocked
        assert assignment.date.isoformat() in application.days
        assert assignment.offer.booth_id == assignment.booth_id
        assert assignment.offer.status in {Offer.Status.CONFIRMED, Offer.Status.PENDING}
    statuses = Counter(Offer.objects.values_list("status", flat=True))
    assert statuses[Offer.Status.DECLINED] == 1
    assert statuses[Offer.Status.PENDING] >= 1


@pytest.mark.django_db
def test_demo_borujerd_shares_twenty_booths_between_forty_women(demo):

    site = Site.objects.get(slug="borujerd-bazaar")
    accepted = site.applications.filter(status=Application.Status.ACCEPTED)
    assert accepted.count() == 40
    assert set(accepted.values_list("vendor__gender", flat=True)) == {Vendor.Gender.FEMALE}
    per_booth = (
        Assignment.objects.filter(booth__hall__site=site)
        .values("booth")
        .annotate(apps=Count("application", distinct=True), days=Count("id"))
    )
    assert sorted((row["apps"], row["days"]) for row in per_booth) == [(2, 10)] * 20


@pytest.mark.django_db
def test_demo_vendor_identifiers_are_valid(demo):

    for vendor in Vendor.objects.all():
        assert clean_national_id(vendor.national_id) == vendor.national_id
        assert re.fullmatch(r"09[0-9]{9}", vendor.mobile)
        assert clean_mobile(vendor.mobile) == vendor.mobile
        assert vendor.permit_issued < vendor.permit_expires
        assert re.fullmatch(r"[0-9]{10}", vendor.postal_code)
        assert vendor.address
        parts = (vendor.first_name, vendor.last_name, vendor.business_name, vendor.tracking_code)
        parts += (vendor.national_id, vendor.mobile)
        assert vendor.search_text == " ".join(fold(part) for part in parts)
    assert Vendor.objects.filter(permit_expires__lt=TODAY).count() >= 1
    soon = Vendor.objects.filter(
        permit_expires__gte=TODAY, permit_expires__lte=TODAY + datetime.timedelta(days=30)
    )
    assert soon.count() >= 1
    assert Vendor.objects.values("county").distinct().count() == 12


@pytest.mark.django_db
def test_demo_passes_are_valid_today_and_gate_keys_match(demo):
    result = demo

    for slug in ("khorramabad-fairground", "borujerd-bazaar"):
        valid_today = Pass.objects.filter(
            site__slug=slug,
            application__assignments__date=TODAY,
            application__assignments__offer__status=Offer.Status.CONFIRMED,
        )
        assert valid_today.count() >= 20
    confirmed = Application.objects.filter(offers__status=Offer.Status.CONFIRMED)
    assert Pass.objects.exclude(application__in=confirmed).count() == 0
    assert Pass.objects.values("code").distinct().count() == Pass.objects.count()
    assert sorted(key.site_slug for key in result.gate_keys) == ["borujerd-bazaar", "khorramabad-fairground"]
    for key in result.gate_keys:
        token = GateToken.objects.get(site__slug=key.site_slug)
        assert token.key_hash == hashlib.sha256(key.key.encode()).hexdigest()
        assert token.key_prefix == key.key[:6]


@pytest.mark.django_db
def test_demo_allocation_keeps_quota_and_valid_permits(demo):

    site = Site.objects.get(slug="khorramabad-fairground")
    quota = site.quotas.get()
    usable = Booth.objects.filter(hall__site=site, blocked=False).count()
    # The engine's quota is a share of the site's booth-days.
    booth_days = usable * len(schedule_for(site).open_days)
    held_by_group = Assignment.objects.filter(
        booth__hall__site=site, application__vendor__category__group=quota.group
    ).count()
    assert (quota.group.slug, quota.max_percent) == ("agricultural-processing", 40)
    assert 0 < held_by_group <= booth_days * 40 // 100
    for assignment in Assignment.objects.select_related("application__vendor"):
        assert assignment.application.vendor.permit_valid_on(assignment.date)
    assert set(
        Application.objects.filter(pinned_booth__isnull=False).values_list("pinned_booth__code", flat=True)
    ) == {"A-12"}


@pytest.mark.django_db
def test_demo_offers_are_the_published_lottery_or_the_waiting_list(demo):

    runs = AllocationRun.objects.filter(published_at__isnull=False)
    assert sorted((run.site.slug, run.seed) for run in runs) == [
        ("borujerd-bazaar", 1404),
        ("khorramabad-fairground", 1404),
    ]
    for run in runs:
        offers = Offer.objects.filter(application__site=run.site).select_related("booth__hall")
        published = {
            application_id(o.application_id): (booth_key(o.booth), o.days)
            for o in offers
            if o.created_at == run.published_at
        }
        recorded = {
            app: (placement["booth"], [run.instance["days"][d] for d in placement["days"]])
            for app, placement in run.placements.items()
        }
        assert published == recorded
        # Every later offer passed a freed booth to an application the lottery left waiting.
        later = {application_id(o.application_id) for o in offers if o.created_at > run.published_at}
        assert later <= set(run.refusals)
    statuses = Counter(Offer.objects.values_list("status", flat=True))
    assert statuses[Offer.Status.EXPIRED] >= 1


@pytest.mark.django_db
def test_demo_offer_reasons_are_in_persian_and_english(demo):

    reasons = list(Offer.objects.values_list("reason", flat=True))
    assert reasons
    for reason in reasons:
        persian, english = reason.split("\n")
        assert re.search("[\u0600-\u06ff]", persian)
        assert english.isascii()


@pytest.mark.django_db
def test_demo_history_is_dated_in_order_before_the_day(demo):

    end_of_day = datetime.datetime.combine(TODAY, datetime.time(23, 59), datetime.UTC)
    for application in Application.objects.prefetch_related("changes"):
        times = [application.created_at] + [change.at for change in application.changes.all()]
        assert times == sorted(times)
        assert times[-1] < end_of_day
    for offer in Offer.objects.exclude(responded_at=None):
        assert offer.created_at < offer.responded_at <= offer.expires_at
    for admission in Admission.objects.select_related("pass_obj"):
        assert admission.pass_obj.issued_at < admission.scanned_at
        assert admission.date < TODAY


@pytest.mark.django_db
@pytest.mark.parametrize("today", [TODAY, datetime.date(2025, 11, 21)])  # a Monday, and a Friday
def test_demo_has_two_sites_open_today_with_passes_valid_today(today):
    from booths.gate.passes import is_valid_on, live_passes, normalize_code

    result = load_demo(today)

    open_today = {site.slug for site in Site.objects.all() if schedule_for(site).day(today) is not None}
    with_passes = set()
    for slug in open_today:
        passes = list(live_passes(Site.objects.get(slug=slug)))
        if any(is_valid_on(p, today) for p in passes):
            with_passes.add(slug)
    assert with_passes == {"khorramabad-fairground", "borujerd-bazaar"}
    assert {key.site_slug for key in result.gate_keys} == with_passes
    codes = list(Pass.objects.values_list("code", flat=True))
    assert all(normalize_code(code) == code for code in codes)


@pytest.mark.django_db
def test_load_demo_prints_a_gate_sign_in_per_open_site(monkeypatch):
    import io

    from django.core.management import call_command

    monkeypatch.setenv("PORT", "8123")
    out = io.StringIO()

    call_command("load_demo", "--today", ISO_TODAY, stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("Gate (")]
    assert len(lines) == 2
    for line in lines:
        match = re.fullmatch(r"Gate \((.+)\): http://127\.0\.0\.1:8123/gate/  key: (\S+)", line)
        assert match is not None
        token = GateToken.objects.get(key_hash=hashlib.sha256(match[2].encode()).hexdigest())
        assert token.site.title_en == match[1]
        assert token.revoked_at is None
