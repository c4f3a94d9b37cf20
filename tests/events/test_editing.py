"""The editor's logic: slugs, Jalali fields, weekly hours, holidays as closures, revisions and sequences."""

import datetime

import pytest
from django.utils import timezone, translation

from events import editing
from events.form_fields import parse_date
from events.forms import ExceptionForm, HoursForm, SiteForm
from events.models import DayException, Exhibition, OpeningHours, Site
from events.schedule import schedule_for
from tests import factories
from vendors.models import County, Province

pytestmark = pytest.mark.django_db


def lorestan():
    return Province.objects.get(slug="lorestan")


def site_form(data, user=None):
    user = user or factories.provincial_organiser()
    return SiteForm(data, counties=editing.counties_in_scope(user), province=lorestan())


def site_data(**overrides):
    data = {
        "title_fa": "بازارچه جمعه",
        "title_en": "Friday bazaar",
        "county": County.objects.get(slug="khorramabad").pk,
        "venue_name_fa": "پارک کیو",
        "start_date": "۱۴۰۵/۰۹/۰۷",
        "end_date": "1405/10/05",
        "helpers_per_booth": "1",
        "confirm_days": "3",
    }
    data.update(overrides)
    return data


def test_parse_date_jalali_with_persian_digits():
    assert parse_date("۱۴۰۵/۰۹/۰۷") == datetime.date(2026, 11, 28)


def test_parse_date_gregorian_iso():
    assert parse_date("2026-11-28") == datetime.date(2026, 11, 28)


def test_unique_slug_from_english_title_then_numbered():
    factories.exhibition(slug="spring-fair")
    assert editing.unique_slug(Exhibition, "Spring fair", "exhibition") == "spring-fair-2"


def test_unique_slug_without_english_title_falls_back():
    assert editing.unique_slug(Site, "", "site") == "site-1"


def test_site_form_invalid_jalali_date_gives_persian_error():
    with translation.override("fa"):
        form = site_form(site_data(start_date="۱۴۰۵/۱۲/۳۰"))
        assert form.is_valid() is False
        assert form.errors["start_date"] == ["«۱۴۰۵/۱۲/۳۰» تاریخ درستی نیست؛ آن را مانند ۱۴۰۵/۰۹/۰۷ بنویسید."]


def test_site_form_end_before_start_refused():
    with translation.override("fa"):
        form = site_form(site_data(end_date="1405/09/01"))
        assert form.is_valid() is False
        assert form.errors["end_date"] == ["روز پایان نمی‌تواند پیش از روز آغاز باشد."]


def test_site_form_window_must_close_after_it_opens():
    form = site_form(site_data(applications_open="1405/08/10 08:00", applications_close="1405/08/10 08:00"))
    assert form.is_valid() is False
    assert list(form.errors) == ["applications_close"]


