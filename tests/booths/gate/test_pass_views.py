"""Pass pages: the organiser's list (re-issue, print all in the background, download), a vendor's own pass."""

import datetime
import io
import re

import pytest
import zxingcpp
from django.test import Client
from PIL import Image

from booths.gate import printing
from booths.models import Booth, Pass
from tests import factories
from tests.booths.gate.helpers import confirmed


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def setup_site(n_vendors: int = 1, helpers: int = 1, county_slug: str = "khorramabad"):
    today = datetime.date.today()
    site = factories.site(
        county_slug=county_slug, start_date=today, end_date=today + datetime.timedelta(days=3)
    )
    site.helpers_per_booth = 2
    site.save()
    hall = factories.hall(site, name_fa="سالن اصلی")
    passes = []
    for n in range(n_vendors):
        vendor = factories.vendor(user=factories.user(), business_name=f"سفال {n}")
        booth = factories.booth(hall, code=f"A-{n + 1}")
        passes += confirmed(
            site, booth, [today, today + datetime.timedelta(days=1)], vendor, helpers=helpers
        )[1]
    return site, passes


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 12])
def test_site_passes_list_query_count_is_constant(client: Client, django_assert_num_queries, n):
    site, passes = setup_site(n)
    client.force_login(factories.county_organiser())
    with django_assert_num_queries(7):
        response = client.get(f"/organiser/sites/{site.slug}/passes/")
    assert response.status_code == 200
    assert {p.pk for p in response.context["passes"]} == {p.pk for p in passes}
    assert response.context["live_count"] == 2 * n


