"""Every organiser, vendor and company-manager form, posted extreme values by hypothesis.

The property, for each form: the answer is never a 5xx; a refusal (a 4xx, or the form shown again)
says why with an error the templates mark (class "error") and leaves every row as it was; what is
accepted fits PostgreSQL's columns (SQLite does not enforce lengths or integer ranges) and holds no
control characters. The fields are read from the form on its own page, so a field added to a
template is fuzzed without touching this file; the forms themselves are checked against the URL
resolver, so a new form cannot be forgotten.
"""

from __future__ import annotations

import datetime
import inspect
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import DecimalValidator
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from bazaarche.text import to_persian_digits
from booths.allocation.adapter import start_run
from booths.allocation.offers import publish
from booths.gate.checkin import create_gate_token
from booths.models import AllocationRun, Offer
from events.models import DayException, Exhibition
from tests import factories
from tests.booths.allocation.helpers import small_site
from tests.booths.applications.test_applying import open_site
from tests.booths.gate.helpers import confirmed
from vendors import sms, tasks
from vendors.models import RegistryImport, User, Vendor
from vendors.photos import add_photos, prepare_photo, prepare_portrait, set_portrait

pytestmark = pytest.mark.django_db

EXAMPLES = 25
SAMPLE_REGISTRY = Path(__file__).resolve().parent.parent / "data" / "registry_sample.csv"

# --- the values --------------------------------------------------------------------------------

OMIT = object()  # the field is left out of the post entirely

NUMBERS = [
    "9223372036854775808",
    "-9223372036854775809",
    str(10**23),
    "1e309",
    "-1e309",
    "1" * 5000,  # more digits than int() reads
    "-1",
    "0",
    "-0",
    "1.5",
    "NaN",
    "Infinity",
    "²",  # str.isdigit() says yes, int() says no
    "۱۲۳",
    "١٢٣",
    to_persian_digits("9223372036854775808"),
    "١٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠",  # 10**23 in Arabic-Indic digits
    "۱٫۵",
    "۱۲٬۰۰۰",
]
TEXTS = [
    "",
    " ",
    "x" * 10_000,
    "ب" * 10_000,
    "۱" * 10_000,
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\u202eabc",
    "a\r\nb",
    "\r\n",
    "\t",
    "\x7f\x85",
    "\ufeff",
    "<script>alert(1)</script>",
    "%(name)s {0} {hall}",
]
DATES = [
    "1405/13/40",
    "2026-02-30",
    "1403/12/30",
    "0/0/0",
    "99999/1/1",
    "9999-12-31",
    "0001-01-01",
    "-1405/01/01",
    "۱۴۰۵/۱۳/۴۰",
    "1405/01/01 25:61",
    "1405/01/01 10:00 10:00",
    "25:00",
    "24:00",
    "99:99",
    "۲۵:۶۱",
]
# Posted in every field at once, on every run.
EVERY_FIELD = [OMIT, "9223372036854775808", "1" * 5000, "²", "\x1b[31m\u202ered", "x" * 10_000, "1405/13/40"]
scalars = st.one_of(
    st.sampled_from(NUMBERS + TEXTS + DATES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: to_persian_digits(str(n))),
    st.text(max_size=20),  # hypothesis leaves out lone surrogates, which no form post can carry
)
field_values = st.one_of(st.just(OMIT), scalars, st.lists(scalars, min_size=2, max_size=3))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_file(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 90, 180)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# Files are made afresh for every post: an upload is read once.
FILES: list[tuple[str, Callable[[], SimpleUploadedFile]]] = [
    (
        "text named like a photo, 300-letter name",
        lambda: SimpleUploadedFile("x" * 300 + ".jpg", b"not an image"),
    ),
    ("empty file", lambda: SimpleUploadedFile("empty.png", b"")),
    ("real PNG, 250-letter Persian name", lambda: SimpleUploadedFile("ب" * 250 + ".png", png_bytes())),
    ("binary junk", lambda: SimpleUploadedFile("junk.csv", b"\x00\xff\xfe" * 300)),
    ("control characters in the name", lambda: SimpleUploadedFile("a\x1b\u202e.jpg", png_bytes())),
]
file_values = st.one_of(st.just(OMIT), st.sampled_from(FILES))