def test_site_form_window_is_aware_in_tehran():
    form = site_form(site_data(applications_open="۱۴۰۵/۰۸/۱۰ ۰۸:۳۰"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["applications_open"] == datetime.datetime(
        2026, 11, 1, 8, 30, tzinfo=timezone.get_current_timezone()
    )


def test_site_form_county_organiser_cannot_choose_another_county():
    user = factories.county_organiser("khorramabad")
    form = site_form(site_data(county=County.objects.get(slug="borujerd").pk), user=user)
    assert form.is_valid() is False
    assert list(form.errors) == ["county"]


def test_hours_form_closing_before_opening_refused():
    form = HoursForm({"mode": "every_day", "opens": "16:00", "closes": "15:00"})
    assert form.is_valid() is False
    assert list(form.errors) == ["closes"]


def test_hours_form_weekdays_empty_rows_are_closed():
    form = HoursForm(
        {"mode": "weekdays", "opens_5": "۰۹:۰۰", "closes_5": "۱۳:۰۰", "opens_0": "16:00", "closes_0": "20:00"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hours"] == {
        5: (datetime.time(9), datetime.time(13)),
        0: (datetime.time(16), datetime.time(20)),
    }


def test_weekly_friday_bazaar_opens_only_on_fridays():
    exhibition = factories.exhibition(status="draft")
    form = site_form(site_data())
    hours = HoursForm({"mode": "weekly", "weekday": "4", "opens": "16:00", "closes": "21:00"})
    assert form.is_valid() and hours.is_valid(), (form.errors, hours.errors)
    site = editing.save_site(form, hours.cleaned_data["hours"], {}, exhibition)
    days = schedule_for(site).open_days
    assert len(days) == 4
    assert {d.date.weekday() for d in days} == {4}
    assert (days[0].opens, days[0].closes) == (datetime.time(16), datetime.time(21))
    assert site.slug == "friday-bazaar"
    assert site.venue.name_fa == "پارک کیو"


def test_save_site_edit_bumps_sequence_and_revision():
    exhibition = factories.exhibition()
    site = factories.site(exhibition)
    form = SiteForm(
        site_data(venue=site.venue.pk, venue_name_fa=""),
        instance=site,
        counties=County.objects.all(),
        province=lorestan(),
    )
    assert form.is_valid(), form.errors
    editing.save_site(form, {4: (datetime.time(16), datetime.time(21))}, {}, exhibition)
    site.refresh_from_db()
    exhibition.refresh_from_db()
    assert (site.sequence, exhibition.revision) == (1, 2)
    assert list(OpeningHours.objects.filter(site=site).values_list("weekday", flat=True)) == [4]


def test_iranian_holidays_mark_future_islamic_dates_estimated():
    exhibition = factories.exhibition()
    site = factories.site(
        exhibition, start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2027, 3, 25)
    )
    created = editing.add_iranian_holidays(site)
    got = list(DayException.objects.filter(site=site).values_list("date", "closed", "estimated"))
    assert len(created) == len(got)
    assert (datetime.date(2027, 3, 10), True, True) in got  # Eid al-Fitr, an estimate
    assert (datetime.date(2027, 3, 21), True, False) in got  # Nowruz, fixed
    eid = DayException.objects.get(site=site, date=datetime.date(2027, 3, 10))
    assert (eid.reason_fa, eid.reason_en) == ("عید سعید فطر", "Eid al-Fitr")
    site.refresh_from_db()
    assert site.sequence == 1


def test_iranian_holidays_keep_existing_exceptions_and_add_nothing_twice():
    site = factories.site(start_date=datetime.date(2027, 3, 20), end_date=datetime.date(2027, 3, 22))
    DayException.objects.create(
        site=site,
        date=datetime.date(2027, 3, 21),
        closed=False,
        opens=datetime.time(10),
        closes=datetime.time(12),
    )
    first = editing.add_iranian_holidays(site)
    second = editing.add_iranian_holidays(site)
    assert [e.date for e in first] == [datetime.date(2027, 3, 20), datetime.date(2027, 3, 22)]
    assert second == []
    assert DayException.objects.get(site=site, date=datetime.date(2027, 3, 21)).closed is False


def test_exception_form_outside_site_dates_refused():
    site = factories.site(start_date=datetime.date(2027, 3, 20), end_date=datetime.date(2027, 3, 22))
    form = ExceptionForm({"exception-date": "1406/02/01", "exception-closed": "1"}, site=site)
    assert form.is_valid() is False
    assert list(form.errors) == ["date"]


def test_exception_form_other_hours_saved():
    site = factories.site(start_date=datetime.date(2027, 3, 20), end_date=datetime.date(2027, 3, 22))
    form = ExceptionForm(
        {
            "exception-date": "1406/01/01",
            "exception-closed": "0",
            "exception-opens": "10:00",
            "exception-closes": "12:00",
            "exception-reason_fa": "نوروز",
        },
        site=site,
    )
    assert form.is_valid(), form.errors
    editing.add_exception(site, form.cleaned_data)
    day = schedule_for(site).day(datetime.date(2027, 3, 21))
    assert (day.opens, day.closes) == (datetime.time(10), datetime.time(12))


def test_publish_sets_status_time_and_bumps_revision():
    exhibition = factories.exhibition(status="draft")
    editing.publish_exhibition(exhibition)
    exhibition.refresh_from_db()
    assert exhibition.status == Exhibition.Status.PUBLISHED
    assert exhibition.published_at is not None
    assert exhibition.revision == 2


def test_site_form_end_before_start_has_one_error_only():
    form = site_form(
        site_data(end_date="1405/09/01", applications_open="1405/08/10", applications_close="1405/08/01")
    )
    assert form.is_valid() is False
    assert sorted(form.errors) == ["applications_close", "end_date"]


def _admin_post_data(response) -> dict:
    """What the admin change page would post back unchanged: the form's and every inline's values."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        forms.append(formset.management_form)
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            else:
                data[field.html_name] = "on" if value is True else str(value)
    return data


def test_admin_edits_of_hours_reach_calendar_subscribers(client):
    """Edits in Django's admin bump the site's SEQUENCE as the organiser's editor does; a save that
    changes nothing does not."""
    from vendors.models import User

    site = factories.site()
    admin = User.objects.create_superuser("root", password="x-Secret-42")
    client.force_login(admin)
    url = f"/admin/events/site/{site.pk}/change/"
    data = _admin_post_data(client.get(url))
    assert client.post(url, data).status_code == 302
    site.refresh_from_db()
    assert site.sequence == 0

    hours = OpeningHours.objects.filter(site=site).order_by("weekday").first()
    prefix = next(k for k, v in data.items() if v == str(hours.pk) and k.endswith("-id")).removesuffix("-id")
    data[f"{prefix}-closes"] = "22:00:00"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hours.refresh_from_db()
    site.refresh_from_db()
    assert (hours.closes, site.sequence) == (datetime.time(22), 1)
