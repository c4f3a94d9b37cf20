"""Status changes by organisers: one transaction, a history row and a text message per application."""

import logging

import pytest

from booths.allocation.waitlist import waitlist
from booths.applications.review import ReviewError, ReviewFilters, change_status, review_list, status_counts
from booths.gate.checkin import check_in, create_gate_token
from booths.models import Admission, Application, ApplicationChange, Assignment, Offer, Pass
from tests import factories
from tests.booths.allocation.helpers import booths_held
from vendors import sms


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    settings.SITE_URL = "https://bazaarche.example.ir"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def page(application: Application) -> str:
    """The short link a status SMS ends with: the application's own page."""
    return f"https://bazaarche.example.ir/me/applications/{application.pk}/"


def test_status_sms_reads_digits_in_persian_and_links_to_the_application(db, outbox):
    site = factories.site(title_fa="بازارچه یلدا 1405")
    application = factories.application(site)
    change_status([application], "waitlisted", "ظرفیت 20 غرفه پر است", factories.county_organiser())
    assert outbox == [
        (
            application.vendor.mobile,
            "بازارچه: درخواست شما برای «بازارچه یلدا ۱۴۰۵» در فهرست انتظار قرار گرفت. دلیل: ظرفیت ۲۰ غرفه پر است"
            f"\nhttps://bazaarche.example.ir/me/applications/{application.pk}/",
        )
    ]


class BrokenGateway:
    def send(self, mobile: str, text: str) -> None:
        raise sms.SmsError("gateway down")


def test_change_status_bulk_accept_records_changes_and_texts_each_vendor(db, outbox):
    organiser = factories.county_organiser()
    site = factories.site(title_fa="بازارچه یلدا")
    applications = [factories.application(site) for _ in range(3)]
    assert change_status(applications, "accepted", "", organiser).changed == 3
    assert sorted(Application.objects.values_list("status", flat=True)) == ["accepted"] * 3
    assert sorted(ApplicationChange.objects.values_list("application", "old_status", "new_status", "by")) == [
        (a.pk, "submitted", "accepted", organiser.pk) for a in applications
    ]
    assert sorted(outbox) == sorted(
        (a.vendor.mobile, f"بازارچه: درخواست شما برای «بازارچه یلدا» پذیرفته شد.\n{page(a)}")
        for a in applications
    )


@pytest.mark.parametrize(
    "status,text",
    [
        (
            "waitlisted",
            "بازارچه: درخواست شما برای «بازارچه یلدا» در فهرست انتظار قرار گرفت. دلیل: ظرفیت تکمیل است",
        ),
        ("rejected", "بازارچه: درخواست شما برای «بازارچه یلدا» پذیرفته نشد. دلیل: ظرفیت تکمیل است"),
    ],
)
def test_change_status_waitlist_and_reject_keep_the_reason(db, outbox, status, text):
    organiser = factories.county_organiser()
    site = factories.site(title_fa="بازارچه یلدا")
    first, second = factories.application(site), factories.application(site)
    assert change_status([first, second], status, "ظرفیت تکمیل است", organiser).changed == 2
    assert (
        list(ApplicationChange.objects.values_list("new_status", "reason"))
        == [(status, "ظرفیت تکمیل است")] * 2
    )
    assert sorted(outbox) == sorted(
        [(first.vendor.mobile, f"{text}\n{page(first)}"), (second.vendor.mobile, f"{text}\n{page(second)}")]
    )