@st.composite
def changes(draw, fields: list[str], file_fields: set[str]) -> dict:
    """Some fields (or all of them) replaced by an extreme value, a list of them, or left out."""
    everything = draw(st.integers(0, 9)) == 0
    chosen = fields if everything else draw(st.sets(st.sampled_from(fields), min_size=1, max_size=4))
    return {name: draw(file_values if name in file_fields else field_values) for name in sorted(chosen)}


def shown(value) -> str:
    if isinstance(value, tuple):
        return f"<{value[0]}>"
    if value is OMIT:
        return "<left out>"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(value)} characters)"


# --- reading a form from its page --------------------------------------------------------------


@dataclass
class HtmlForm:
    action: str
    controls: list[dict] = field(default_factory=list)

    def names(self) -> set[str]:
        return {c["name"] for c in self.controls} - {"csrfmiddlewaretoken"}

    def file_names(self) -> set[str]:
        return {c["name"] for c in self.controls if c["type"] == "file"}

    def hidden(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.controls if c["type"] == "hidden"}

    def defaults(self) -> dict[str, list[str]]:
        """What a browser sends when the form is submitted as shown (with its first submit button)."""
        out: dict[str, list[str]] = {}
        pressed = False
        for c in self.controls:
            kind, name = c["type"], c["name"]
            if name == "csrfmiddlewaretoken" or kind == "file":
                continue
            if kind in ("checkbox", "radio") and not c["checked"]:
                continue
            if kind == "submit":
                if pressed:
                    continue
                pressed = True
            out.setdefault(name, []).append(c["value"])
        return out


class FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self.form: HtmlForm | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.form = HtmlForm(urlsplit(urljoin(self.page_url, a.get("action") or self.page_url)).path)
            self.forms.append(self.form)
        if self.form is None or tag not in ("input", "button", "select", "option", "textarea"):
            return
        if tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self.select["options"].append(self.option)
            return
        name = a.get("name")
        if not name:
            return
        kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
        control = {"name": name, "type": kind, "value": a.get("value") or "", "checked": "checked" in a}
        if tag == "select":
            control |= {"type": "select", "options": [], "multiple": "multiple" in a}
            self.select = control
        elif tag == "textarea":
            control["type"] = "textarea"
            self.textarea = control
        elif tag == "button" and kind != "submit":
            return
        self.form.controls.append(control)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            for option in options:
                if option["value"] is None:
                    option["value"] = option["text"].strip()
            picked = [o["value"] for o in options if o["selected"]] or [o["value"] for o in options[:1]]
            self.select["value"] = picked[0] if picked else ""
            self.select = None


def find_form(html: str, page_url: str, url: str, pick: dict[str, str]) -> HtmlForm:
    parser = FormParser(page_url)
    parser.feed(html)
    found = [
        f
        for f in parser.forms
        if f.action == urlsplit(url).path and all(f.hidden().get(k) == v for k, v in pick.items())
    ]
    assert found, f"no form posting to {url} with {pick} on {page_url}"
    return found[0]


# --- what a post did ---------------------------------------------------------------------------

REFERENCE_MODELS = {"province", "county", "countyalias", "categorygroup", "category"}


def watched_models() -> list[type[models.Model]]:
    """Every table of our apps that a form could write (reference data is loaded by migrations only)."""
    return [
        model
        for label in ("vendors", "events", "booths")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.model_name not in REFERENCE_MODELS
    ]


def snapshot() -> dict:
    rows = {}
    for model in watched_models():
        names = [f.attname for f in model._meta.concrete_fields]
        rows[model] = {r[0]: r for r in model._base_manager.order_by().values_list("pk", *names)}
    return rows


def changed_rows(before: dict, after: dict) -> list[tuple[type[models.Model], object, tuple | None]]:
    """(model, pk, row) for every row new or changed, with row None for a deleted one."""
    out = []
    for model, rows in after.items():
        old = before[model]
        out += [(model, pk, row) for pk, row in rows.items() if old.get(pk) != row]
        out += [(model, pk, None) for pk in old.keys() - rows.keys()]
    return out


def describe(changes_: list) -> str:
    return ", ".join(
        f"{m._meta.label}#{pk}{' deleted' if row is None else ''}" for m, pk, row in changes_[:8]
    )


