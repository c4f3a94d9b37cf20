"""The organiser's allocation page, its edits and publishing, the vendor's offer, the public lottery."""

import datetime
import hashlib
import io
import json
import re
import secrets

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bazaarche.text import to_persian_digits
from booths.allocation import adapter
from booths.allocation.instance import canonical_instance
from booths.allocation.offers import publish
from booths.models import AllocationRun, Application, ApplicationChange, Assignment, Booth, Offer
from tests import factories
from tests.booths.allocation.helpers import small_site
from vendors.models import Vendor

URL = "/organiser/sites/{}/allocation/"


@pytest.fixture
def organiser(db):
    return factories.county_organiser("khorramabad")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_page(client, site, **data):
    return client.post(URL.format(site.slug) + "run/", data)


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
    assert (run.status, run.summary["placed"], run.summary["unplaced"]) == ("done", 2, 1)
    assert sorted(run.lottery) == sorted(f"app-{a.pk}" for a in apps)
    assert Assignment.objects.filter(application__site=site).count() == 6
    page = client.get(URL.format(site.slug))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="plan-booth') == 2
    assert "بدون غرفه (۱)" in html


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
    assert to_persian_digits(apps[0].vendor.business_name) in html
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
    assert response.status_code == 302  # back on the plan, which says why once
    errors = re.findall(
        r'<div class="error alloc-error" role="alert">(.*?)</div>',
        client.get(response["Location"]).content.decode(),
    )
    assert len(errors) == 1
    assert message in errors[0]
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
    for _ in range(3):
        run_page(client, site)
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
    assert response.status_code == 302
    assert "پیشنهاد" in client.get(response["Location"]).content.decode()


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


LOTTERY = "/sites/{}/lottery/"
INSTANCE = "/sites/{}/lottery/instance.json"


def published_site(organiser, booths=2, applications=4):
    """A site allocated from the organiser's page and published, with private facts on its first
    application: priority 3 for a female head of household with a disability, needs water and an
    accessible booth, from another county."""
    site, _hall, _booths, apps = small_site(booths=booths, applications=applications)
    private = apps[0]
    Application.objects.filter(pk=private.pk).update(
        priority=3,
        priority_reasons=["female_head_of_household", "disability", "first_time"],
        needs_water=True,
        needs_accessible=True,
    )
    private.vendor.county = factories.county("borujerd")
    private.vendor.save(update_fields=["county"])
    run_page(signed_in(organiser), site)
    run = AllocationRun.objects.get()
    publish(run, None)
    run.refresh_from_db()
    return site, apps, run


def lottery_rows(html: str) -> list[tuple[str, str]]:
    """(rank, ticket) of each row of the public lottery order."""
    return re.findall(r'<tr class="alloc-ticket-row"><td>([^<]+)</td><td><bdi dir="ltr">([^<]+)</bdi>', html)


def test_public_lottery_shows_tickets_seed_and_commitment_and_no_private_fact(db, organiser):
    site, apps, run = published_site(organiser)
    html = Client().get(LOTTERY.format(site.slug)).content.decode()
    assert lottery_rows(html) == [
        (to_persian_digits(str(n)), run.tickets[app_id]) for n, app_id in enumerate(run.lottery, start=1)
    ]
    assert sorted(run.tickets) == sorted(f"app-{a.pk}" for a in apps)
    assert len(set(run.tickets.values())) == 4
    assert all(re.fullmatch(r"[2-9A-Z]{3}-[2-9A-Z]{3}", t) for t in run.tickets.values())
    assert to_persian_digits(str(run.seed)) in html
    assert run.commitment in html
    private = [a.vendor.business_name for a in apps] + [a.vendor.full_name for a in apps]
    private += [a.vendor.tracking_code for a in apps] + [f"app-{a.pk}" for a in apps]
    private += ["بروجرد", "سرپرست خانوار", "معلولیت", "دسترسی مناسب", "اولویت", "A-01", "A-02"]
    assert [text for text in private if text in html] == []