@pytest.mark.parametrize("status", ["waitlisted", "rejected"])
def test_change_status_without_reason_is_refused_and_changes_nothing(db, outbox, status):
    application = factories.application(factories.site())
    with pytest.raises(ReviewError) as info:
        change_status([application], status, "  ", factories.county_organiser())
    assert (
        info.value.message
        == "دلیل را بنویسید؛ وقتی درخواستی به فهرست انتظار می‌رود یا رد می‌شود، متقاضی آن را می‌بیند."
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    assert ApplicationChange.objects.count() == 0
    assert outbox == []


def test_change_status_skips_withdrawn_and_unchanged(db, outbox):
    site = factories.site()
    withdrawn = factories.application(site, status="withdrawn")
    accepted = factories.application(site, status="accepted")
    waiting = factories.application(site)
    changes = change_status([withdrawn, accepted, waiting], "accepted", "", factories.county_organiser())
    assert changes.changed == 1
    assert list(ApplicationChange.objects.values_list("application", flat=True)) == [waiting.pk]


def test_change_status_refreshes_priority(db, outbox):
    vendor = factories.vendor(disability=True)
    factories.application(factories.site(), vendor, status="rejected")
    application = factories.application(factories.site(), vendor, priority=0, priority_reasons=[])
    change_status([application], "accepted", "", factories.county_organiser())
    application.refresh_from_db()
    assert (application.priority, application.priority_reasons) == (
        3,
        ["disability", "first_time", "not_placed_before"],
    )


def test_change_status_gateway_failure_keeps_the_change_and_logs(db, settings, caplog):
    settings.SMS_BACKEND = "tests.booths.applications.test_review.BrokenGateway"
    application = factories.application(factories.site())
    with caplog.at_level(logging.ERROR, logger="vendors.notices"):
        assert change_status([application], "accepted", "", factories.county_organiser()).changed == 1
    application.refresh_from_db()
    assert application.status == "accepted"
    assert ApplicationChange.objects.count() == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"SMS about application {application.pk} (change {ApplicationChange.objects.get().pk}) could not be sent"
    ]


def test_change_status_refuses_withdrawn_as_a_review_status(db):
    with pytest.raises(ReviewError) as info:
        change_status(
            [factories.application(factories.site())], "withdrawn", "", factories.county_organiser()
        )
    assert info.value.code == "bad_status"


def test_review_list_filters_and_counts(db):
    site = factories.site()
    borujerd = factories.vendor(county=factories.county("borujerd"), female_head_of_household=True)
    a = factories.application(site, borujerd, needs_power=True, priority=2)
    b = factories.application(site, status="accepted", needs_water=True, priority=1)
    factories.application(factories.site(), borujerd)  # another site
    assert [x.pk for x in review_list(site, ReviewFilters())] == [a.pk, b.pk]
    assert [x.pk for x in review_list(site, ReviewFilters(status="accepted"))] == [b.pk]
    assert [x.pk for x in review_list(site, ReviewFilters(county=borujerd.county_id))] == [a.pk]
    assert [x.pk for x in review_list(site, ReviewFilters(need="water"))] == [b.pk]
    assert [x.pk for x in review_list(site, ReviewFilters(priority=2))] == [a.pk]
    assert [x.pk for x in review_list(site, ReviewFilters(group=borujerd.category.group_id))] == [a.pk, b.pk]
    assert status_counts(site) == {
        "all": 2,
        "submitted": 1,
        "accepted": 1,
        "waitlisted": 0,
        "rejected": 0,
        "withdrawn": 0,
    }


@pytest.mark.postgres
def test_change_status_parallel_organisers_record_one_change(reference_data, settings):
    import threading

    from django.db import connection

    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    application = factories.application(factories.site())
    organisers = [factories.county_organiser() for _ in range(8)]
    barrier = threading.Barrier(len(organisers))
    changed = []

    def accept(organiser):
        try:
            barrier.wait()
            changed.append(change_status([application], "accepted", "", organiser).changed)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(o,)) for o in organisers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(changed) == [0] * 7 + [1]
    assert ApplicationChange.objects.filter(application=application).count() == 1


def test_change_status_emails_the_vendor_when_their_account_has_an_address(db, outbox, mailoutbox):
    site = factories.site(title_fa="بازارچه یلدا")
    with_email = factories.application(site, factories.vendor(user=factories.user(email="zahra@example.ir")))
    without = factories.application(site, factories.vendor(user=factories.user()))
    assert change_status([with_email, without], "accepted", "", factories.county_organiser()).changed == 2
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [
        (
            ["zahra@example.ir"],
            "بازارچه: وضعیت درخواست شما تغییر کرد",
            f"بازارچه: درخواست شما برای «بازارچه یلدا» پذیرفته شد.\n{page(with_email)}",
        )
    ]
    assert len(outbox) == 2


def assigned(application: Application) -> list[tuple[int, str]]:
    return sorted(
        (booth, date.isoformat())
        for booth, date in Assignment.objects.filter(application=application).values_list("booth_id", "date")
    )


def booth_days(offer: Offer) -> list[tuple[int, str]]:
    return sorted((offer.booth_id, d) for d in offer.days)


