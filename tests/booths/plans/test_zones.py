"""Zones of a site: named by the organisers on the plan pages, shown by name, words and colour on the apply form."""

import re

import pytest
from django.test import Client

from booths.models import Booth, Zone
from booths.plans.grid import copy_plan
from booths.plans.zones import ZONE_FILLS, site_zones, zone_plan
from tests import factories
from tests.booths.applications.test_applying import open_site

pytestmark = pytest.mark.django_db


def zoned_site(**fields):
    """An open call with booths in zones A (named), B (not named) and C (only blocked booths)."""
    site = open_site(**fields)
    hall = factories.hall(site, code="H", rows=1, cols=4)
    for col, zone in enumerate(["A", "A", "B", "C"], start=1):
        factories.booth(hall, code=f"H-{col}", zone=zone, row=1, col=col, blocked=zone == "C")
    Zone.objects.create(
        site=site,
        code="A",
        name_fa="کنار در اصلی",
        name_en="By the main door",
        description_fa="بیشترین رفت‌وآمد؛ برق دارد.",
        description_en="Most visitors; has power.",
    )
    return site


def test_site_zones_name_unnamed_zones_by_their_code():
    site = zoned_site()
    zones = site_zones(site)
    assert [(z.code, z.name, z.description, z.named) for z in zones] == [
        ("A", "کنار در اصلی", "بیشترین رفت‌وآمد؛ برق دارد.", True),
        ("B", "بخش B", "", False),
    ]
    assert [z.fill for z in zones] == list(ZONE_FILLS[:2])


def test_site_zones_for_the_organisers_include_zones_of_blocked_booths():
    assert [z.code for z in site_zones(zoned_site(), bookable_only=False)] == ["A", "B", "C"]


def test_zone_plan_fills_each_booth_with_its_zone_colour():
    site = zoned_site()
    zones = site_zones(site)
    [drawing] = zone_plan(site, zones, rtl=False)
    fills = {shape.booth.code: shape.fill for shape in drawing.shapes}
    assert fills == {
        "H-1": ZONE_FILLS[0],
        "H-2": ZONE_FILLS[0],
        "H-3": ZONE_FILLS[1],
        "H-4": f"url(#{drawing.hatch_id})",
    }


def test_apply_form_shows_each_zone_by_name_with_its_words_and_the_plan(client: Client):
    site = zoned_site()
    client.force_login(factories.vendor(user=factories.user()).user)
    response = client.get(f"/sites/{site.slug}/apply/")
    assert response.status_code == 200
    assert response.context["form"].fields["preferred_zones"].choices == [
        ("A", "کنار در اصلی"),
        ("B", "بخش B"),
    ]
    html = response.content.decode()
    zones_part = html[html.index('class="field choices zone-choices"') :]
    assert "بیشترین رفت‌وآمد؛ برق دارد." in zones_part
    # The plan by zone: one box per booth, the zone's letter on each booth that can be offered.
    plan = zones_part[zones_part.index('class="zone-plan"') : zones_part.index("</fieldset>")]
    assert re.findall(r'<rect data-booth="([^"]+)"', plan) == ["H-1", "H-2", "H-3", "H-4"]
    assert re.findall(r'unicode-bidi="embed">(\w)</text>', plan) == ["A", "A", "B"]


def test_apply_form_in_english_shows_the_english_names(client: Client):
    site = zoned_site()
    client.force_login(factories.vendor(user=factories.user()).user)
    response = client.get(f"/en/sites/{site.slug}/apply/")
    assert response.context["form"].fields["preferred_zones"].choices == [
        ("A", "By the main door"),
        ("B", "Zone B"),
    ]


def test_apply_form_keeps_the_zone_codes_as_the_preferences(client: Client):
    site = zoned_site()
    vendor = factories.vendor(user=factories.user())
    client.force_login(vendor.user)
    data = {
        "days": [site.start_date.isoformat()],
        "helpers": "0",
        "products": "گلیم",
        "preferred_zones": ["A", "B"],
    }
    assert client.post(f"/sites/{site.slug}/apply/", data).status_code == 302
    assert vendor.applications.get().preferred_zones == ["A", "B"]


# --- the organisers' zone page ---


@pytest.fixture
def organiser(client: Client):
    user = factories.county_organiser("khorramabad")
    client.force_login(user)
    return user


def zone_data(**fields) -> dict:
    return {"code": "B", "name_fa": "", "name_en": "", "description_fa": "", "description_en": ""} | fields


def test_zone_page_names_a_zone_with_normalised_text(client: Client, organiser):
    site = zoned_site()
    url = f"/organiser/sites/{site.slug}/zones/"
    page = client.get(url)
    assert page.status_code == 200
    assert [zone.code for zone, _form in page.context["rows"]] == ["A", "B", "C"]

    response = client.post(url, zone_data(name_fa="  ردیف  عقب  ", description_fa="نزديك آب"))

    assert response.status_code == 302
    assert response["Location"] == url
    zone = Zone.objects.get(site=site, code="B")
    assert (zone.name_fa, zone.description_fa) == ("ردیف عقب", "نزدیک آب")
    assert [z.name for z in site_zones(site)] == ["کنار در اصلی", "ردیف عقب"]


def test_zone_page_refuses_a_zone_no_booth_carries(client: Client, organiser):
    site = zoned_site()
    url = f"/organiser/sites/{site.slug}/zones/"
    response = client.post(url, zone_data(code="Z", name_fa="جایی"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "دیگر هیچ غرفه‌ای از این محل در آن بخش نیست. صفحه را دوباره باز کنید."
    ]
    assert not Zone.objects.filter(code="Z").exists()


def test_zone_page_refuses_a_name_too_long_and_saves_nothing(client: Client, organiser):
    site = zoned_site()
    response = client.post(f"/organiser/sites/{site.slug}/zones/", zone_data(name_fa="ب" * 101))
    assert response.status_code == 400
    [form] = [form for zone, form in response.context["rows"] if zone.code == "B"]
    assert list(form.errors) == ["name_fa"]
    assert not Zone.objects.filter(site=site, code="B").exists()


def test_zone_page_is_only_for_the_organisers_of_the_site(client: Client):
    site = zoned_site()
    url = f"/organiser/sites/{site.slug}/zones/"
    client.force_login(factories.county_organiser("borujerd"))
    assert client.get(url).status_code == 404
    assert client.post(url, zone_data(name_fa="x")).status_code == 404
    client.force_login(factories.vendor(user=factories.user()).user)
    assert client.get(url).status_code == 404
    assert not Zone.objects.filter(site=site, code="B").exists()


def test_copy_plan_copies_the_zone_names():
    source = zoned_site()
    target = factories.site()
    Zone.objects.create(site=target, code="A", name_fa="نام قدیمی")
    copy_plan(source, target)
    assert list(Zone.objects.filter(site=target).values_list("code", "name_fa", "description_en")) == [
        ("A", "کنار در اصلی", "Most visitors; has power.")
    ]
    assert Booth.objects.filter(hall__site=target).count() == 4


def test_application_page_names_the_zones_asked_for(client: Client):
    site = zoned_site()
    vendor = factories.vendor(user=factories.user())
    application = factories.application(site, vendor, status="accepted", preferred_zones=["A", "B"])
    client.force_login(vendor.user)
    html = client.get(f"/me/applications/{application.pk}/").content.decode()
    assert re.findall(r"<dt>بخش‌های دلخواه</dt><dd>([^<]+)</dd>", html) == ["کنار در اصلی، بخش B"]
