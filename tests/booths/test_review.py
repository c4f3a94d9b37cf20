"""Status changes by organisers: one transaction, a history row and a text message per application."""

import logging

import pytest

from booths.models import Application, ApplicationChange
from booths.review import ReviewError, ReviewFilters, change_status, review_list, status_counts
from tests import factories
from vendors import sms


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


class BrokenGateway:
    def send(self, mobile: str, text: str) -> None:
        raise sms.SmsError("gateway down")


def test_change_status_bulk_accept_records_changes_and_texts_each_vendor(db, outbox):
    organiser = factories.county_organiser()
    site = factories.site(title_fa="بازارچه یلدا")
    applications = [factories.application(site) for _ in range(3)]
    assert change_status(applications, "accepted", "", organiser) == 3
    assert sorted(Application.objects.values_list("status", flat=True)) == ["accepted"] * 3
    assert sorted(ApplicationChange.objects.values_list("application", "old_status", "new_status", "by")) == [
        (a.pk, "submitted", "accepted", organiser.pk) for a in applications
    ]
    assert sorted(outbox) == sorted(
        (a.vendor.mobile, "بازارچه: درخواست شما برای «بازارچه یلدا» پذیرفته شد.") for a in applications
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
    assert change_status([first, second], status, "ظرفیت تکمیل است", organiser) == 2
    assert (
        list(ApplicationChange.objects.values_list("new_status", "reason"))
        == [(status, "ظرفیت تکمیل است")] * 2
    )
    assert sorted(outbox) == sorted([(first.vendor.mobile, text), (second.vendor.mobile, text)])


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
    assert change_status([withdrawn, accepted, waiting], "accepted", "", factories.county_organiser()) == 1
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
    settings.SMS_BACKEND = "tests.booths.test_review.BrokenGateway"
    application = factories.application(factories.site())
    with caplog.at_level(logging.ERROR, logger="booths.review"):
        assert change_status([application], "accepted", "", factories.county_organiser()) == 1
    application.refresh_from_db()
    assert application.status == "accepted"
    assert ApplicationChange.objects.count() == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"Status SMS for application {application.pk} (change {ApplicationChange.objects.get().pk}) could not be sent"
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
            changed.append(change_status([application], "accepted", "", organiser))
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
    assert change_status([with_email, without], "accepted", "", factories.county_organiser()) == 2
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [
        (
            ["zahra@example.ir"],
            "بازارچه: وضعیت درخواست شما تغییر کرد",
            "بازارچه: درخواست شما برای «بازارچه یلدا» پذیرفته شد.",
        )
    ]
    assert len(outbox) == 2
