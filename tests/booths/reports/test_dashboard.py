"""The organiser dashboard: exact numbers, county scope, constant queries, and charts that read in RTL."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booths.permissions import sites_in_scope
from booths.reports import charts
from booths.reports.dashboard import Bar, DashboardFilters, build_dashboard
from events.models import Site
from tests import factories
from tests.booths.reports.dashboard_data import grow, scenario

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_numbers_for_the_province_are_exact():
    s = scenario()
    d2, d1 = s.today - datetime.timedelta(days=2), s.today - datetime.timedelta(days=1)
    data = build_dashboard(Site.objects.all(), s.today)

    assert [(bar.key, bar.value) for bar in data.by_status] == [
        ("submitted", 1), ("accepted", 3), ("waitlisted", 0), ("rejected", 1), ("withdrawn", 0),
    ]  # fmt: skip
    assert [(bar.label, bar.value) for bar in data.by_county] == [("بروجرد", 2), ("خرم‌آباد", 2), ("دورود", 1)]
    assert [(bar.label, bar.value) for bar in data.by_group] == [
        ("صنایع دستی", 3), ("امور تولیدات دامی", 1), ("تولیدی (صنعت و خدمات)", 1),
    ]  # fmt: skip
    kh, bo = data.occupancy
    assert (kh.site.slug, kh.booths, kh.assigned, kh.available) == ("kh", 4, 3, 20)
    assert [(bar.key, bar.value, bar.total) for bar in kh.days][:2] == [
        (d2.isoformat(), 2, 4),
        (d1.isoformat(), 1, 4),
    ]
    assert (bo.assigned, bo.available) == (2, 20)
    assert data.check_ins.by_day == {d2: 2}
    assert data.check_ins.by_hour == {10: 1, 15: 1}
    assert data.check_ins.by_day_hour == {(d2, 10): 1, (d2, 15): 1}
    # Past booth-days: Khorramabad d2 ×2 (both came), d1 ×1 (missed); Borujerd d1 (missed). Today is not past.
    assert [(bar.key, bar.value, bar.total) for bar in data.no_shows.by_day] == [
        (d2.isoformat(), 0, 2), (d1.isoformat(), 2, 2),
    ]  # fmt: skip
    assert sorted((row.business_name, row.missed) for row in data.no_shows.vendors) == [
        ("لبنیات بروجرد", 1), ("گلیم زاگرس", 1),
    ]  # fmt: skip
    assert [(bar.key, bar.value, bar.total) for bar in data.priority] == [
        ("4", 0, 0), ("3", 1, 1), ("2", 1, 1), ("1", 0, 1), ("0", 1, 2),
    ]  # fmt: skip


def test_dashboard_county_organiser_sees_only_their_county():
    s = scenario()
    organiser = factories.county_organiser("khorramabad")
    data = build_dashboard(sites_in_scope(organiser), s.today)
    assert data.applications == 3
    assert [(bar.label, bar.value) for bar in data.by_county] == [("خرم‌آباد", 2), ("دورود", 1)]
    assert [site.site.slug for site in data.occupancy] == ["kh"]
    assert (data.no_shows.missed, data.no_shows.assigned) == (1, 3)
    assert [row.business_name for row in data.no_shows.vendors] == ["گلیم زاگرس"]

    page = _signed_in(organiser).get(reverse("dashboard")).content.decode()
    assert "بازارچه خرم‌آباد" in page
    assert "بازارچه بروجرد" not in page
    assert "لبنیات بروجرد" not in page
    # The province's organiser sees both, so the numbers differ.
    province_page = _signed_in(factories.provincial_organiser()).get(reverse("dashboard")).content.decode()
    assert "بازارچه بروجرد" in province_page and "لبنیات بروجرد" in province_page


def test_dashboard_county_organiser_cannot_filter_into_another_county():
    s = scenario()
    organiser = factories.county_organiser("khorramabad")
    response = _signed_in(organiser).get(reverse("dashboard"), {"site": s.borujerd.slug})
    assert response.status_code == 200
    page = response.content.decode()
    assert "بازارچه بروجرد" not in page
    assert "A filter was not understood" in page or "فیلتر" in page


def test_dashboard_filters_narrow_to_one_site():
    s = scenario()
    organiser = factories.provincial_organiser()
    filters = DashboardFilters({"site": "bo"}, user=organiser)
    data = build_dashboard(filters.sites(), s.today)
    assert data.applications == 2
    assert [site.site.slug for site in data.occupancy] == ["bo"]
    assert filters.active == {"site": "bo"}
    response = _signed_in(organiser).get(reverse("dashboard"), {"exhibition": "autumn", "site": "bo"})
    assert response.status_code == 200
    assert (
        'href="/organiser/dashboard/applications.csv?exhibition=autumn&amp;site=bo"'
        in response.content.decode()
    )


def test_dashboard_htmx_answers_with_the_results_fragment():
    scenario()
    client = _signed_in(factories.provincial_organiser())
    response = client.get(reverse("dashboard"), {"site": "kh"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results"')
    assert "<html" not in page
    assert response["Vary"] == "HX-Request, Cookie, Accept-Language" or "HX-Request" in response["Vary"]


def test_dashboard_refuses_vendors_and_anonymous_visitors():
    assert Client().get(reverse("dashboard")).status_code == 302
    vendor_user = factories.user()
    factories.vendor(user=vendor_user)
    assert _signed_in(vendor_user).get(reverse("dashboard")).status_code == 403
    assert (
        _signed_in(vendor_user).get(reverse("dashboard-export", args=["applications", "csv"])).status_code
        == 403
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200
    return len(context.captured_queries)


def test_dashboard_query_count_does_not_grow_with_data():
    s = scenario()
    client = _signed_in(factories.provincial_organiser())
    url = reverse("dashboard")
    few = _queries(client, url)
    grow(s.khorramabad, s.booths["kh"], 25, s.today)
    grow(s.borujerd, s.booths["bo"], 25, s.today)
    factories.site(s.khorramabad.exhibition, "dorud", slug="do")
    many = _queries(client, url)
    assert few == many
    assert many <= 20


def test_dashboard_page_renders_charts_with_titles_in_persian_and_english():
    scenario()
    client = _signed_in(factories.provincial_organiser())
    fa = client.get(reverse("dashboard")).content.decode()
    assert (
        fa.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart') == 10
    )  # 7 charts, 2 sites, 1 heat strip
    assert 'direction="rtl"' in fa and 'direction="ltr"' not in fa
    assert '<title id="chart-status-title">درخواست‌ها بر اساس وضعیت</title>' in fa
    assert "۱۰" in fa  # the heat strip's hours in Persian digits
    en = client.get("/en" + reverse("dashboard")).content.decode()
    assert 'direction="ltr"' in en and 'direction="rtl"' not in en
    assert '<title id="chart-status-title">Applications by status</title>' in en


def _rect_x_width(svg: str, css: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(w))
        for x, w in re.findall(rf'<rect class="{css}" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', svg)
    ]


def test_bar_chart_grows_from_the_right_in_rtl_and_from_the_left_in_ltr():
    bars = [Bar("خرم‌آباد", 10), Bar("بروجرد", 5)]
    rtl = str(charts.bar_chart(bars, chart_id="c", title="t", rtl=True, label_width=36, value_width=20))
    ltr = str(charts.bar_chart(bars, chart_id="c", title="t", rtl=False, label_width=36, value_width=20))
    # The bars' area is 37%..80% from the reading start; in RTL every bar ends at 100 - 37 = 63%.
    assert _rect_x_width(rtl, "bar") == [(20.0, 43.0), (41.5, 21.5)]
    assert _rect_x_width(ltr, "bar") == [(37.0, 43.0), (37.0, 21.5)]
    # Labels stand at the reading start: the right edge in RTL, the left in LTR; text is never mirrored.
    assert re.findall(r'<text class="label" x="([\d.]+)%"', rtl) == ["100.00", "100.00"]
    assert re.findall(r'<text class="label" x="([\d.]+)%"', ltr) == ["0.00", "0.00"]
    assert "scale(-1" not in rtl and "transform" not in rtl
    # For screen readers: the title, and every bar's label and value.
    assert '<title id="c-title">t</title><desc id="c-desc">خرم‌آباد: ۱۰, بروجرد: ۵</desc>' in rtl
    assert 'role="img" aria-labelledby="c-title c-desc"' in rtl


def test_bar_chart_escapes_labels_and_cuts_long_ones():
    svg = str(charts.bar_chart([Bar("<b>" + "ب" * 40, 1)], chart_id="c", title="<t>", rtl=True))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "&lt;t&gt;" in svg
    assert "…</text>" in svg


def test_heat_strip_runs_hours_from_right_to_left_in_rtl():
    day = datetime.date(2025, 10, 7)
    counts = {(day, 9): 1, (day, 11): 4}
    svg = str(
        charts.heat_strip(
            [day], [9, 10, 11], counts, chart_id="h", title="t", desc="d", rtl=True, language="fa"
        )
    )
    cells = re.findall(r'<rect class="heat-(\d)" x="([\d.]+)%"', svg)
    # Columns 9, 10, 11 from the right: x decreases as the hour grows.
    assert [level for level, _x in cells] == ["1", "0", "4"]
    xs = [float(x) for _level, x in cells]
    assert xs == sorted(xs, reverse=True)
    assert re.findall(r'<text class="axis"[^>]*>(.*?)</text>', svg) == ["۹", "۱۰", "۱۱"]
    assert "۱۴۰۴/۰۷/۱۵" in svg  # the row's day in Jalali with Persian digits


def test_heat_level_scales_with_the_busiest_cell():
    assert [charts.heat_level(n, 8) for n in (0, 1, 4, 7, 8)] == [0, 1, 2, 3, 4]