PG_RANGES = BaseDatabaseOperations.integer_field_ranges
# Control characters other than the line break, and the bidi embeddings and overrides that can turn
# the text around them on a page (isolates and marks are the normaliser's job too).
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def stored_problems(changes_: list) -> list[str]:
    """What PostgreSQL would refuse, or what a page should never show, in the rows a post wrote."""
    problems = []
    for model, pk, row in changes_:
        if row is None:
            continue
        for f, value in zip(model._meta.concrete_fields, row[1:], strict=True):
            where = f"{model._meta.label}#{pk}.{f.name}"
            if value is None:
                continue
            internal = f.get_internal_type()
            if (
                isinstance(f, (models.CharField, models.FileField))
                and f.max_length
                and len(str(value)) > f.max_length
            ):
                problems.append(f"{where}: {len(str(value))} characters in a column of {f.max_length}")
            if internal in PG_RANGES:
                low, high = PG_RANGES[internal]
                if not low <= value <= high:
                    problems.append(f"{where}: {value} is outside PostgreSQL's {internal}")
            if isinstance(f, models.DecimalField):
                try:
                    DecimalValidator(f.max_digits, f.decimal_places)(Decimal(value))
                except ValidationError:
                    problems.append(f"{where}: {value} does not fit {f.max_digits} digits")
            for text in _strings(value):
                if bad := _FORBIDDEN.search(text):
                    problems.append(f"{where}: holds {unicodedata.name(bad.group(), repr(bad.group()))}")
    return problems


_ERROR_CLASS = re.compile(r'class="(?:[^"]*\s)?error(?:\s[^"]*)?"')


def shows_error(response) -> bool:
    return bool(_ERROR_CLASS.search(response.content.decode(errors="replace")))


def error_messages(response) -> list[str]:
    return [str(m) for m in messages.get_messages(response.wsgi_request) if m.level == messages.ERROR]


# --- the forms -----------------------------------------------------------------------------------


@dataclass
class Target:
    """One form: who posts it, where, from which page, and a valid submission to start from."""

    user: User
    url: str
    page: str = ""  # the page that shows the form; the url itself when empty
    pick: dict[str, str] = field(default_factory=dict)  # hidden values that tell it from its neighbours
    base: dict = field(default_factory=dict)  # valid values over the page's own defaults
    htmx: bool = False


CASES: dict[str, tuple[str, Callable[[], Target]]] = {}


def case(url_name: str, variant: str = ""):
    def register(make: Callable[[], Target]):
        CASES[f"{url_name}:{variant}" if variant else url_name] = (url_name, make)
        return make

    return register


def organiser():
    return factories.provincial_organiser()


def vendor_with_account(**fields) -> Vendor:
    return factories.vendor(user=factories.user(), **fields)


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


# events: the editor


@case("editor-exhibition-new")
def _exhibition_new():
    return Target(organiser(), "/organiser/exhibitions/new/", base={"title_fa": "نمایشگاه بهار"})


@case("editor-exhibition")
def _exhibition_edit():
    exhibition = factories.exhibition(status=Exhibition.Status.DRAFT)
    return Target(organiser(), f"/organiser/exhibitions/{exhibition.slug}/")


@case("editor-exhibition-publish")
def _exhibition_publish():
    exhibition = factories.exhibition(status=Exhibition.Status.DRAFT)
    page = f"/organiser/exhibitions/{exhibition.slug}/"
    return Target(organiser(), page + "publish/", page)


def site_fields() -> dict:
    return {
        "title_fa": "بازارچه پاییزه",
        "county": str(factories.county().pk),
        "venue_name_fa": "سالن شهر",
        "start_date": in_days(10).isoformat(),
        "end_date": in_days(14).isoformat(),
        "mode": "every_day",
        "opens": "10:00",
        "closes": "18:00",
    }


@case("editor-site-new")
def _site_new():
    exhibition = factories.exhibition()
    return Target(organiser(), f"/organiser/exhibitions/{exhibition.slug}/sites/new/", base=site_fields())


@case("editor-site-new", "county organiser")
def _site_new_county():
    exhibition = factories.exhibition()
    user = factories.county_organiser("khorramabad")
    return Target(user, f"/organiser/exhibitions/{exhibition.slug}/sites/new/", base=site_fields())


@case("editor-site")
def _site_edit():
    site = factories.site()
    return Target(organiser(), f"/organiser/sites/{site.slug}/edit/")


