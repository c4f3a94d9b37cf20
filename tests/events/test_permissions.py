"""Drafts on every address: an unpublished exhibition and its sites exist only for their organisers.

Each kind of URL that takes an exhibition's or a site's slug is asked by four people: a visitor, a
signed-in vendor who could apply there, a county organiser of another county of the province, and
the organiser of the site's county. Lists (home, feeds, the directory) must not name the draft at all.
"""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from booths.models import AllocationRun, Application, Assignment, Offer
from tests import factories

pytestmark = pytest.mark.django_db

DRAFT_TITLE_FA = "بازارچه پنهان یلدا"
DRAFT_TITLE_EN = "Hidden Yalda bazaar"
VIEWERS = ("anonymous", "vendor", "organiser_elsewhere", "organiser_here")
SIGN_IN = 302  # login_required sends a visitor to the sign-in page

# Per URL: its address in the draft world, and what each viewer gets.
ORGANISERS_ONLY = dict(zip(VIEWERS, (404, 404, 404, 200), strict=True))
# An exhibition is province-wide: every organiser of the province works on it (they add its sites).
PROVINCE_ORGANISERS = dict(zip(VIEWERS, (404, 404, 200, 200), strict=True))
NOBODY = dict.fromkeys(VIEWERS, 404)  # feeds are anonymous: a draft is never in one
DRAFT_URLS = {
    "exhibition": ("/exhibitions/draft-fair/", PROVINCE_ORGANISERS),
    "exhibition-poster": ("/exhibitions/draft-fair/poster.png", PROVINCE_ORGANISERS),
    "exhibition-poster-pdf": ("/en/exhibitions/draft-fair/poster.pdf", PROVINCE_ORGANISERS),
    "site": ("/sites/draft-site/", ORGANISERS_ONLY),
    "site-en": ("/en/sites/draft-site/", ORGANISERS_ONLY),
    "site-poster": ("/sites/draft-site/poster.pdf", ORGANISERS_ONLY),
    "visitor-plan": ("/sites/draft-site/plan/", ORGANISERS_ONLY),
    "allocation-lottery": ("/sites/draft-site/lottery/", ORGANISERS_ONLY),
    "allocation-instance": ("/sites/draft-site/lottery/instance.json", ORGANISERS_ONLY),
    # Organisers apply for nobody: the page is theirs to see only through the site page.
    "apply-site": ("/sites/draft-site/apply/", dict(zip(VIEWERS, (SIGN_IN, 404, 404, 404), strict=True))),
    "calendar-exhibition": ("/calendar/exhibitions/draft-fair.ics", NOBODY),
    "calendar-site": ("/calendar/sites/draft-site.ics", NOBODY),
}
# Pages and feeds that list exhibitions, sites or vendors: they answer, and never name the draft.
LISTS = [
    "/",
    "/en/",
    "/?county=khorramabad",
    "/?category=handicrafts",
    "/calendars/",
    "/en/calendars/",
    "/calendar/province.ics",
    "/calendar/counties/khorramabad.ics?lang=en",
    "/vendors/",
    "/en/vendors/?q=Yalda",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draft_world():
    """A draft exhibition with a Khorramabad site taking applications, a published lottery and a
    confirmed booth (as the admin could leave them), a published site beside it, and the four viewers."""
    now = timezone.now()
    draft = factories.exhibition(
        slug="draft-fair", title_fa=DRAFT_TITLE_FA, title_en=DRAFT_TITLE_EN, status="draft"
    )
    site = factories.site(
        draft,
        slug="draft-site",
        title_fa=DRAFT_TITLE_FA,
        title_en=DRAFT_TITLE_EN,
        applications_open=now - datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=3),
        start_date=timezone.localdate() + datetime.timedelta(days=7),
        end_date=timezone.localdate() + datetime.timedelta(days=9),
    )
    factories.site(factories.exhibition(), slug="open-site")
    booth = factories.booth(factories.hall(site, code="A"), code="A-1")
    crafts = factories.vendor(business_name="گلیم یلدا")
    application = factories.application(site, crafts, status=Application.Status.ACCEPTED)
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=application.days,
        status=Offer.Status.CONFIRMED,
        expires_at=now + datetime.timedelta(days=2),
    )
    Assignment.objects.create(booth=booth, date=site.start_date, application=application, offer=offer)
    AllocationRun.objects.create(
        site=site,
        seed=7,
        status=AllocationRun.Status.DONE,
        lottery=[f"app-{application.pk}"],
        instance={"applications": [{"id": f"app-{application.pk}"}]},
        placements={f"app-{application.pk}": {"booth": "A/A-1"}},
        published_at=now,
    )
    users = {
        "vendor": factories.vendor(user=factories.user()).user,
        "organiser_elsewhere": factories.county_organiser("borujerd"),
        "organiser_here": factories.county_organiser("khorramabad"),
    }
    return {"site": site, "vendor": crafts, "users": users}