def test_lottery_input_is_for_the_sites_organisers_only(db, organiser):
    site, apps, _run = published_site(organiser)
    url = INSTANCE.format(site.slug)
    assert Client().get(url).status_code == 404
    assert signed_in(apps[0].vendor.user).get(url).status_code == 404
    assert signed_in(factories.county_organiser("borujerd")).get(url).status_code == 404
    assert signed_in(organiser).get(url).status_code == 200
    assert url not in Client().get(LOTTERY.format(site.slug)).content.decode()
    assert url in signed_in(organiser).get(URL.format(site.slug)).content.decode()


def test_lottery_input_of_each_run_by_its_id(db, organiser):
    site, _apps, published = published_site(organiser)
    client = signed_in(organiser)
    run_page(client, site)
    rerun = AllocationRun.objects.latest("created_at")
    other_site, *_ = small_site(booths=1, applications=1)
    run_page(client, other_site)
    elsewhere = AllocationRun.objects.get(site=other_site)
    url = INSTANCE.format(site.slug)
    assert hashlib.sha256(client.get(url).content).hexdigest() == published.commitment
    assert hashlib.sha256(client.get(url, {"run": rerun.pk}).content).hexdigest() == rerun.commitment
    response = client.get(url, {"run": rerun.pk})
    assert (
        response["Content-Disposition"] == f'attachment; filename="{site.slug}-run-{rerun.pk}-instance.json"'
    )
    for wanted in (elsewhere.pk, "x", "²", "9" * 40):
        assert client.get(url, {"run": wanted}).status_code == 404


def test_lottery_input_hashes_to_the_commitment_and_reruns_to_the_runs_placements(db, organiser, tmp_path):
    site, _apps, run = published_site(organiser)
    body = signed_in(organiser).get(INSTANCE.format(site.slug)).content
    assert hashlib.sha256(body).hexdigest() == run.commitment
    assert (
        f'<code class="alloc-hash" dir="ltr">{run.commitment}</code>'
        in Client().get(LOTTERY.format(site.slug)).content.decode()
    )
    data = json.loads(body)
    assert "seed" not in data
    assert all(a["vendor"] == "" for a in data["applications"])
    path = tmp_path / "input.json"
    path.write_bytes(body)
    out = io.StringIO()
    call_command(
        "allocate", "--instance", str(path), "--seed", str(run.seed), stdout=out, stderr=io.StringIO()
    )
    result = json.loads(out.getvalue())
    assert {a["application"]: (a["booth"], a["days"]) for a in result["assignments"]} == {
        app_id: (p["booth"], p["days"]) for app_id, p in run.placements.items()
    }


def test_run_from_the_page_stores_the_commitment_before_it_draws_the_seed(db, organiser, monkeypatch):
    site, *_ = small_site(booths=2, applications=3)
    seen = []
    draw = secrets.randbelow

    def spying_draw(below: int) -> int:
        seen.append(AllocationRun.objects.values_list("commitment", "seed").get())
        return draw(below)

    monkeypatch.setattr(secrets, "randbelow", spying_draw)
    client = signed_in(organiser)
    assert 'name="seed"' not in client.get(URL.format(site.slug)).content.decode()
    run_page(client, site, seed="7")  # a typed seed is not taken any more
    run = AllocationRun.objects.get()
    assert seen == [(run.commitment, None)]
    assert run.commitment == hashlib.sha256(canonical_instance(run.instance)).hexdigest()
    assert (run.status, run.seed_drawn, run.seed == 7) == ("done", True, False)


def test_public_lottery_lists_every_run_drawn_and_which_was_published(db, organiser):
    site, *_ = small_site(booths=2, applications=3)
    client = signed_in(organiser)
    run_page(client, site)
    first = AllocationRun.objects.get()
    publish(first, None)
    run_page(client, site)
    second = AllocationRun.objects.latest("created_at")
    html = Client().get(LOTTERY.format(site.slug)).content.decode()
    rows = re.findall(r'<li class="alloc-run-row( alloc-run-published)?">(.*?)</li>', html, flags=re.S)
    assert [
        (bool(published), run.commitment in row, to_persian_digits(str(run.seed)) in row)
        for (published, row), run in zip(rows, (first, second), strict=True)
    ] == [(True, True, True), (False, True, True)]