def exception_target(htmx: bool) -> Target:
    site = factories.site()
    base = {"exception-date": (site.start_date + datetime.timedelta(days=1)).isoformat()}
    return Target(
        organiser(),
        f"/organiser/sites/{site.slug}/exceptions/",
        f"/organiser/sites/{site.slug}/edit/",
        base=base,
        htmx=htmx,
    )


@case("editor-exception-add")
def _exception_add():
    return exception_target(htmx=False)


@case("editor-exception-add", "htmx")
def _exception_add_htmx():
    return exception_target(htmx=True)


@case("editor-exception-remove")
def _exception_remove():
    site = factories.site()
    exception = DayException.objects.create(site=site, date=site.start_date, closed=True)
    page = f"/organiser/sites/{site.slug}/edit/"
    return Target(
        organiser(), f"/organiser/sites/{site.slug}/exceptions/{exception.pk}/remove/", page, htmx=True
    )


@case("editor-holidays-add")
def _holidays_add():
    site = factories.site()
    page = f"/organiser/sites/{site.slug}/edit/"
    return Target(organiser(), f"/organiser/sites/{site.slug}/holidays/", page)


# vendors: profile and photos, imports, private calendars


def profile_target(action: str, htmx: bool = False, **base) -> Target:
    vendor = vendor_with_account()
    if action == "caption":
        add_photos(vendor, [prepare_photo(jpeg_file())])
    if action == "portrait-remove":
        set_portrait(vendor, prepare_portrait(jpeg_file()))
    url = f"/me/business/{vendor.pk}/"
    return Target(vendor.user, url, pick={"action": action}, base=base, htmx=htmx)


@case("vendor-profile", "details")
def _profile_details():
    return profile_target("details")


@case("vendor-profile", "photos")
def _profile_photos():
    return profile_target("photos", photos=jpeg_file)


@case("vendor-profile", "photos htmx")
def _profile_photos_htmx():
    return profile_target("photos", htmx=True, photos=jpeg_file)


@case("vendor-profile", "caption")
def _profile_caption():
    return profile_target("caption", caption="گلیم")


@case("vendor-profile", "caption htmx")
def _profile_caption_htmx():
    return profile_target("caption", htmx=True, caption="گلیم")


@case("vendor-profile", "portrait")
def _profile_portrait():
    return profile_target("portrait", portrait=jpeg_file)


@case("vendor-profile", "portrait remove")
def _profile_portrait_remove():
    return profile_target("portrait-remove")


@case("vendor-photo-delete")
def _photo_delete():
    vendor = vendor_with_account()
    [photo] = add_photos(vendor, [prepare_photo(jpeg_file())])
    url = f"/me/business/{vendor.pk}/photos/{photo.pk}/delete/"
    return Target(vendor.user, url)


@case("registry-imports")
def _imports():
    registry = lambda: SimpleUploadedFile("registry.csv", SAMPLE_REGISTRY.read_bytes())  # noqa: E731
    return Target(organiser(), "/organiser/imports/", base={"file": registry})


@case("registry-import-confirm")
def _import_confirm():
    user = organiser()
    checked = tasks.start_check(SimpleUploadedFile("registry.csv", SAMPLE_REGISTRY.read_bytes()), user)
    checked.refresh_from_db()
    assert checked.status == RegistryImport.Status.CHECKED
    page = f"/organiser/imports/{checked.pk}/"
    return Target(user, page + "confirm/", page)


@case("calendar-vendor-secret")
def _vendor_secret():
    vendor = vendor_with_account()
    return Target(vendor.user, f"/calendar/secret/vendor/{vendor.pk}/", "/me/")


@case("calendar-organiser-secret")
def _organiser_secret():
    return Target(organiser(), "/calendar/secret/organiser/", "/organiser/calendar/")


# booths: plans


def grid_fields(**more) -> dict:
    return {
        "rows": "2",
        "cols": "3",
        "code_pattern": "{hall}-{n:02d}",
        "start": "1",
        "aisle_every_cols": "0",
        "aisle_every_rows": "0",
        "size_m2": "9",
        "price": "0",
        **more,
    }


def planned_site():
    site = factories.site()
    hall = factories.hall(site, code="A", rows=1, cols=2)
    booths = [factories.booth(hall, code=f"A-{n}", row=1, col=n) for n in (1, 2)]
    return site, hall, booths


@case("plan-site")
def _plan_site():
    site = factories.site()
    base = grid_fields(code="A", name_fa="سالن اصلی")
    return Target(organiser(), f"/organiser/sites/{site.slug}/plan/", base=base)


