"""Publishing offers, confirming, declining, expiring and promotion from the waiting list."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from booths.allocation.adapter import start_run
from booths.allocation.offers import OfferError, confirm, decline, expire_offers, publish
from booths.allocation.tasks import expire_site_offers, notify_offers_task
from booths.allocation.waitlist import standings, waitlist
from booths.applications.review import change_status
from booths.models import AllocationRun, Application, Assignment, Offer, Pass
from tests import factories
from tests.booths.allocation.helpers import booths_held, small_site


def allocated(booths=2, applications=3, seed=7, **fields):
    site, _hall, made, apps = small_site(booths=booths, applications=applications, **fields)
    run = start_run(site, seed, None)
    assert run.status == AllocationRun.Status.DONE
    return site, made, apps, run


def offered(application) -> Offer | None:
    return Offer.objects.filter(application=application, status__in=["pending", "confirmed"]).first()


def test_publish_offers_every_placed_application_and_texts_them(
    db, outbox, django_capture_on_commit_callbacks
):
    site, booths, _apps, run = allocated(booths=2, applications=3, confirm_days=4)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        offers = publish(run, None, now=now)
    assert len(offers) == 2
    assert {o.booth_id for o in offers} == {b.pk for b in booths}
    assert all(o.expires_at == now + datetime.timedelta(days=4) for o in offers)
    assert all(o.status == Offer.Status.PENDING for o in offers)
    assert Assignment.objects.filter(application__site=site, offer__isnull=True).count() == 0
    assert Assignment.objects.filter(application__site=site).count() == 6
    assert sorted(m for m, _text in outbox) == sorted(o.application.vendor.mobile for o in offers)
    assert all("غرفه" in text for _m, text in outbox)
    run.refresh_from_db()
    assert run.published_at == now
    assert offers[0].reason.count("\n") == 1  # Persian, then English


def test_publish_is_refused_for_an_older_run_and_changes_nothing(db):
    site, _booths, _apps, first = allocated()
    start_run(site, 8, None)
    with pytest.raises(OfferError) as refused:
        publish(first, None)
    assert refused.value.code == "stale"
    assert Offer.objects.count() == 0


def test_publish_twice_offers_only_what_is_new(db):
    _site, _booths, _apps, run = allocated()
    assert len(publish(run, None)) == 2
    assert publish(run, None) == []
    assert Offer.objects.count() == 2


def test_confirm_issues_passes_in_the_same_step(db):
    site, _booths, _apps, run = allocated()
    offer = publish(run, None)[0]
    offer.application.helpers = 2
    offer.application.save()
    confirm(offer.pk, None)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CONFIRMED
    assert offer.responded_at is not None
    helpers = min(2, site.helpers_per_booth)  # the site caps helpers
    assert Pass.objects.filter(application=offer.application, revoked_at__isnull=True).count() == 1 + helpers


def test_confirm_after_the_deadline_is_refused_and_nothing_changes(db):
    _site, _booths, _apps, run = allocated()
    offer = publish(run, None)[0]
    with pytest.raises(OfferError) as refused:
        confirm(offer.pk, None, now=offer.expires_at + datetime.timedelta(seconds=1))
    assert refused.value.code == "expired"
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert Pass.objects.count() == 0


def test_confirm_twice_says_it_is_already_confirmed(db):
    _site, _booths, _apps, run = allocated()
    offer = publish(run, None)[0]
    confirm(offer.pk, None)
    with pytest.raises(OfferError) as refused:
        confirm(offer.pk, None)
    assert refused.value.code == "already_confirmed"
    assert Pass.objects.count() == 1


def test_decline_frees_the_booth_and_offers_it_to_the_next_in_line_at_once(
    db, outbox, django_capture_on_commit_callbacks
):
    _site, _booths, apps, run = allocated(booths=2, applications=3)
    offers = publish(run, None)
    waiting = [a for a in apps if offered(a) is None]
    assert len(waiting) == 1
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        declined, promoted = decline(offers[0].pk, None)
    assert declined.status == Offer.Status.DECLINED
    assert [o.application_id for o in promoted] == [waiting[0].pk]
    assert promoted[0].booth_id == offers[0].booth_id
    assert Assignment.objects.filter(offer=promoted[0]).count() == 3
    assert [m for m, _text in outbox] == [waiting[0].vendor.mobile]
    gone = Application.objects.get(pk=offers[0].application_id)
    assert gone.status == Application.Status.WITHDRAWN
    assert gone.changes.last().reason == "غرفه پیشنهادی را نپذیرفت."


def test_waitlist_order_is_priority_then_lottery(db):
    site, _booths, apps, run = allocated(booths=1, applications=4, seed=11)
    publish(run, None)
    waiting = waitlist(site)
    position = {a: n for n, a in enumerate(run.lottery)}
    expected = sorted((a for a in apps if offered(a) is None), key=lambda a: position[f"app-{a.pk}"])
    assert [a.pk for a in waiting] == [a.pk for a in expected]
    # A higher priority goes first whatever its lottery rank.
    last = expected[-1]
    Application.objects.filter(pk=last.pk).update(priority=5)
    assert waitlist(site)[0].pk == last.pk


def place_of(application):
    application = Application.objects.get(pk=application.pk)
    return standings([application]).get(application.pk)


def test_standing_counts_only_those_waiting_for_overlapping_days(db):
    site, _booths, _apps, run = allocated(booths=1, applications=4, seed=3)
    publish(run, None)
    waiting = waitlist(site)
    assert [place_of(a).position for a in waiting] == [1, 2, 3]
    assert place_of(waiting[2]).waiting == 3
    # The second in line now asks for a day nobody else asks for: alone in line for it.
    other_day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    Application.objects.filter(pk=waiting[1].pk).update(days=[other_day])
    assert place_of(waiting[1]).position == 1
    assert place_of(waiting[2]).position == 2


def test_standings_of_many_applications_at_many_sites_take_three_queries(db, django_assert_num_queries):
    asking = []
    for seed in (3, 4, 5):
        site, _booths, _apps, run = allocated(booths=1, applications=4, seed=seed)
        publish(run, None)
        asking.extend(waitlist(site))
    applications = list(Application.objects.filter(pk__in=[a.pk for a in asking]).prefetch_related("offers"))
    with django_assert_num_queries(3):
        places = standings(applications)
    assert sorted(p.position for p in places.values()) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert all(p.waiting == 3 for p in places.values())
    assert all(p.reason.startswith("۱ غرفه در روزهای شما باز است") for p in places.values())


def test_placed_application_has_no_standing(db):
    _site, _booths, _apps, run = allocated(booths=1, applications=2)
    offer = publish(run, None)[0]
    assert place_of(offer.application) is None


def test_promotion_skips_those_the_freed_booth_cannot_serve(db):
    site, booths, apps, run = allocated(booths=2, applications=2)
    offers = {o.booth_id: o for o in publish(run, None)}
    dry = offers[booths[1].pk]  # the booth without water
    thirsty = factories.application(
        site,
        factories.vendor(),
        status=Application.Status.ACCEPTED,
        needs_water=True,
        days=apps[0].days,
        priority=9,
    )
    patient = factories.application(
        site, factories.vendor(), status=Application.Status.ACCEPTED, days=apps[0].days
    )
    _declined, promoted = decline(dry.pk, None)
    assert [o.application_id for o in promoted] == [patient.pk]
    assert offered(thirsty) is None


def test_expire_offers_passes_booths_on_and_is_idempotent(db):
    _site, _booths, _apps, run = allocated(booths=2, applications=3)
    offers = publish(run, None)
    later = offers[0].expires_at + datetime.timedelta(minutes=1)
    confirm(offers[1].pk, None)
    assert expire_offers(now=later) == (1, 1)
    assert expire_offers(now=later) == (0, 0)
    assert Offer.objects.get(pk=offers[0].pk).status == Offer.Status.EXPIRED
    assert Offer.objects.get(pk=offers[1].pk).status == Offer.Status.CONFIRMED
    # The application that let its offer expire is not offered again.
    assert offered(offers[0].application) is None
    assert Application.objects.get(pk=offers[0].application_id).status == Application.Status.ACCEPTED


def test_expire_offers_command_reports_and_can_run_from_cron(db):
    _site, _booths, _apps, run = allocated(booths=1, applications=2)
    offer = publish(run, None)[0]
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    out = io.StringIO()
    call_command("expire_offers", stdout=out)
    assert out.getvalue().strip() == "1 offers expired, 1 offered to the waiting list."
    out = io.StringIO()
    call_command("expire_offers", stdout=out)
    assert out.getvalue().strip() == "0 offers expired, 0 offered to the waiting list."


def test_expire_task_for_one_site_leaves_other_sites_alone(db):
    site, _booths, _apps, run = allocated(booths=1, applications=2)
    _other, _b, _a, other_run = allocated(booths=1, applications=2)
    mine, theirs = publish(run, None)[0], publish(other_run, None)[0]
    Offer.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    expire_site_offers.call(site.pk)
    assert Offer.objects.get(pk=mine.pk).status == Offer.Status.EXPIRED
    assert Offer.objects.get(pk=theirs.pk).status == Offer.Status.PENDING


def test_publish_schedules_the_expiry_with_the_database_worker(
    db, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _site, _booths, _apps, run = allocated(booths=1, applications=1)
    with django_capture_on_commit_callbacks(execute=True):
        offer = publish(run, None)[0]
    task = DBTaskResult.objects.get()
    assert task.task_path == "booths.allocation.tasks.expire_site_offers"
    assert task.run_after == offer.expires_at + datetime.timedelta(seconds=1)


def test_a_large_publication_is_texted_by_the_worker(
    db, outbox, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _site, _booths, _apps, run = allocated(booths=21, applications=21)
    with django_capture_on_commit_callbacks(execute=True):
        offers = publish(run, None)
    assert len(offers) == 21
    assert outbox == []
    task = DBTaskResult.objects.get(task_path="booths.allocation.tasks.notify_offers_task")
    assert sorted(task.args_kwargs["args"][0]) == sorted(o.pk for o in offers)
    notify_offers_task.call(task.args_kwargs["args"][0])
    assert len(outbox) == 21


def test_me_page_queries_do_not_grow_with_places_in_line(client, db):
    """A vendor waiting at one site or at three sees the same number of queries on /me/."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def waiting_at(vendor, seed):
        site, _booths, _apps, run = allocated(booths=1, applications=3, seed=seed)
        publish(run, None)
        last = waitlist(site)[-1]
        Application.objects.filter(pk=last.pk).update(vendor=vendor)

    vendor = factories.vendor(user=factories.user())
    client.force_login(vendor.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/me/").content.decode()
        assert "فهرست انتظار برای روزهای خود هستید" in html
        return len(queries)

    waiting_at(vendor, 3)
    one = count()
    waiting_at(vendor, 4)
    waiting_at(vendor, 5)
    assert count() == one


def test_confirm_after_the_organiser_rejected_the_application_is_refused(db, outbox):
    _site, [offer], [next_in_line] = booths_held(confirmed=False)
    change_status([offer.application], "rejected", "پروانه باطل شده است", factories.county_organiser())
    with pytest.raises(OfferError) as refused:
        confirm(offer.pk, None)
    assert refused.value.code == "not_pending"
    assert Pass.objects.count() == 0
    assert offered(next_in_line).booth_id == offer.booth_id


def test_decline_after_the_vendor_withdrew_is_refused(db, outbox):
    from booths.applications.applying import withdraw

    _site, [offer], [next_in_line] = booths_held(confirmed=False)
    withdraw(offer.application, offer.application.vendor.user)
    with pytest.raises(OfferError) as refused:
        decline(offer.pk, None)
    assert refused.value.code == "not_pending"
    assert Offer.objects.filter(application=next_in_line).count() == 1


@pytest.mark.parametrize(
    "second_hall,booth", [(False, "غرفه A-۰۱"), (True, "سالن اصلی، غرفه A-۰۱")], ids=["one hall", "two halls"]
)
def test_offer_and_confirmation_sms_name_the_booth_as_people_do_and_link_to_my_page(
    db, outbox, settings, django_capture_on_commit_callbacks, second_hall, booth
):
    from bazaarche.jalali import format_datetime
    from booths.allocation.notices import days_text
    from booths.models import Hall

    settings.SITE_URL = "https://bazaarche.example.ir"
    site, _booths, [application], run = allocated(booths=1, applications=1, title_fa="بازارچه 12")
    Hall.objects.filter(site=site).update(name_fa="سالن اصلی")
    if second_hall:
        factories.hall(site, code="B", name_fa="سالن دوم")
    with django_capture_on_commit_callbacks(execute=True):
        [offer] = publish(run, None)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(offer.pk, None)
    mobile = application.vendor.mobile
    days, deadline = days_text(offer.days, "fa"), format_datetime(offer.expires_at, "fa")
    assert outbox == [
        (
            mobile,
            f"بازارچه: {booth} در «بازارچه ۱۲» برای {days} به شما پیشنهاد شده است. "
            f"تا {deadline} در صفحه خود آن را تأیید یا رد کنید:\nhttps://bazaarche.example.ir/me/",
        ),
        (
            mobile,
            f"بازارچه: {booth} در «بازارچه ۱۲» برای شما تأیید شد. کارت‌های ورود در صفحه شماست:"
            "\nhttps://bazaarche.example.ir/me/",
        ),
    ]