def test_lottery_page_of_a_run_without_tickets_or_commitment_still_shows(db, organiser):
    """Runs recorded before tickets and commitments: the page shows what there is, never a 500."""
    site, _apps, run = published_site(organiser, booths=1, applications=2)
    AllocationRun.objects.filter(pk=run.pk).update(tickets={}, commitment="", seed_drawn=False)
    response = Client().get(LOTTERY.format(site.slug))
    assert response.status_code == 200
    assert lottery_rows(response.content.decode()) == [("۱", "—"), ("۲", "—")]


def test_vendor_sees_their_own_ticket_and_rank_on_their_page(db, organiser):
    site, apps, run = published_site(organiser)
    mine, other = apps[1], apps[2]
    html = signed_in(mine.vendor.user).get("/me/").content.decode()
    rank = run.lottery.index(f"app-{mine.pk}") + 1
    assert f'<bdi dir="ltr" class="alloc-ticket">{run.tickets[f"app-{mine.pk}"]}</bdi>' in html
    assert f"ردیف {to_persian_digits(str(rank))} از ۴ در ترتیب قرعه" in html
    assert run.tickets[f"app-{other.pk}"] not in html
    assert f'href="{LOTTERY.format(site.slug)}"' in html


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
    response = run_page(client, site)
    assert response.status_code == 302
    failed = AllocationRun.objects.latest("created_at")
    assert (failed.status, failed.error) == (AllocationRun.Status.FAILED, "crashed")
    assert sorted(Assignment.objects.values_list("application_id", "booth_id", "date")) == before
    assert "ناموفق" in client.get(URL.format(site.slug)).content.decode()


def test_allocation_board_says_why_in_words_about_the_application(db, organiser):
    site, _hall, booths, _apps = small_site(booths=1, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    html = client.get(URL.format(site.slug), {"booth": booths[0].pk}).content.decode()
    text = re.sub(r"<[^>]*>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", text) == []  # no internal code is shown
    detail = re.search(r'<section class="panel alloc-detail".*?</section>', html, re.S).group()
    unplaced = re.search(r'<li id="unplaced-\d+">.*?</li>', html, re.S).group()
    # The booth as the organiser named it (the site has one hall), digits as the page writes them.
    assert re.findall(r"<h2>(.*?)</h2>", detail) == ["غرفه A-۰۱"]
    assert '<span class="badge alloc-code" data-code="free">در همهٔ روزهایش خالی بود</span>' in detail
    assert (
        '<span class="badge alloc-code" data-code="booths_full_on_days">غرفه‌ها در روزهایش پر شد</span>'
        in unplaced
    )
    assert "شما" not in detail + unplaced  # the organiser reads about the application, not to the vendor
    assert "این درخواست" in unplaced


# --- refused edits: back on the plan, said once; a need set aside with a reason ------------------------


def power_needed(booths: int = 2, applications: int = 1):
    """An allocated site where no booth has power and the first application needs it (so it waits)."""
    site, hall, made, apps = small_site(booths=booths, applications=applications)
    Application.objects.filter(pk=apps[0].pk).update(needs_power=True)
    for n, application in enumerate(apps):
        Vendor.objects.filter(pk=application.vendor_id).update(business_name=["گلیم زهرا", "نان محلی"][n])
    return site, hall, made, apps


def changes_of(application) -> list[tuple]:
    return list(
        ApplicationChange.objects.filter(application=application)
        .order_by("pk")
        .values_list("old_status", "new_status", "reason", "by")
    )


ERROR_BOX = re.compile(r'<div class="error alloc-error" role="alert">(.*?)</div>', re.S)
OVERRIDE_FORM = re.compile(
    r'<form method="post" action="[^"]*/edit/" class="form alloc-override".*?</form>', re.S
)


def hidden_fields(form_html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form_html))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_refused_placement_returns_to_the_plan_and_says_why_once(db, organiser):
    site, _hall, _booths, apps = power_needed()
    client = signed_in(organiser)
    run_page(client, site)
    page = URL.format(site.slug)

    response = edit(client, site, action="move", application=apps[0].pk, booth="A/A-02")

    assert (response.status_code, response["Location"]) == (302, f"{page}#unplaced-{apps[0].pk}")
    html = client.get(page).content.decode()
    item = re.search(rf'<li id="unplaced-{apps[0].pk}">.*?</li>', html, re.S).group()
    errors = ERROR_BOX.findall(html)
    assert len(errors) == 1
    assert ERROR_BOX.findall(item) == errors
    assert "برق" in errors[0] and "گلیم زهرا" in errors[0]  # the need, and whose
    assert ERROR_BOX.findall(client.get(page).content.decode()) == []  # said once, not again on reload
    assert booth_of(apps[0]) is None