@case("plan-copy")
def _plan_copy():
    source, _hall, _booths = planned_site()
    site = factories.site()
    page = f"/organiser/sites/{site.slug}/plan/"
    return Target(organiser(), page + "copy/", page, base={"source": str(source.pk)})


@case("plan-hall")
def _plan_hall():
    site, hall, _booths = planned_site()
    url = f"/organiser/sites/{site.slug}/plan/{hall.code}/"
    return Target(organiser(), url, base={"scope": "all", "price": "1000"})


@case("plan-regenerate")
def _plan_regenerate():
    site, hall, _booths = planned_site()
    page = f"/organiser/sites/{site.slug}/plan/{hall.code}/"
    return Target(organiser(), page + "grid/", page, base=grid_fields())


@case("plan-booth-edit")
def _booth_edit():
    _site, _hall, booths = planned_site()
    return Target(organiser(), f"/organiser/booths/{booths[0].pk}/edit/")


@case("plan-zones")
def _plan_zones():
    site, hall, _booths = planned_site()
    hall.booths.update(zone="A")
    url = f"/organiser/sites/{site.slug}/zones/"
    return Target(organiser(), url, pick={"code": "A"}, base={"name_fa": "کنار در اصلی"})


# booths: applying and reviewing


def apply_fields(site) -> dict:
    return {"days": [site.start_date.isoformat()], "helpers": "0", "products": "گلیم و جاجیم دستباف"}


@case("apply-site")
def _apply():
    site = open_site()
    vendor = vendor_with_account()
    return Target(vendor.user, f"/sites/{site.slug}/apply/", base=apply_fields(site))


@case("apply-site", "company group")
def _apply_group():
    site = open_site()
    manager = factories.user()
    company = factories.support_company()
    company.managers.add(manager)
    members = [factories.vendor(support_company=company) for _ in range(2)]
    base = apply_fields(site) | {"vendors": [str(v.pk) for v in members]}
    return Target(manager, f"/sites/{site.slug}/apply/", base=base)


def own_application(action: str) -> Target:
    site = open_site()
    vendor = vendor_with_account()
    application = factories.application(site, vendor, products="گلیم")
    return Target(vendor.user, f"/me/applications/{application.pk}/", pick={"action": action})


@case("apply-application", "edit")
def _application_edit():
    return own_application("edit")


@case("apply-application", "withdraw")
def _application_withdraw():
    return own_application("withdraw")


def review_target(htmx: bool) -> Target:
    site = factories.site()
    applications = [factories.application(site) for _ in range(2)]
    page = f"/organiser/sites/{site.slug}/applications/"
    base = {"applications": [str(applications[0].pk)], "action": "accept"}
    return Target(organiser(), page + "bulk/", page, base=base, htmx=htmx)


@case("review-bulk")
def _review_bulk():
    return review_target(htmx=False)


@case("review-bulk", "htmx")
def _review_bulk_htmx():
    return review_target(htmx=True)


# booths: allocation, offers, passes, gate keys


def allocated(applications: int = 3):
    site, _hall, booths, apps_ = small_site(booths=2, applications=applications)
    run = start_run(site, 7, None)
    assert run.status == AllocationRun.Status.DONE
    return site, booths, apps_, run


@case("allocation-run")
def _allocation_run():
    site, _hall, _booths, _apps = small_site()
    page = f"/organiser/sites/{site.slug}/allocation/"
    return Target(organiser(), page + "run/", page, base={"seed": "7"})


@case("allocation-publish")
def _allocation_publish():
    site, _booths, _apps, _run = allocated()
    page = f"/organiser/sites/{site.slug}/allocation/"
    return Target(organiser(), page + "publish/", page)


@case("allocation-edit", "booth panel")
def _allocation_edit_panel():
    site, booths, _apps, _run = allocated()
    page = f"/organiser/sites/{site.slug}/allocation/"
    return Target(organiser(), page + "edit/", f"{page}?booth={booths[0].pk}", base={"action": "pin"})


@case("allocation-edit", "unplaced")
def _allocation_edit_unplaced():
    site, booths, _apps, _run = allocated()
    factories.booth(booths[0].hall, code="A-03", row=1, col=3)  # free: the one left out can go there
    page = f"/organiser/sites/{site.slug}/allocation/"
    return Target(organiser(), page + "edit/", page, pick={"action": "move"}, base={"booth": "A/A-03"})