@pytest.mark.django_db
def test_site_passes_are_only_for_organisers_of_that_site(client: Client):
    site, passes = setup_site()
    url = f"/organiser/sites/{site.slug}/passes/"
    client.force_login(factories.county_organiser("borujerd"))
    assert client.get(url).status_code == 404
    assert client.get(f"/me/passes/{passes[0].pk}/pass.png").status_code == 404
    assert client.post(f"{url}{passes[0].pk}/reissue/").status_code == 404
    assert client.post(f"{url}print/").status_code == 404
    client.force_login(passes[0].application.vendor.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(factories.provincial_organiser())
    assert client.get(url).status_code == 200
    png = client.get(f"/me/passes/{passes[0].pk}/pass.png")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")


@pytest.mark.django_db
def test_reissue_from_the_list_revokes_the_old_code(client: Client):
    site, passes = setup_site()
    old = passes[0]
    client.force_login(factories.county_organiser())

    response = client.post(f"/organiser/sites/{site.slug}/passes/{old.pk}/reissue/")

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = Pass.objects.get(application=old.application, holder=old.holder, revoked_at__isnull=True)
    assert new.code != old.code
    # Once more on the revoked pass: nothing new is issued.
    client.post(f"/organiser/sites/{site.slug}/passes/{old.pk}/reissue/")
    assert Pass.objects.filter(application=old.application, holder=old.holder).count() == 2
    assert client.get(f"/organiser/sites/{site.slug}/passes/").status_code == 200
    assert client.get(f"/me/passes/{old.pk}/").status_code == 404


@pytest.mark.django_db
def test_print_all_makes_the_pdf_in_the_background_and_offers_it(client: Client):
    site, passes = setup_site(3)
    client.force_login(factories.county_organiser())
    assert client.get(f"/organiser/sites/{site.slug}/passes/print/pdf/").status_code == 404

    response = client.post(f"/organiser/sites/{site.slug}/passes/print/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.context["ready"] is True
    status = printing.print_status(site)
    assert (status["state"], status["count"], status["total"]) == ("done", 6, 6)
    download = client.get(f"/organiser/sites/{site.slug}/passes/print/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.count(b"/Type /Page /Parent") == 2
    # The file sits under a folder no one can guess from the site's slug.
    path = printing.site_pdf_path(site)
    assert site.slug not in path.parent.name and len(path.parent.name) == 32
    # A pass re-issued after printing marks the PDF as out of date.
    client.post(f"/organiser/sites/{site.slug}/passes/{passes[0].pk}/reissue/")
    assert client.get(f"/organiser/sites/{site.slug}/passes/").context["stale"] is True
    client.force_login(factories.county_organiser("borujerd"))
    assert client.get(f"/organiser/sites/{site.slug}/passes/print/pdf/").status_code == 404


@pytest.mark.django_db
def test_vendor_sees_and_downloads_only_their_own_passes(client: Client):
    _site, passes = setup_site(2)
    mine, theirs = passes[0], passes[2]
    client.force_login(mine.application.vendor.user)

    page = client.get(f"/me/passes/{mine.pk}/")
    assert page.status_code == 200
    assert page.context["valid_today"] is True
    assert page.context["card"].code == mine.code
    assert page.content.count(b"<svg ") == 1
    png = client.get(f"/me/passes/{mine.pk}/pass.png?download=1")
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"].startswith("attachment;")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [mine.code]

    english = client.get(f"/en/me/passes/{mine.pk}/")
    assert english.status_code == 200
    assert (english.context["card"].holder_role, english.context["card"].booth) == (
        "Vendor",
        "Booth A-1 · سالن اصلی",
    )

    assert client.get(f"/me/passes/{theirs.pk}/").status_code == 404
    assert client.get(f"/me/passes/{theirs.pk}/pass.png").status_code == 404
    assert client.get("/me/passes/999999/").status_code == 404


@pytest.mark.django_db
def test_my_page_links_my_live_passes(client: Client):
    _site, passes = setup_site(1, helpers=1)
    client.force_login(passes[0].application.vendor.user)

    response = client.get("/me/")

    application = response.context["vendors"][0].applications.all()[0]
    assert [p.pk for p in application.live_passes] == [p.pk for p in passes]
    for pass_obj in passes:
        assert f'href="/me/passes/{pass_obj.pk}/"'.encode() in response.content


@pytest.mark.django_db
def test_my_page_query_count_does_not_grow_with_passes(client: Client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    vendor = factories.vendor(user=factories.user())
    today = datetime.date.today()

    def add_site(n: int) -> None:
        site = factories.site(start_date=today, end_date=today, helpers_per_booth=2)
        confirmed(site, factories.booth(factories.hall(site), code=f"B-{n}"), [today], vendor, helpers=2)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            response = client.get("/me/")
        shown = sum(len(a.live_passes) for a in response.context["vendors"][0].applications.all())
        return len(context.captured_queries), shown

    add_site(0)
    client.force_login(vendor.user)
    client.get("/me/")  # the session settles
    one, shown_one = queries()
    for n in range(1, 4):
        add_site(n)
    many, shown_many = queries()

    assert (shown_one, shown_many) == (3, 12)
    assert many == one


@pytest.mark.django_db
def test_a_print_left_running_by_a_dead_worker_can_start_again(client: Client):
    from django.utils import timezone

    site, _passes = setup_site(1)
    long_ago = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    printing._write_status(site, state="running", done=1, total=2, started_at=long_ago)
    recent = timezone.now().isoformat()
    assert printing.print_in_progress({"state": "running", "started_at": recent}) is True
    assert printing.print_in_progress(printing.print_status(site)) is False
    client.force_login(factories.county_organiser())

    client.post(f"/organiser/sites/{site.slug}/passes/print/")

    assert printing.print_status(site)["state"] == "done"


# --- a helper's name on their pass, the booth's price on the pass page (issue 18) ---


@pytest.mark.django_db
def test_vendor_names_a_helper_and_the_pass_the_image_and_the_gate_show_it(client: Client):
    from booths.gate.checkin import check_in, create_gate_token

    site, passes = setup_site(1, helpers=1)
    vendor_pass, helper_pass = passes
    client.force_login(vendor_pass.application.vendor.user)
    before = client.get(f"/me/passes/{helper_pass.pk}/pass.png").content

    response = client.post(f"/me/passes/{helper_pass.pk}/name/", {"name": "  سارا   كريمي "})

    assert response.status_code == 302
    assert response["Location"] == f"/me/#pass-{helper_pass.pk}"
    helper_pass.refresh_from_db()
    assert helper_pass.holder_name == "سارا کریمی"  # spaces folded, Arabic kaf and yeh made Persian
    page = client.get(f"/me/passes/{helper_pass.pk}/")
    assert page.context["card"].holder_name == "سارا کریمی"
    assert client.get(f"/me/passes/{helper_pass.pk}/pass.png").content != before
    gate = create_gate_token(site, "در اصلی")[0]
    assert check_in(gate, helper_pass.code, site.slug).as_json()["holder"]["name"] == "سارا کریمی"


@pytest.mark.django_db
def test_my_page_has_a_name_form_for_each_helper_pass_only(client: Client):
    _site, passes = setup_site(1, helpers=2)
    client.force_login(passes[0].application.vendor.user)
    html = client.get("/me/").content.decode()
    forms = re.findall(r'<form method="post" action="/me/passes/(\d+)/name/"', html)
    assert forms == [str(p.pk) for p in passes[1:]]


@pytest.mark.django_db
def test_a_name_too_long_is_refused_and_the_pass_keeps_its_name(client: Client):
    _site, passes = setup_site(1, helpers=1)
    helper_pass = passes[1]
    client.force_login(passes[0].application.vendor.user)
    response = client.post(f"/me/passes/{helper_pass.pk}/name/", {"name": "ب" * 51}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["نام را حداکثر با ۵۰ حرف بنویسید."]
    helper_pass.refresh_from_db()
    assert helper_pass.holder_name == ""


@pytest.mark.django_db
def test_only_the_vendor_names_the_helpers_of_their_booth(client: Client):
    site, passes = setup_site(1, helpers=1)
    vendor_pass, helper_pass = passes
    vendor = vendor_pass.application.vendor
    company = factories.support_company()
    vendor.support_company = company
    vendor.save()
    manager = factories.user()
    company.managers.add(manager)
    for user in (
        factories.vendor(user=factories.user()).user,
        manager,
        factories.county_organiser("khorramabad"),
    ):
        client.force_login(user)
        assert client.post(f"/me/passes/{helper_pass.pk}/name/", {"name": "غریبه"}).status_code == 404
    client.force_login(vendor.user)
    # The vendor's own pass carries the registry's name; a revoked pass is named no more.
    assert client.post(f"/me/passes/{vendor_pass.pk}/name/", {"name": "دیگری"}).status_code == 404
    Pass.objects.filter(pk=helper_pass.pk).update(revoked_at=datetime.datetime.now(datetime.UTC))
    assert client.post(f"/me/passes/{helper_pass.pk}/name/", {"name": "سارا"}).status_code == 404
    assert list(Pass.objects.filter(site=site).order_by("id").values_list("holder_name", flat=True)) == [
        vendor.full_name,
        "",
    ]


@pytest.mark.django_db
def test_pass_page_shows_the_booth_price_in_tomans(client: Client):
    _site, passes = setup_site(1, helpers=0)
    Booth.objects.filter(assignments__application=passes[0].application).update(price=3_500_000)
    client.force_login(passes[0].application.vendor.user)
    html = client.get(f"/me/passes/{passes[0].pk}/").content.decode()
    assert re.findall(r'<dd class="pass-price">([^<]+)</dd>', html) == ["۳۵۰٬۰۰۰ تومان"]