def test_a_refused_move_from_the_booth_panel_returns_to_that_booth(db, organiser):
    site, _hall, booths, apps = power_needed(booths=2, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    own = booth_of(apps[1])
    other = next(b for b in booths if b != own)
    Booth.objects.filter(pk=other.pk).update(blocked=True)
    page = URL.format(site.slug)

    response = edit(
        client, site, action="move", application=apps[1].pk, booth=f"A/{other.code}", selected=own.pk
    )

    assert (response.status_code, response["Location"]) == (302, f"{page}?booth={own.pk}#booth-detail")
    html = client.get(response["Location"]).content.decode()
    detail = re.search(r'<section class="panel alloc-detail".*?</section>', html, re.S).group()
    errors = ERROR_BOX.findall(html)
    assert len(errors) == 1
    assert ERROR_BOX.findall(detail) == errors
    assert "مسدود" in errors[0]
    assert OVERRIDE_FORM.search(html) is None  # a blocked booth is never set aside
    assert booth_of(apps[1]) == own


def test_a_need_is_set_aside_with_a_reason_kept_in_the_applications_history(db, organiser):
    site, _hall, booths, apps = power_needed()
    client = signed_in(organiser)
    run_page(client, site)
    edit(client, site, action="move", application=apps[0].pk, booth="A/A-02")
    form = OVERRIDE_FORM.search(client.get(URL.format(site.slug)).content.decode()).group()
    assert hidden_fields(form) == {
        "application": str(apps[0].pk),
        "action": "move",
        "booth": "A/A-02",
        "override": "yes",
    }
    before = changes_of(apps[0])

    response = edit(client, site, **hidden_fields(form), reason="  یک کابل برق به این غرفه می‌کشیم ")

    assert response.status_code == 302
    assert booth_of(apps[0]) == booths[1]
    assert Application.objects.get(pk=apps[0].pk).pinned_booth == booths[1]
    assert changes_of(apps[0]) == [
        *before,
        (
            "accepted",
            "accepted",
            "برگزارکننده هنگام انتخاب غرفهٔ شما نیاز به برق را کنار گذاشت. دلیل: یک کابل برق به این غرفه می‌کشیم",
            organiser.pk,
        ),
    ]


def test_a_need_set_aside_keeps_the_vendor_on_that_booth_when_the_allocation_runs_again(db, organiser):
    site, _hall, booths, apps = power_needed()
    client = signed_in(organiser)
    run_page(client, site)
    edit(client, site, action="move", application=apps[0].pk, booth="A/A-02")
    form = OVERRIDE_FORM.search(client.get(URL.format(site.slug)).content.decode()).group()
    edit(client, site, **hidden_fields(form), reason="یک کابل برق به این غرفه می‌کشیم")
    assert Application.objects.get(pk=apps[0].pk).waived_needs == ["power"]

    run_page(client, site)

    assert booth_of(apps[0]) == booths[1]
    edit(client, site, action="unpin", application=apps[0].pk)
    assert Application.objects.get(pk=apps[0].pk).waived_needs == []
    run_page(client, site)
    assert booth_of(apps[0]) != booths[1]  # without the pin, the need holds again


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (" ", "بنویسید چرا این غرفه با این حال مناسب است؛ غرفه‌دار دلیل را در تاریخچهٔ درخواستش می‌بیند."),
        (
            "\x00\u202e\t",
            "بنویسید چرا این غرفه با این حال مناسب است؛ غرفه‌دار دلیل را در تاریخچهٔ درخواستش می‌بیند.",
        ),
        ("ب" * 501, "دلیل را در ۵۰۰ نویسه یا کمتر بنویسید."),
    ],
)
def test_setting_a_need_aside_needs_a_short_reason(db, organiser, reason, message):
    site, _hall, _booths, apps = power_needed()
    client = signed_in(organiser)
    run_page(client, site)
    before = changes_of(apps[0])

    response = edit(
        client, site, action="move", application=apps[0].pk, booth="A/A-02", override="yes", reason=reason
    )

    assert response.status_code == 302
    html = client.get(URL.format(site.slug)).content.decode()
    assert ERROR_BOX.findall(html) == [message]
    assert hidden_fields(OVERRIDE_FORM.search(html).group())["booth"] == "A/A-02"
    assert (booth_of(apps[0]), changes_of(apps[0])) == (None, before)