def pending_offer() -> Offer:
    _site, _booths, _apps, run = allocated()
    publish(run, None)
    return Offer.objects.filter(status=Offer.Status.PENDING).select_related("application__vendor").first()


@case("offer-confirm")
def _offer_confirm():
    offer = pending_offer()
    return Target(offer.application.vendor.user, f"/me/offers/{offer.pk}/confirm/", "/me/")


@case("offer-decline")
def _offer_decline():
    offer = pending_offer()
    return Target(
        offer.application.vendor.user, f"/me/offers/{offer.pk}/decline/", "/me/", base={"sure": "yes"}
    )


def site_with_passes():
    site, _hall, booths = planned_site()
    _application, passes = confirmed(site, booths[0], [site.start_date])
    return site, passes


@case("pass-name")
def _pass_name():
    site, hall, _booths = planned_site()
    vendor = vendor_with_account()
    booth = factories.booth(hall, code="A-09", zone="A")
    _application, passes = confirmed(site, booth, [site.start_date], vendor, helpers=1)
    return Target(vendor.user, f"/me/passes/{passes[1].pk}/name/", "/me/", base={"name": "سارا کریمی"})


@case("passes-reissue")
def _passes_reissue():
    site, passes = site_with_passes()
    page = f"/organiser/sites/{site.slug}/passes/"
    return Target(organiser(), f"{page}{passes[0].pk}/reissue/", page)


@case("passes-print")
def _passes_print():
    site, _passes = site_with_passes()
    page = f"/organiser/sites/{site.slug}/passes/"
    return Target(organiser(), page + "print/", page)


@case("passes-print", "htmx")
def _passes_print_htmx():
    site, _passes = site_with_passes()
    page = f"/organiser/sites/{site.slug}/passes/"
    return Target(organiser(), page + "print/", page, htmx=True)


@case("gate-tokens")
def _gate_tokens():
    site = factories.site()
    return Target(organiser(), f"/organiser/sites/{site.slug}/gate/", base={"name": "در اصلی"})


@case("gate-token-revoke")
def _gate_token_revoke():
    site = factories.site()
    token, _key = create_gate_token(site, "در اصلی")
    # The form is on the confirmation page the keys page links to.
    return Target(organiser(), f"/organiser/sites/{site.slug}/gate/{token.pk}/revoke/")


# --- the property --------------------------------------------------------------------------------


def submission(defaults: dict, change: dict) -> dict:
    data = {}
    for name, value in (defaults | change).items():
        if value is OMIT:
            continue
        if isinstance(value, tuple):  # a file: (description, maker)
            value = value[1]()
        elif callable(value):
            value = value()
        data[name] = value
    return data


