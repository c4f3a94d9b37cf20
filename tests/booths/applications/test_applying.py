"""Eligibility for a site's call and the application itself: each refusal says why and saves nothing."""

import datetime

import pytest
from django.utils import timezone

from bazaarche.jalali import format_date, format_datetime
from booths.applications import applying
from booths.applications.applying import ApplicationData, ApplicationRefused
from booths.gate.checkin import check_in, create_gate_token
from booths.models import Admission, Application, ApplicationChange, Assignment, Offer, Pass
from events.models import DayException, Exhibition, Site
from tests import factories
from tests.booths.allocation.helpers import booths_held
from vendors import sms
from vendors.models import CategoryGroup


def open_site(**fields) -> Site:
    """A site whose call is open now, with five open days starting in ten days."""
    now = timezone.now()
    today = timezone.localdate()
    fields.setdefault("start_date", today + datetime.timedelta(days=10))
    fields.setdefault("end_date", today + datetime.timedelta(days=14))
    fields.setdefault("applications_open", now - datetime.timedelta(days=1))
    fields.setdefault("applications_close", now + datetime.timedelta(days=5))
    return factories.site(**fields)


def days(site: Site, n: int = 1) -> list[str]:
    return [(site.start_date + datetime.timedelta(days=i)).isoformat() for i in range(n)]


def refused(vendor, site, **data) -> list[tuple[str, str]]:
    data.setdefault("days", days(site))
    with pytest.raises(ApplicationRefused) as info:
        applying.apply([vendor], site, ApplicationData(**data), by=vendor.user)
    return [(r.code, r.message) for r in info.value.refusals]


def test_apply_open_site_saves_application_history_and_priority(db):
    site = open_site(helpers_per_booth=2)
    vendor = factories.vendor(user=factories.user(), female_head_of_household=True)
    [application] = applying.apply(
        [vendor],
        site,
        ApplicationData(days=days(site, 3), needs_power=True, helpers=2, products="گلیم"),
        vendor.user,
    )
    application.refresh_from_db()
    assert application.days == days(site, 3)
    assert (application.needs_power, application.helpers, application.products) == (True, 2, "گلیم")
    assert (application.priority, application.priority_reasons) == (
        2,
        ["female_head_of_household", "first_time"],
    )
    assert application.company is None
    assert list(application.changes.values_list("old_status", "new_status")) == [("", "submitted")]


def test_apply_permit_expiring_before_last_day_is_refused(db):
    site = open_site()
    expires = site.end_date - datetime.timedelta(days=1)
    vendor = factories.vendor(user=factories.user(), permit_expires=expires)
    assert refused(vendor, site) == [
        (
            "permit_expires",
            f"مجوز این کسب‌وکار در {format_date(expires)} به پایان می‌رسد، پیش از آخرین روز این محل "
            f"({format_date(site.end_date)}). نخست مجوز را در سامانهٔ مشاغل خانگی تمدید کنید، سپس درخواست دهید.",
        )
    ]
    assert Application.objects.count() == 0


def test_apply_group_not_admitted_is_refused(db):
    site = open_site()
    vendor = factories.vendor(user=factories.user())
    other = CategoryGroup.objects.exclude(pk=vendor.category.group_id).order_by("pk").first()
    site.eligible_groups.set([other])
    assert refused(vendor, site) == [
        (
            "group_not_admitted",
            f"این محل فقط این گروه‌ها را می‌پذیرد: {other.name_fa}. "
            f"این کسب‌وکار در گروه «{vendor.category.group.name_fa}» است.",
        )
    ]
    assert Application.objects.count() == 0


def test_apply_group_admitted_is_accepted(db):
    site = open_site()
    vendor = factories.vendor(user=factories.user())
    site.eligible_groups.set([vendor.category.group])
    assert len(applying.apply([vendor], site, ApplicationData(days=days(site)), vendor.user)) == 1


def test_apply_county_not_admitted_is_refused(db):
    site = open_site()
    vendor = factories.vendor(user=factories.user(), county=factories.county("khorramabad"))
    site.eligible_counties.set([factories.county("borujerd")])
    assert refused(vendor, site) == [
        (
            "county_not_admitted",
            f"این محل فقط از کسب‌وکارهای این شهرستان‌ها درخواست می‌پذیرد: {factories.county('borujerd').name_fa}. "
            f"این کسب‌وکار در {vendor.county.name_fa} ثبت شده است.",
        )
    ]
    assert Application.objects.count() == 0