@pytest.mark.parametrize("rule", ["taken", "blocked", "closed"])
def test_hard_rules_are_never_set_aside(db, organiser, rule):
    site, _hall, booths, apps = power_needed(booths=2, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    target = booths[1]
    if rule == "blocked":
        Assignment.objects.filter(booth=target).delete()
        Booth.objects.filter(pk=target.pk).update(blocked=True)
    elif rule == "closed":
        Assignment.objects.filter(booth=target).delete()
        Application.objects.filter(pk=apps[0].pk).update(days=["2001-01-01"])
    elif Assignment.objects.filter(booth=target).count() == 0:
        Assignment.objects.filter(booth=booths[0]).update(booth=target)
    before = (
        sorted(Assignment.objects.values_list("application_id", "booth_id", "date")),
        changes_of(apps[0]),
    )

    response = edit(
        client, site, action="move", application=apps[0].pk, booth="A/A-02", override="yes", reason="می‌دانم"
    )

    assert response.status_code == 302
    html = client.get(URL.format(site.slug)).content.decode()
    assert len(ERROR_BOX.findall(html)) == 1
    assert OVERRIDE_FORM.search(html) is None
    assert (
        sorted(Assignment.objects.values_list("application_id", "booth_id", "date")),
        changes_of(apps[0]),
    ) == before


def test_a_swap_may_set_aside_the_other_vendors_need(db, organiser):
    site, _hall, _booths, apps = small_site(booths=2, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    a, b = apps
    booth_a, booth_b = booth_of(a), booth_of(b)
    wet = booth_a if booth_a.has_water else booth_b
    needy = a if booth_of(a) == wet else b  # on the booth with water, and now needing it
    other = b if needy == a else a
    Application.objects.filter(pk=needy.pk).update(needs_water=True)
    dry = booth_of(other)

    refused = edit(client, site, action="swap", application=other.pk, booth=f"A/{wet.code}", selected=dry.pk)
    html = client.get(refused["Location"]).content.decode()
    form = OVERRIDE_FORM.search(html).group()
    done = edit(client, site, **hidden_fields(form), reason="آب از غرفه کناری می‌آید")

    assert done.status_code == 302
    assert (booth_of(other), booth_of(needy)) == (wet, dry)
    assert [c[2] for c in changes_of(needy)][-1] == (
        "برگزارکننده هنگام انتخاب غرفهٔ شما نیاز به آب را کنار گذاشت. دلیل: آب از غرفه کناری می‌آید"
    )
    assert changes_of(other) == []  # it needs nothing: nothing was set aside for it


def test_move_refusal_names_the_booth_by_its_code_not_hall_slash_code(db, organiser):
    site, _hall, booths, apps = small_site(booths=2, applications=2)
    client = signed_in(organiser)
    run_page(client, site)
    other = next(b for b in booths if b != booth_of(apps[0]))
    Booth.objects.filter(pk=other.pk).update(blocked=True)
    Assignment.objects.filter(booth=other).delete()
    response = edit(client, site, action="move", application=apps[0].pk, booth=f"A/{other.code}")
    errors = re.findall(
        r'<div class="error alloc-error" role="alert">(.*?)</div>',
        client.get(response["Location"]).content.decode(),
    )
    assert errors == [f"غرفه {to_persian_digits(other.code)} مسدود است."]