@pytest.fixture
def offline(settings, tmp_path):
    """Uploads in a temporary folder, tasks run at once, text messages kept in memory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    yield
    sms.outbox.clear()
    cache.clear()


def post(client: Client, target: Target, data: dict):
    """Post once and put everything back: each example starts from the same rows, cache and messages."""
    cache.clear()
    client.cookies.pop("messages", None)
    headers = {"HX-Request": "true"} if target.htmx else {}
    with transaction.atomic():
        before = snapshot()
        response = client.post(target.url, data, headers=headers)
        after = snapshot()
        transaction.set_rollback(True)
    return response, changed_rows(before, after)


def accepted(target: Target, response) -> bool:
    if 300 <= response.status_code < 400:
        return not error_messages(response)
    # htmx posts get the fragment back with 200 whether or not the form was refused.
    return target.htmx and response.status_code == 200 and not shows_error(response)


def check_answer(target: Target, shown_input: str, response, writes: list) -> None:
    status = response.status_code
    if status >= 500:
        _kind, error, _tb = response.exc_info or (None, None, None)
        raise AssertionError(f"{status} for {shown_input}: {error!r}")
    if accepted(target, response):
        problems = stored_problems(writes)
        assert not problems, f"accepted {shown_input} and stored: {'; '.join(problems)}"
        return
    assert not writes, f"refused {shown_input} ({status}) yet wrote {describe(writes)}"
    if status in (403, 404, 405):
        return
    assert shows_error(response) or error_messages(response), (
        f"refused {shown_input} ({status}) without saying why"
    )


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_form_answers_extreme_values_without_failing(case_id, offline):
    _url_name, make = CASES[case_id]
    target = make()
    client = Client(raise_request_exception=False)
    client.force_login(target.user)
    page_url = target.page or target.url
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    assert not shows_error(page), f"{page_url} shows an error before anything was posted"
    form = find_form(page.content.decode(), page_url, target.url, target.pick)
    defaults = form.defaults() | target.base
    fields = sorted(form.names() | target.base.keys()) or ["unexpected"]
    file_fields = form.file_names()

    # The starting point is itself a valid submission, so the fuzz reaches past the first check.
    response, writes = post(client, target, submission(defaults, {}))
    assert accepted(target, response), (
        f"the valid submission was refused ({response.status_code}): {error_messages(response)}"
    )
    check_answer(target, "the valid submission", response, writes)

    def answers_well(change: dict) -> None:
        response, writes = post(client, target, submission(defaults, change))
        described = f"POST {target.url} " + ", ".join(f"{k}={shown(v)}" for k, v in change.items())
        check_answer(target, described, response, writes)

    # The same few every time: an empty post; each value in every field at once (the form's own choice
    # of action kept, so the post reaches that form); then hypothesis's mixtures, which change it too.
    answers_well(dict.fromkeys(fields, OMIT))
    for value in EVERY_FIELD:
        answers_well(
            {
                name: FILES[0] if name in file_fields and value is not OMIT else value
                for name in fields
                if name not in target.pick
            }
        )

    hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(change=changes(fields, file_fields))(answers_well))()


# --- no form forgotten -----------------------------------------------------------------------------

# Posted to, but not an organiser's, vendor's or company manager's form (each tested where it lives).
POSTED_ELSEWHERE = {
    "signin": "anonymous sign-in; tests/vendors/test_signin_views.py",
    "signin-code": "anonymous sign-in; tests/vendors/test_signin_views.py",
    "signin-password": "anonymous sign-in; tests/vendors/test_signin_views.py",
    "signout": "no fields: signing out reads nothing from the post",
    "api-checkin": "gate staff's JSON API, not a form; tests/booths/test_gate_views.py",
}
# Pages that only read GET (their source is checked for request.POST below).
GET_ONLY = {
    "home", "exhibition", "site", "calendars", "calendar-organiser", "exhibition-poster", "site-poster",
    "editor-exhibitions", "vendor-directory", "vendor-export", "vendor-detail", "registry-import",
    "registry-import-report", "company", "me", "organiser", "apply-calls", "review-list",
    "allocation-site", "allocation-progress", "allocation-lottery", "allocation-instance", "passes-site",
    "passes-pdf", "pass", "pass-png", "gate", "visitor-plan", "visitor-vendors", "visitor-vendor",
    "dashboard", "dashboard-export", "api-gate", "calendar-province", "calendar-exhibition",
    "calendar-site", "calendar-county", "calendar-vendor", "calendar-organiser-feed", "admin-signin",
    "vendor-portrait", "api-gate-portrait", "healthz",
}  # fmt: skip


def url_views(patterns=None, skip=("admin",)):
    """(name, view) of every named URL, outside Django's own admin."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace not in skip:
                yield from url_views(p.url_patterns, skip)
        elif p.name:
            yield p.name, p.callback


def reads_post(view) -> bool:
    view = getattr(view, "view_class", None) or inspect.unwrap(view)
    source = inspect.getsource(view)
    return any(s in source for s in ("request.POST", "request.FILES", "require_POST", '"POST"'))


def test_every_form_is_fuzzed_or_excused():
    views = dict(url_views())
    fuzzed = {url_name for url_name, _make in CASES.values()}
    unknown = views.keys() - fuzzed - POSTED_ELSEWHERE.keys() - GET_ONLY
    assert not unknown, f"add these URLs to the fuzz cases or to GET_ONLY/POSTED_ELSEWHERE: {sorted(unknown)}"
    stale = (fuzzed | POSTED_ELSEWHERE.keys() | GET_ONLY) - views.keys()
    assert not stale, f"no such URL names any more: {sorted(stale)}"
    posting = sorted(name for name in GET_ONLY if reads_post(views[name]))
    assert not posting, f"these views read a post, so they need fuzz cases: {posting}"
    # The check above would pass whatever it was given if it could not see a post being read.
    assert sorted(name for name in fuzzed if not reads_post(views[name])) == []