def scans(site, passes) -> list[str]:
    gate = create_gate_token(site, "دروازه اصلی")[0]
    return [check_in(gate, p.code, site.slug).result for p in passes]


@pytest.mark.parametrize("status", ["rejected", "waitlisted"])
def test_change_status_away_from_accepted_releases_a_confirmed_booth_to_the_next_in_line(
    db, outbox, django_capture_on_commit_callbacks, status
):
    site, [offer], [next_in_line] = booths_held()
    holder = offer.application
    passes = list(Pass.objects.filter(application=holder))
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changes = change_status([holder], status, "پروانه باطل شده است", factories.county_organiser())
    promoted = Offer.objects.get(application=next_in_line)
    assert (changes.changed, changes.released, changes.offered) == (1, [offer], [promoted])
    offer.refresh_from_db()
    assert (offer.status, assigned(holder)) == (Offer.Status.WITHDRAWN, [])
    assert scans(site, passes) == [Admission.Result.REVOKED] * len(passes)
    assert promoted.status == Offer.Status.PENDING
    assert assigned(next_in_line) == booth_days(offer)
    assert sorted(mobile for mobile, _text in outbox) == sorted(
        [holder.vendor.mobile, next_in_line.vendor.mobile]
    )


def test_change_status_bulk_rejection_releases_every_booth_held(db, outbox):
    site, offers, waiting = booths_held(booths=2)
    holders = [o.application for o in offers]
    passes = list(Pass.objects.filter(application__in=holders))
    changes = change_status(holders, "rejected", "پروانه باطل شده است", factories.county_organiser())
    assert (changes.changed, changes.released) == (2, offers)
    assert [Offer.objects.get(pk=o.pk).status for o in offers] == [Offer.Status.WITHDRAWN] * 2
    assert [assigned(h) for h in holders] == [[], []]
    assert scans(site, passes) == [Admission.Result.REVOKED] * len(passes)
    assert sorted(o.application_id for o in changes.offered) == sorted(w.pk for w in waiting)
    assert sorted(assigned(w)[0][0] for w in waiting) == sorted(o.booth_id for o in offers)
    assert Offer.objects.filter(status=Offer.Status.PENDING).count() == 2


def test_change_status_rejection_releases_a_pending_offer(db, outbox):
    _site, [offer], [next_in_line] = booths_held(confirmed=False)
    changes = change_status([offer.application], "rejected", "رسته تکراری", factories.county_organiser())
    offer.refresh_from_db()
    assert (offer.status, offer.responded_at) == (Offer.Status.WITHDRAWN, None)  # the vendor never answered
    assert assigned(offer.application) == []
    assert [o.application_id for o in changes.offered] == [next_in_line.pk]
    assert assigned(next_in_line) == booth_days(offer)


def test_change_status_of_an_application_without_an_offer_leaves_every_booth_as_it_was(db, outbox):
    _site, [offer], [waiting] = booths_held()
    before = list(Assignment.objects.order_by("pk").values_list("pk", "booth_id", "date", "offer_id"))
    changes = change_status([waiting], "rejected", "رسته تکراری", factories.county_organiser())
    assert (changes.changed, changes.released, changes.offered) == (1, [], [])
    assert list(Assignment.objects.order_by("pk").values_list("pk", "booth_id", "date", "offer_id")) == before
    assert list(Offer.objects.values_list("pk", "status")) == [(offer.pk, Offer.Status.CONFIRMED)]
    assert Pass.objects.filter(revoked_at__isnull=False).count() == 0


def test_an_application_released_by_the_organiser_and_accepted_again_waits_in_line(db, outbox):
    site, [offer], [first] = booths_held()
    organiser = factories.county_organiser()
    change_status([offer.application], "waitlisted", "ظرفیت تکمیل است", organiser)
    change_status([offer.application], "accepted", "", organiser)
    assert [a.pk for a in waitlist(site)] == [offer.application_id]
    assert Offer.objects.get(application=first).status == Offer.Status.PENDING


def test_review_list_marks_the_applications_that_hold_a_booth(db):
    site, [offer], [waiting] = booths_held()
    marks = {a.pk: a.booth_offer for a in review_list(site, ReviewFilters())}
    assert marks == {offer.application_id: Offer.Status.CONFIRMED, waiting.pk: None}
