"""The organiser's allocation page, its edits and publishing, the vendor's offer, the public lottery."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from booths.allocation import adapter
from booths.allocation.engine import allocate
from booths.allocation.instance import parse_instance
from booths.models import AllocationRun, Application, Assignment, Offer
from booths.offers import publish
from tests import factories
from tests.booths.allocation_helpers import small_site

URL = "/organiser/sites/{}/allocation/"


@pytest.fixture
def organiser(db):
    return factories.county_organiser("khorramabad")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_page(client, site, seed="7"):
    return client.post(URL.format(site.slug) + "run/", {"seed": seed})


def booth_of(application):
    row = Assignment.objects.filter(application=application).select_related("booth__hall").first()
    return row.booth if row else None


def test_allocation_page_only_for_organisers_in_scope(db, organiser):
    site, *_ = small_site()
    assert signed_in(organiser).get(URL.format(site.slug)).status_code == 200
    outsider = factories.county_organiser("borujerd")
    assert signed_in(outsider).get(URL.format(site.slug)).status_code == 404
    vendor_user = factories.user()
    assert signed_in(vendor_user).get(URL.format(site.slug)).status_code == 404
    assert Client().get(URL.format(site.slug)).status_code == 302
    assert signed_in(outsider).post(URL.format(site.slug) + "run/", {"seed": "1"}).status_code == 404
    assert AllocationRun.objects.count() == 0


def test_run_allocates_at_once_and_shows_the_plan(db, organiser):
    site, _hall, _booths, apps = small_site(booths=2, applications=3)
    client = signed_in(organiser)
    response = run_page(client, site)
    assert response.status_code == 302
    run = AllocationRun.objects.get()
    assert (run.status, run.seed, run.summary["placed"], run.summary["unplaced"]) == ("done", 7, 2, 1)
    assert sorted(run.lottery) == sorted(f"app-{a.pk}" for a in apps)
    assert Assignment.objects.filter(application__site=site).count() == 6
    page = client.get(URL.format(site.slug))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="plan-booth') == 2
    assert "بدون غرفه (۱)" in html


def test_run_with_a_bad_seed_is_refused(db, organiser):
    site, *_ = small_site()
    response = run_page(signed_in(organiser), site, seed="12ab")
    assert response.status_code == 302
    assert AllocationRun.objects.count() == 0


def test_large_site_runs_in_the_background_with_progress(
    db, organiser, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(adapter, "BACKGROUND_ABOVE", 1)
    site, *_ = small_site(booths=2, applications=3)
    client = signed_in(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        run_page(client, site)
    run = AllocationRun.objects.get()
    assert run.status == AllocationRun.Status.QUEUED
    page = client.get(URL.format(site.slug)).content.decode()
    assert 'hx-trigger="every 1s"' in page
    progress = client.get(URL.format(site.slug) + "progress/", headers={"HX-Request": "true"})
    assert progress.status_code == 200
    assert 'id="alloc-progress"' in progress.content.decode()
    adapter.execute_run(run.pk)
    adapter.execute_run(run.pk)  # a task delivered twice does the work once
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.DONE
    done = client.get(URL.format(site.slug) + "progress/", headers={"HX-Request": "true"})
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")


def test_booth_panel_by_htmx_shows_vendor_days_and_reason(db, organiser):
    site, _hall, booths, apps = small_site(booths=1, applications=1)
    client = signed_in(organiser)
    run_page(client, site)
    response = client.get(URL.format(site.slug), {"booth": booths[0].pk}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel alloc-detail" id="booth-detail"')
    assert apps[0].vendor.business_name in html
    assert "قرعه" in html  # the engine's reason: priority and lottery rank


def edit(client, site, **data):
    return client.post(URL.format(site.slug) + "edit/", data)


def test_move_to_a_free_booth_pins_it_there(db, organiser):
    site, _hall, booths, apps = small_site(booths=3, applications=1)
    client = signed_in(organiser)
    run_page(client, site)
    target = next(b for b in booths if b != booth_of(apps[0]) and not b.has_water)
    response = edit(client, site, action="move", application=apps[0].pk, booth=f"A/{target.code}")
    assert response.status_code == 302
    assert booth_of(apps[0]) == target
    assert Assignment.objects.filter(application=apps[0]).count() == 3
    assert Application.objects.get(pk=apps[0].pk).pinned_booth == target


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("needs", "آب"),
        ("taken", "گرفته شده"),
        ("blocked", "مسدود"),
        ("missing", "وجود ندارد"),
        ("elsewhere", "این درخواست مربوط به این مکان نیست"),
    ],
)
def test_move_refusals_say_why_and_change_nothing(db, organiser, setup, message):
    site, hall, booths, apps = small_site(booths=2, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    mover = apps[0]
    before = sorted(Assignment.objects.values_list("application_id", "booth_id", "date"))
    own, other = booth_of(mover), next(b for b in booths if b != booth_of(mover))
    target = f"A/{other.code}"
    if setup == "needs":
        Application.objects.filter(pk=mover.pk).update(needs_water=True)
        target = f"A/{factories.booth(hall, code='A-09', col=9, row=1).code}"
    elif setup == "blocked":
        other.blocked = True
        other.save()
        Assignment.objects.filter(booth=other).delete()
        before = sorted(Assignment.objects.values_list("application_id", "booth_id", "date"))
    elif setup == "missing":
        target = "Z/404"
    moving = mover.pk
    if setup == "elsewhere":  # an application of another site, its id sent to this site's page
        moving = small_site(booths=1, applications=1)[3][0].pk
    response = edit(client, site, action="move", application=moving, booth=target)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert sorted(Assignment.objects.values_list("application_id", "booth_id", "date")) == before
    assert booth_of(mover) == own


def test_swap_exchanges_two_booths_and_pins_both(db, organiser):
    site, _hall, booths, apps = small_site(booths=3, applications=2)
    for b in booths:
        b.has_water = False
        b.save()
    client = signed_in(organiser)
    run_page(client, site)
    a, b = apps
    booth_a, booth_b = booth_of(a), booth_of(b)
    response = edit(client, site, action="swap", application=a.pk, booth=f"A/{booth_b.code}")
    assert response.status_code == 302
    assert (booth_of(a), booth_of(b)) == (booth_b, booth_a)
    assert Application.objects.get(pk=a.pk).pinned_booth == booth_b
    assert Application.objects.get(pk=b.pk).pinned_booth == booth_a


def test_pin_then_rerun_keeps_the_booth_and_unpin_releases_it(db, organiser):
    site, _hall, _booths, apps = small_site(booths=3, applications=1)
    client = signed_in(organiser)
    run_page(client, site)
    where = booth_of(apps[0])
    assert edit(client, site, action="pin", application=apps[0].pk).status_code == 302
    for seed in ("1", "2", "3"):
        run_page(client, site, seed=seed)
        assert booth_of(apps[0]) == where
    assert edit(client, site, action="unpin", application=apps[0].pk).status_code == 302
    assert Application.objects.get(pk=apps[0].pk).pinned_booth is None


def test_offered_booths_cannot_be_moved(db, organiser):
    site, _hall, booths, apps = small_site(booths=3, applications=1)
    client = signed_in(organiser)
    run_page(client, site)
    client.post(URL.format(site.slug) + "publish/")
    free = next(b for b in booths if b != booth_of(apps[0]))
    response = edit(client, site, action="move", application=apps[0].pk, booth=f"A/{free.code}")
    assert response.status_code == 400
    assert "پیشنهاد" in response.content.decode()


def test_publish_from_the_page_makes_offers(db, organiser):
    site, _hall, _booths, _apps = small_site(booths=2, applications=3)
    client = signed_in(organiser)
    run_page(client, site)
    response = client.post(URL.format(site.slug) + "publish/")
    assert response.status_code == 302
    assert Offer.objects.filter(status="pending").count() == 2
    assert AllocationRun.objects.get().published_at is not None


@pytest.mark.parametrize("n", [1, 30])
def test_allocation_page_query_count_is_constant(db, organiser, django_assert_num_queries, n):
    site, _hall, booths, _apps = small_site(booths=n, applications=n + 2)
    client = signed_in(organiser)
    run_page(client, site)
    publish(AllocationRun.objects.get(), None)
    first = booths[0].pk
    with django_assert_num_queries(14):
        response = client.get(URL.format(site.slug), {"booth": first})
    assert response.status_code == 200


def test_vendor_sees_the_offer_and_confirms_it(db, organiser):
    site, _hall, _booths, apps = small_site(booths=1, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    offer = publish(AllocationRun.objects.get(), None)[0]
    vendor_client = signed_in(offer.application.vendor.user)
    html = vendor_client.get("/me/").content.decode()
    assert "غرفه‌ای به شما پیشنهاد شده است" in html
    assert f"/me/offers/{offer.pk}/confirm/" in html
    response = vendor_client.post(f"/me/offers/{offer.pk}/confirm/")
    assert response.status_code == 302
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.CONFIRMED
    waiting = next(a for a in apps if a.pk != offer.application_id)
    waiting_html = signed_in(waiting.vendor.user).get("/me/").content.decode()
    assert "نفر بعدی" in waiting_html


def test_someone_else_cannot_answer_an_offer(db, organiser):
    site, _hall, _booths, apps = small_site(booths=1, applications=2)
    run_page(signed_in(organiser), site)
    offer = publish(AllocationRun.objects.get(), None)[0]
    stranger = next(a for a in apps if a.pk != offer.application_id).vendor.user
    assert signed_in(stranger).post(f"/me/offers/{offer.pk}/confirm/").status_code == 404
    assert signed_in(stranger).post(f"/me/offers/{offer.pk}/decline/", {"sure": "yes"}).status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.PENDING


def test_decline_needs_the_tick_then_passes_the_booth_on(db, organiser):
    site, _hall, _booths, apps = small_site(booths=1, applications=2)
    run_page(signed_in(organiser), site)
    offer = publish(AllocationRun.objects.get(), None)[0]
    client = signed_in(offer.application.vendor.user)
    client.post(f"/me/offers/{offer.pk}/decline/")
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.PENDING
    client.post(f"/me/offers/{offer.pk}/decline/", {"sure": "yes"})
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.DECLINED
    other = next(a for a in apps if a.pk != offer.application_id)
    assert Offer.objects.get(application=other).status == Offer.Status.PENDING


def test_public_lottery_page_and_input_rerun_to_the_same_result(db, organiser):
    site, _hall, _booths, _apps = small_site(booths=2, applications=4)
    client = signed_in(organiser)
    run_page(client, site, seed="424242")
    assert Client().get(f"/sites/{site.slug}/lottery/").status_code == 404
    run = AllocationRun.objects.get()
    publish(run, None)
    page = Client().get(f"/sites/{site.slug}/lottery/")
    assert page.status_code == 200
    assert "۴۲۴۲۴۲" in page.content.decode()
    site_page = Client().get(f"/sites/{site.slug}/").content.decode()
    assert f"/sites/{site.slug}/lottery/" in site_page
    data = json.loads(Client().get(f"/sites/{site.slug}/lottery/instance.json").content)
    assert all(a["vendor"] == "" for a in data["applications"])
    result = allocate(parse_instance(data))
    assert {p.application: p.booth for p in result.assignments} == {
        app_id: p["booth"] for app_id, p in run.placements.items()
    }


def test_a_second_run_waits_for_the_first_unless_it_stalled(db, organiser):
    site, *_ = small_site()
    client = signed_in(organiser)
    stuck = AllocationRun.objects.create(site=site, seed=1, status=AllocationRun.Status.RUNNING)
    run_page(client, site)
    assert AllocationRun.objects.count() == 1
    AllocationRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    run_page(client, site)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == (AllocationRun.Status.FAILED, "stalled")
    assert AllocationRun.objects.latest("created_at").status == AllocationRun.Status.DONE


def test_unplaced_list_shows_the_first_fifty_in_line_unless_asked_for_all(db, organiser):
    site, _hall, _booths, _apps = small_site(booths=1, applications=53)
    client = signed_in(organiser)
    run_page(client, site)
    html = client.get(URL.format(site.slug)).content.decode()
    assert html.count('id="unplaced-') == 50
    assert "بدون غرفه (۵۲)" in html
    assert "?unplaced=all" in html
    assert (
        client.get(URL.format(site.slug), {"unplaced": "all"}).content.decode().count('id="unplaced-') == 52
    )


def test_an_engine_failure_is_reported_and_changes_nothing(db, organiser, monkeypatch):
    site, *_ = small_site(booths=2, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    before = sorted(Assignment.objects.values_list("application_id", "booth_id", "date"))

    def broken(instance):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(adapter, "allocate", broken)
    response = run_page(client, site, seed="8")
    assert response.status_code == 302
    failed = AllocationRun.objects.latest("created_at")
    assert (failed.status, failed.error) == (AllocationRun.Status.FAILED, "crashed")
    assert sorted(Assignment.objects.values_list("application_id", "booth_id", "date")) == before
    assert "ناموفق" in client.get(URL.format(site.slug)).content.decode()