def client_for(viewer: str, world) -> Client:
    client = Client()
    if viewer != "anonymous":
        client.force_login(world["users"][viewer])
    return client


@pytest.mark.parametrize("name", sorted(DRAFT_URLS))
def test_draft_url_is_404_for_all_but_its_organisers(draft_world, name):
    url, expected = DRAFT_URLS[name]

    statuses = {viewer: client_for(viewer, draft_world).get(url).status_code for viewer in VIEWERS}

    assert statuses == expected


def test_apply_to_a_draft_site_is_404_for_a_post_too(draft_world):
    client = client_for("vendor", draft_world)

    response = client.post("/sites/draft-site/apply/", {"days": [draft_world["site"].start_date.isoformat()]})

    assert response.status_code == 404
    assert Application.objects.filter(site=draft_world["site"]).count() == 1


@pytest.mark.parametrize("url", LISTS)
def test_lists_never_name_a_draft(draft_world, url):
    response = Client().get(url)

    assert response.status_code == 200
    text = response.content.decode()
    assert [
        t for t in (DRAFT_TITLE_FA, DRAFT_TITLE_EN, "draft-site", "draft-fair", "گلیم یلدا") if t in text
    ] == []


def test_vendor_placed_only_at_a_draft_has_no_public_page(draft_world):
    assert Client().get(f"/vendors/{draft_world['vendor'].pk}/").status_code == 404


# --- every address with a slug is accounted for ---------------------------------------------------

# Addresses organisers work at: sign-in first, then only inside their scope (a draft included).
ORGANISER_URLS = {
    "allocation-edit",
    "allocation-progress",
    "allocation-publish",
    "allocation-run",
    "allocation-site",
    "editor-exception-add",
    "editor-exception-remove",
    "editor-exhibition",
    "editor-exhibition-publish",
    "editor-holidays-add",
    "editor-site",
    "editor-site-new",
    "gate-token-revoke",
    "gate-tokens",
    "passes-pdf",
    "passes-print",
    "passes-reissue",
    "passes-site",
    "plan-copy",
    "plan-hall",
    "plan-regenerate",
    "plan-site",
    "plan-zones",
    "review-bulk",
    "review-list",
}
# Slugs that name something else than an exhibition or a site.
OTHER_SLUGS = {"calendar-county", "dashboard-export"}


def slug_patterns() -> dict[str, str]:
    """Every named URL whose address takes a slug, with its route."""
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and "<slug:" in str(pattern.pattern):
                found[pattern.name] = prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns)
    return found


def test_every_address_with_a_slug_is_checked_for_drafts():
    named = set(slug_patterns())
    checked = {name.removesuffix("-pdf").removesuffix("-en") for name in DRAFT_URLS}

    assert named - checked - ORGANISER_URLS - OTHER_SLUGS == set()
    assert (checked | ORGANISER_URLS | OTHER_SLUGS) - named == set()


def _organiser_url(name: str, route: str) -> str:
    route = route.replace("<slug:slug>", "draft-site" if "exhibition" not in route else "draft-fair")
    return "/" + route.replace("<int:pk>", "1").replace("<str:code>", "A")


@pytest.mark.parametrize("name", sorted(ORGANISER_URLS))
def test_organiser_address_of_a_draft_is_closed_to_vendors_and_other_counties(draft_world, name):
    url = _organiser_url(name, slug_patterns()[name])
    exhibition_wide = "exhibition" in slug_patterns()[name]

    answers = {}
    for viewer in ("vendor", "organiser_elsewhere"):
        client = client_for(viewer, draft_world)
        answers[viewer] = (client.get(url).status_code, client.post(url).status_code)

    # GET or POST, whichever the address takes: refused before anything is read or done (405: the
    # address takes only the other method and reads nothing either). An exhibition is the whole
    # province's: a county organiser elsewhere in it works on it too (adds their county's site).
    refused = {403, 404, 405}
    closed_to = ["vendor"] if exhibition_wide else ["vendor", "organiser_elsewhere"]
    assert {viewer: answers[viewer] for viewer in closed_to} == {
        viewer: answers[viewer] for viewer in closed_to if set(answers[viewer]) <= refused
    }