def test_apply_window_closed_is_refused(db):
    now = timezone.now()
    site = open_site(
        applications_open=now - datetime.timedelta(days=9),
        applications_close=now - datetime.timedelta(hours=1),
    )
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site) == [
        (
            "closed",
            f"مهلت ثبت درخواست برای این محل در {format_datetime(site.applications_close)} به پایان رسیده است.",
        )
    ]
    assert Application.objects.count() == 0


def test_apply_window_not_yet_open_is_refused(db):
    now = timezone.now()
    site = open_site(
        applications_open=now + datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=3),
    )
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site) == [
        (
            "not_yet_open",
            f"ثبت درخواست برای این محل از {format_datetime(site.applications_open)} آغاز می‌شود. "
            "لطفاً از آن زمان اقدام کنید.",
        )
    ]
    assert Application.objects.count() == 0


def test_apply_without_window_is_refused(db):
    site = open_site(applications_open=None, applications_close=None)
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site) == [
        ("no_window", "برگزارکنندگان هنوز زمان ثبت درخواست برای این محل را اعلام نکرده‌اند.")
    ]


def test_apply_draft_exhibition_is_refused(db):
    site = open_site(exhibition_obj=factories.exhibition(status=Exhibition.Status.DRAFT))
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site) == [
        ("not_published", "این نمایشگاه هنوز منتشر نشده است و درخواست نمی‌پذیرد.")
    ]
    assert Application.objects.count() == 0


def test_apply_cancelled_site_is_refused(db):
    site = open_site(status=Site.Status.CANCELLED)
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site) == [("site_cancelled", "این محل لغو شده است و درخواست نمی‌پذیرد.")]


def test_apply_second_application_is_refused_and_first_kept(db):
    site = open_site()
    vendor = factories.vendor(user=factories.user())
    first = factories.application(site, vendor)
    assert refused(vendor, site) == [
        (
            "already_applied",
            "این کسب‌وکار پیش‌تر برای این محل درخواست داده است. "
            "آن درخواست را می‌توانید در «صفحهٔ من» ببینید، ویرایش کنید یا پس بگیرید.",
        )
    ]
    assert list(Application.objects.values_list("pk", flat=True)) == [first.pk]


def test_apply_closed_day_is_refused(db):
    site = open_site()
    closed = site.start_date + datetime.timedelta(days=1)
    DayException.objects.create(site=site, date=closed, closed=True, reason_fa="تعطیل رسمی")
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site, days=[site.start_date.isoformat(), closed.isoformat()]) == [
        ("closed_day", "فقط روزهایی را انتخاب کنید که این محل باز است.")
    ]
    assert Application.objects.count() == 0


def test_apply_more_helpers_than_allowed_is_refused(db):
    site = open_site(helpers_per_booth=1)
    vendor = factories.vendor(user=factories.user())
    assert refused(vendor, site, helpers=2) == [
        ("too_many_helpers", "این محل برای هر غرفه حداکثر ۱ همکار می‌پذیرد.")
    ]


def test_apply_company_group_creates_one_application_per_member_with_company(db):
    site = open_site()
    manager = factories.user()
    company = factories.support_company()
    company.managers.add(manager)
    members = [factories.vendor(support_company=company, permit_type="piece_rate") for _ in range(3)]
    made = applying.apply(members, site, ApplicationData(days=days(site, 2)), manager, company=company)
    assert len(made) == 3
    assert sorted(Application.objects.values_list("vendor", "company", "applied_by")) == sorted(
        (m.pk, company.pk, manager.pk) for m in members
    )


def test_apply_company_group_with_one_ineligible_member_saves_nothing(db):
    site = open_site()
    company = factories.support_company()
    ok = factories.vendor(support_company=company, permit_type="piece_rate")
    expiring = factories.vendor(
        support_company=company, permit_type="piece_rate", permit_expires=site.start_date
    )
    with pytest.raises(ApplicationRefused) as info:
        applying.apply(
            [ok, expiring], site, ApplicationData(days=days(site)), factories.user(), company=company
        )
    assert [r.code for r in info.value.refusals] == ["permit_expires"]
    assert Application.objects.count() == 0


def test_open_calls_lists_only_eligible_unapplied_open_sites(db):
    vendor = factories.vendor(user=factories.user())
    good = open_site(title_fa="باز")
    applied = open_site(title_fa="درخواست‌داده")
    factories.application(applied, vendor)
    open_site(exhibition_obj=factories.exhibition(status=Exhibition.Status.DRAFT))
    now = timezone.now()
    open_site(
        applications_open=now + datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=2),
    )
    other_group = CategoryGroup.objects.exclude(pk=vendor.category.group_id).first()
    open_site().eligible_groups.set([other_group])
    admitted = open_site(title_fa="گروه پذیرفته")
    admitted.eligible_groups.set([other_group, vendor.category.group])
    open_site().eligible_counties.set([factories.county("borujerd")])
    open_site(end_date=vendor.permit_expires + datetime.timedelta(days=1), start_date=vendor.permit_expires)
    assert [s.pk for s in applying.open_calls(vendor)] == [good.pk, admitted.pk]


def test_update_within_window_changes_days(db):
    site = open_site()
    vendor = factories.vendor(user=factories.user())
    [application] = applying.apply([vendor], site, ApplicationData(days=days(site)), vendor.user)
    applying.update(application, ApplicationData(days=days(site, 3), needs_table=True))
    application.refresh_from_db()
    assert (application.days, application.needs_table) == (days(site, 3), True)


def test_update_after_window_closed_is_refused(db):
    site = open_site()
    vendor = factories.vendor(user=factories.user())
    application = factories.application(site, vendor)
    with pytest.raises(ApplicationRefused) as info:
        applying.update(application, ApplicationData(days=days(site, 2)), now=site.applications_close)
    assert [r.code for r in info.value.refusals] == ["closed"]


def test_withdraw_records_change_and_texts_vendor(db, settings):

    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    settings.SITE_URL = "https://bazaarche.example.ir"
    sms.outbox.clear()
    site = open_site(title_fa="بازارچه نوروزی")
    vendor = factories.vendor(user=factories.user())
    application = factories.application(site, vendor)
    applying.withdraw(application, vendor.user)
    assert list(ApplicationChange.objects.values_list("old_status", "new_status", "by")) == [
        ("submitted", "withdrawn", vendor.user.pk)
    ]
    assert sms.outbox == [
        (
            vendor.mobile,
            "بازارچه: درخواست شما برای «بازارچه نوروزی» پس گرفته شد."
            f"\nhttps://bazaarche.example.ir/me/applications/{application.pk}/",
        )
    ]
    with pytest.raises(ApplicationRefused):
        applying.withdraw(application, vendor.user)


def booth_days(offer: Offer) -> list[tuple[int, str]]:
    return sorted((offer.booth_id, d) for d in offer.days)


def assigned(application: Application) -> list[tuple[int, str]]:
    return sorted(
        (booth, date.isoformat())
        for booth, date in Assignment.objects.filter(application=application).values_list("booth_id", "date")
    )


def test_withdraw_with_a_confirmed_booth_frees_it_revokes_the_passes_and_offers_it_to_the_next(
    db, outbox, django_capture_on_commit_callbacks
):
    site, [offer], [next_in_line] = booths_held()
    holder = offer.application
    passes = list(Pass.objects.filter(application=holder))
    gate = create_gate_token(site, "دروازه اصلی")[0]
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        released = applying.withdraw(holder, holder.vendor.user)
    assert released == [offer]
    offer.refresh_from_db()
    assert (offer.status, assigned(holder)) == (Offer.Status.DECLINED, [])
    scans = [check_in(gate, p.code, site.slug).result for p in passes]
    assert scans == [Admission.Result.REVOKED] * len(passes)
    promoted = Offer.objects.get(application=next_in_line)
    assert promoted.status == Offer.Status.PENDING
    assert assigned(next_in_line) == booth_days(offer)
    assert sorted(mobile for mobile, _text in outbox) == sorted(
        [holder.vendor.mobile, next_in_line.vendor.mobile]
    )
    assert Application.objects.get(pk=holder.pk).status == Application.Status.WITHDRAWN


def test_withdraw_with_a_pending_offer_frees_the_booth_for_the_next_in_line(db, outbox):
    _site, [offer], [next_in_line] = booths_held(confirmed=False)
    holder = offer.application
    assert applying.withdraw(holder, holder.vendor.user) == [offer]
    offer.refresh_from_db()
    assert (offer.status, assigned(holder)) == (Offer.Status.DECLINED, [])
    assert offer.responded_at is not None
    assert Offer.objects.get(application=next_in_line).status == Offer.Status.PENDING
    assert assigned(next_in_line) == booth_days(offer)


def test_withdraw_without_an_offer_leaves_every_booth_as_it_was(db, outbox):
    _site, [offer], [waiting] = booths_held()
    before = list(Assignment.objects.order_by("pk").values_list("pk", "booth_id", "date", "offer_id"))
    assert applying.withdraw(waiting, waiting.vendor.user) == []
    assert list(Assignment.objects.order_by("pk").values_list("pk", "booth_id", "date", "offer_id")) == before
    assert list(Offer.objects.values_list("pk", "status")) == [(offer.pk, Offer.Status.CONFIRMED)]
    assert Pass.objects.filter(revoked_at__isnull=False).count() == 0
    assert [mobile for mobile, _text in outbox] == [waiting.vendor.mobile]
