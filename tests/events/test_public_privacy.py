"""Every public address of the demo, read as a visitor in Persian and English, tells nothing private.

The demo is loaded once for the module (`manage.py load_demo`), one lottery is run and published
through the product's own services when the demo has none, and then every URL pattern that needs no
sign-in is asked with every slug and id the demo gives it: each exhibition, site, county, vendor page,
floor plan day, poster, calendar feed (?lang=fa and ?lang=en), lottery, directory filter and page.
No answer may hold a priority level or reason, a national ID, a mobile (in any digits, with or
without +98), an address or a postal code of any demo vendor; nor may another site's gate learn
whose a pass is. The URL patterns themselves are enumerated from the resolver, so a new address
has to be sorted into public (read here) or private (refused to a visitor) before the suite passes.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from bazaarche.jalali import to_jalali_string
from booths.applications.priority import REASON_LABELS
from booths.gate.checkin import create_gate_token
from booths.models import AllocationRun, Application, Offer, Pass
from events.models import Exhibition, Site
from events.schedule import schedule_for
from vendors.models import CategoryGroup, County, Vendor

# The crawl's module fixture reads the test database, which pytest-django sets up only for marked tests.
pytestmark = pytest.mark.django_db

LANGUAGES = ("fa", "en")
# The demo has 5 public sites, 12 counties, about 120 vendors with a confirmed booth: far more than this.
AT_LEAST = 400

# Every named URL pattern is one of these. Public ones are read below; private ones need a sign-in,
# a gate key or a secret in the address, and a visitor asking them is refused.
PUBLIC = {
    "home",
    "exhibition",
    "site",
    "calendars",
    "exhibition-poster",
    "site-poster",
    "visitor-plan",
    "visitor-vendors",
    "visitor-vendor",
    "allocation-lottery",
    "calendar-province",
    "calendar-exhibition",
    "calendar-site",
    "calendar-county",
    "gate",
    "signin",
    "signin-password",
    "admin-signin",
    "healthz",  # the parts' states and a heartbeat's age: no error text, no host, no person
}
PRIVATE = {
    "api-checkin",  # a gate key; its wrong-site answer is read below
    "allocation-instance",  # the lottery's input holds each application's priority and needs
    "api-gate",
    "api-gate-portrait",  # a vendor's face: the site's gate (after a scan) and organisers only
    "calendar-vendor",
    "calendar-organiser-feed",
    "calendar-vendor-secret",
    "calendar-organiser-secret",
    "calendar-organiser",
    "signin-code",
    "signout",
    "me",
    "organiser",
    "vendor-profile",
    "vendor-photo-delete",
    "vendor-portrait",
    "company",
    "vendor-directory",
    "vendor-export",
    "vendor-detail",
    "registry-imports",
    "registry-import",
    "registry-import-confirm",
    "registry-import-report",
    "apply-calls",
    "apply-site",
    "apply-application",
    "review-list",
    "review-bulk",
    "allocation-site",
    "allocation-run",
    "allocation-progress",
    "allocation-publish",
    "allocation-edit",
    "offer-confirm",
    "offer-decline",
    "passes-site",
    "passes-reissue",
    "passes-print",
    "passes-pdf",
    "pass",
    "pass-png",
    "pass-name",
    "gate-tokens",
    "gate-token-revoke",
    "plan-site",
    "plan-zones",
    "plan-copy",
    "plan-hall",
    "plan-regenerate",
    "plan-booth-edit",
    "dashboard",
    "dashboard-export",
    "editor-exhibitions",
    "editor-exhibition-new",
    "editor-exhibition",
    "editor-exhibition-publish",
    "editor-site-new",
    "editor-site",
    "editor-exception-add",
    "editor-exception-remove",
    "editor-holidays-add",
}


def named_patterns() -> dict[str, str]:
    """Every named URL pattern outside Django's admin, with its route."""
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern, "app_name", None) != "admin":
                    walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[pattern.name] = prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns)
    return found


def test_every_url_pattern_is_sorted_into_public_or_private():
    names = set(named_patterns())

    assert names - PUBLIC - PRIVATE == set()
    assert (PUBLIC | PRIVATE) - names == set()
    assert PUBLIC & PRIVATE == set()


# --- what must never be told -------------------------------------------------------------------

DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Inside one number written in groups ("+98 916 123 4567", "0916-123-4567"), or around bidi marks.
GROUPING = re.compile(r"(?<=\d)[ \-\u00a0\u200c\u200e\u200f\u2066-\u2069]{1,3}(?=\d)")
DIGIT_RUN = re.compile(r"\d{10,}")
ANY_DIGIT = "[0-9۰-۹٠-٩]"
PRIORITY_PATTERNS = [
    re.compile(rf"(?i)\bpriority(?:\s+level)?\s*[:：]?\s*{ANY_DIGIT}"),
    re.compile(rf"اولویت\s*[:：]?\s*{ANY_DIGIT}"),
    re.compile(r"(?i)<th[^>]*>\s*(?:priority|priority level|اولویت|سطح اولویت)\s*</th>"),
    re.compile(r"(?i)data-priority"),
]
PRIVATE_KEYS = {
    "priority",
    "priority_reasons",
    "national_id",
    "mobile",
    "address",
    "postal_code",
    "birth_date",
}


@dataclass
class Secrets:
    """The private facts of every demo vendor, in the forms a page could show them."""

    numbers: dict[str, str]  # 10-digit national IDs, postal codes and mobiles without their 0
    addresses: dict[str, str]  # an address (digits in ASCII), and the street part after the city
    phrases: list[str]  # priority reasons and labels, in both languages (lower case)

    @classmethod
    def of_demo(cls) -> Secrets:
        numbers, addresses = {}, {}
        for vendor in Vendor.objects.only("pk", "national_id", "mobile", "address", "postal_code"):
            numbers[vendor.national_id] = f"national ID of vendor {vendor.pk}"
            numbers[vendor.mobile.removeprefix("0")] = f"mobile of vendor {vendor.pk}"
            if vendor.postal_code:
                numbers[vendor.postal_code] = f"postal code of vendor {vendor.pk}"
            if vendor.address:
                address = vendor.address.translate(DIGITS)
                addresses[address] = f"address of vendor {vendor.pk}"
                street = address.partition("، ")[2]
                if street:
                    addresses[street] = f"street address of vendor {vendor.pk}"
        phrases = set(REASON_LABELS)  # the codes themselves
        labels = [
            *REASON_LABELS.values(),
            *(Vendor._meta.get_field(f).verbose_name for f in ("female_head_of_household", "disability")),
        ]
        labels.append(Application._meta.get_field("needs_accessible").verbose_name)
        for language in LANGUAGES:
            with translation.override(language):
                phrases.update(str(label) for label in labels)
        phrases.update(("سرپرست خانوار زن", "دارای معلولیت", "priority level", "سطح اولویت"))
        return cls(numbers, addresses, sorted(p.lower() for p in phrases))

    def found_in(self, text: str) -> list[str]:
        """What private fact this text holds, named (an empty list when none)."""
        found = set()
        plain = GROUPING.sub("", text.translate(DIGITS))
        for run in DIGIT_RUN.findall(plain):
            for start in range(len(run) - 9):
                if (what := self.numbers.get(run[start : start + 10])) is not None:
                    found.add(what)
        spaced = " ".join(text.translate(DIGITS).split())
        found.update(what for address, what in self.addresses.items() if address in spaced)
        lowered = spaced.lower()
        found.update(f"priority phrase {p!r}" for p in self.phrases if p in lowered)
        found.update(f"priority level ({p.pattern})" for p in PRIORITY_PATTERNS if p.search(text))
        return sorted(found)


def json_leaks(value, path="$") -> list[str]:
    """Private keys, and needs that tell a disability, anywhere in a JSON document."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PRIVATE_KEYS:
                found.append(f"key {path}.{key}")
            if key == "needs" and isinstance(item, list) and "accessible" in item:
                found.append(f"need 'accessible' at {path}.{key}")
            found += json_leaks(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += json_leaks(item, f"{path}[{n}]")
    return found


def readable_text(content_type: str, body: bytes) -> str | None:
    """The text to search in an answer, or None for an image (pictures are not read)."""
    if content_type.startswith("image/"):
        return None
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith("text/calendar"):
        return text.replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n")
    if content_type.startswith("application/json"):
        return json.dumps(json.loads(text), ensure_ascii=False)
    if content_type.startswith("text/html"):
        return html.unescape(text)
    return text


def test_the_search_finds_every_form_of_a_private_fact():
    """So that the crawl below cannot pass by looking for the wrong thing."""
    secrets = Secrets(
        numbers={"4101591466": "national ID", "9015857393": "mobile", "6867123187": "postal code"},
        addresses={"خیابان انقلاب، کوچه 3، پلاک 74": "address"},
        phrases=["female head of household", "سرپرست خانوار زن"],
    )
    samples = {
        "<td>4101591466</td>": ["national ID"],
        "کد ملی: ۴۱۰۱۵۹۱۴۶۶": ["national ID"],
        "٤١٠١٥٩١٤٦٦": ["national ID"],
        "tel:09015857393": ["mobile"],
        "+989015857393": ["mobile"],
        "+98 901 585 7393": ["mobile"],
        "0098-901-585-7393": ["mobile"],
        "۰۹۰۱ ۵۸۵ ۷۳۹۳": ["mobile"],
        "٠٩٠١٥٨٥٧٣٩٣": ["mobile"],
        "کد پستی ۶۸۶۷۱۲۳۱۸۷": ["postal code"],
        "الشتر، خیابان انقلاب،  کوچه ۳، پلاک ۷۴": ["address"],
        "Female Head of Household": ["priority phrase 'female head of household'"],
        "<td>سرپرست خانوار زن</td>": ["priority phrase 'سرپرست خانوار زن'"],
        '<th scope="col">Priority</th>': [f"priority level ({PRIORITY_PATTERNS[2].pattern})"],
        "Priority: 3": [f"priority level ({PRIORITY_PATTERNS[0].pattern})"],
        "اولویت ۲": [f"priority level ({PRIORITY_PATTERNS[1].pattern})"],
        "۱۴۰۵/۰۹/۱۶ ۱۲:۳۰ · 1404900012 · غرفه A-12": [],
    }

    found = {sample: secrets.found_in(sample) for sample in samples}

    assert found == samples
    assert json_leaks(
        {"applications": [{"id": "app-1", "priority": 2, "needs": ["accessible", "power"]}]}
    ) == [
        "key $.applications[0].priority",
        "need 'accessible' at $.applications[0].needs",
    ]


# --- the crawl ---------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    content_type: str
    leaks: list[str]
    links_to_vendors: set[int] = field(default_factory=set)


@dataclass
class Crawl:
    public: dict[str, Answer]  # every public address asked, with its answer
    expected_404: dict[str, int]  # vendor pages that must not exist, with what they answered
    private: dict[str, int]  # one address per private pattern, as a visitor got it
    unconfirmed_vendors: set[int]  # vendors with a booth offered but not confirmed, and none confirmed
    lottery_urls: list[str]
    gate: dict
    gate_leaks: list[str]
    gate_holder_words: list[str]


VENDOR_LINK = re.compile(r'href="(?:/en)?/vendors/(\d+)/"')


def _localised(path: str, language: str) -> str:
    return path if language == "fa" else "/en" + path


def _publish_a_lottery() -> None:
    """When the demo has no published lottery, allocate and publish the first site whose accepted
    applications wait for booths, as an organiser would from the allocation page."""
    if AllocationRun.objects.filter(published_at__isnull=False).exists():
        return
    from booths.allocation.adapter import allocate_site
    from booths.allocation.offers import publish

    waiting = Application.objects.filter(status=Application.Status.ACCEPTED).exclude(
        offers__status__in=[Offer.Status.PENDING, Offer.Status.CONFIRMED]
    )
    site = (
        Site.objects.filter(exhibition__status=Exhibition.Status.PUBLISHED, applications__in=waiting)
        .order_by("start_date", "pk")
        .first()
    )
    run = allocate_site(site, seed=1404).run
    publish(run, by=None)


def _public_paths(public_sites, exhibitions, vendors_shown: int) -> list[str]:
    """Addresses under the language prefix, without it."""
    today = timezone.localdate()
    paths = ["/", "/calendars/", "/gate/", "/signin/", "/signin/password/"]
    paths += [f"/?county={c.slug}" for c in County.objects.order_by("pk")]
    paths += [f"/?category={g.slug}" for g in CategoryGroup.objects.order_by("pk")]
    paths += [f"/?when={when}" for when in ("today", "week", "later")]
    paths += [f"/?date={to_jalali_string(today)}", "/?county=khorramabad&category=handicrafts&when=week"]
    for exhibition in exhibitions:
        url = reverse("exhibition", args=[exhibition.slug])
        paths += [url, f"{url}poster.pdf", f"{url}poster.png"]
    for site in public_sites:
        url = reverse("site", args=[site.slug])
        paths += [url, f"{url}poster.pdf", f"{url}poster.png", f"{url}plan/"]
        paths += [f"{url}plan/?day={d.date.isoformat()}" for d in schedule_for(site).open_days]
        if AllocationRun.objects.filter(site=site, published_at__isnull=False).exists():
            paths.append(f"{url}lottery/")
    paths += ["/vendors/"] + [f"/vendors/?category={g.slug}" for g in CategoryGroup.objects.order_by("pk")]
    paths += [f"/vendors/?page={n}" for n in range(2, math.ceil(vendors_shown / 30) + 1)]
    words = {"گلیم", "عسل", "ترشی", "لباس", "rugs", "خرم‌آباد"}
    paths += [f"/vendors/?q={word}" for word in sorted(words)]
    return paths


def _feeds(public_sites, exhibitions) -> list[str]:
    feeds = ["/calendar/province.ics"]
    feeds += [f"/calendar/exhibitions/{e.slug}.ics" for e in exhibitions]
    feeds += [f"/calendar/sites/{s.slug}.ics" for s in public_sites]
    feeds += [f"/calendar/counties/{c.slug}.ics" for c in County.objects.order_by("pk")]
    return [f"{feed}?lang={language}" for feed in feeds for language in LANGUAGES]


def _private_paths() -> dict[str, str]:
    """One address per private pattern, filled with the site of the published lottery and ids that exist."""
    site = AllocationRun.objects.filter(published_at__isnull=False).select_related("site").first().site
    values = {
        "<slug:slug>": site.slug,
        "<int:pk>": str(Pass.objects.order_by("pk").values_list("pk", flat=True)[0]),
        "<int:photo_pk>": "1",
        "<str:code>": "A",
        "<str:token>": "not-a-secret",
        "<str:fmt>": "csv",
        "<slug:kind>": "applications",
    }
    paths = {}
    for name, route in named_patterns().items():
        if name in PRIVATE:
            for placeholder, value in values.items():
                route = route.replace(placeholder, value)
            paths[name] = "/" + route
    return paths


def _read(client: Client, url: str, secrets: Secrets) -> Answer:
    response = client.get(url)
    body = response.content
    content_type = response.get("Content-Type", "")
    text = readable_text(content_type, body) if response.status_code == 200 else None
    leaks = secrets.found_in(text) if text is not None else []
    if text is not None and content_type.startswith("application/json"):
        leaks += json_leaks(json.loads(body))
    links = {int(pk) for pk in VENDOR_LINK.findall(text)} if text else set()
    return Answer(response.status_code, content_type, leaks, links)


def _wrong_site_scan(public_sites, secrets: Secrets) -> tuple[dict, list[str], list[str]]:
    """A live pass of one demo site scanned at another site's gate, through the API."""
    pass_obj = (
        Pass.objects.filter(revoked_at__isnull=True, site__in=public_sites)
        .select_related("application__vendor", "site")
        .order_by("pk")
        .first()
    )
    other = next(s for s in public_sites if s.pk != pass_obj.site_id)
    _token, key = create_gate_token(other, "دروازه آزمون")
    response = Client().post(
        "/api/checkin/",
        json.dumps({"code": pass_obj.code, "site": other.slug}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_IDEMPOTENCY_KEY="privacy-1",
    )
    replay = Client().post(
        "/api/checkin/",
        json.dumps({"code": pass_obj.code, "site": other.slug}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_IDEMPOTENCY_KEY="privacy-1",
    )
    text = response.content.decode() + replay.content.decode()
    vendor = pass_obj.application.vendor
    words = [
        w
        for w in (vendor.first_name, vendor.last_name, vendor.business_name, pass_obj.holder_name)
        if w in text
    ]
    answers = {"first": response.json(), "replay": replay.json(), "pass_site": pass_obj.site.title_fa}
    return answers, secrets.found_in(text) + json_leaks(response.json()), words


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker) -> Crawl:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        cache.clear()
        translation.activate("fa")
        call_command("load_demo", stdout=StringIO())
        _publish_a_lottery()
        secrets = Secrets.of_demo()
        public_sites = list(
            Site.objects.filter(exhibition__status=Exhibition.Status.PUBLISHED).order_by("start_date", "pk")
        )
        exhibitions = list(Exhibition.objects.filter(status=Exhibition.Status.PUBLISHED).order_by("pk"))
        on_show = Q(
            applications__status=Application.Status.ACCEPTED,
            applications__offers__status=Offer.Status.CONFIRMED,
            applications__site__exhibition__status=Exhibition.Status.PUBLISHED,
            applications__site__status=Site.Status.ACTIVE,
        )
        shown = set(Vendor.objects.filter(on_show).values_list("pk", flat=True))
        offered = set(
            Vendor.objects.filter(applications__offers__status=Offer.Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        client = Client()
        public: dict[str, Answer] = {}
        paths = _public_paths(public_sites, exhibitions, len(shown))
        paths += [f"/vendors/{pk}/" for pk in sorted(shown)]
        for path in paths:
            for language in LANGUAGES:
                url = _localised(path, language)
                public[url] = _read(client, url, secrets)
        for url in _feeds(public_sites, exhibitions):
            public[url] = _read(client, url, secrets)
        expected_404 = {}
        for pk in Vendor.objects.exclude(pk__in=shown).order_by("pk").values_list("pk", flat=True):
            for language in LANGUAGES:
                url = _localised(f"/vendors/{pk}/", language)
                expected_404[url] = client.get(url).status_code
        private = {name: client.get(path).status_code for name, path in _private_paths().items()}
        gate, gate_leaks, words = _wrong_site_scan(public_sites, secrets)
        lottery_urls = [url for url in public if "/lottery/" in url]
        translation.activate("fa")
        transaction.set_rollback(True)
    cache.clear()
    return Crawl(public, expected_404, private, offered - shown, lottery_urls, gate, gate_leaks, words)


def test_public_addresses_of_the_demo_are_many_and_all_answer(crawl):
    not_ok = {url: answer.status for url, answer in crawl.public.items() if answer.status != 200}

    assert len(crawl.public) >= AT_LEAST
    assert not_ok == {}
    assert crawl.lottery_urls != []  # the lottery is read, not skipped
    assert {a.content_type.split(";")[0] for a in crawl.public.values()} == {
        "text/html",
        "text/calendar",
        "application/pdf",
        "image/png",
    }


def test_public_addresses_tell_no_private_fact(crawl):
    leaks = {url: answer.leaks for url, answer in crawl.public.items() if answer.leaks}

    assert leaks == {}


def test_vendor_pages_exist_only_for_confirmed_booths(crawl):
    not_404 = {url: status for url, status in crawl.expected_404.items() if status != 404}
    linked = set().union(*(a.links_to_vendors for url, a in crawl.public.items() if "/lottery/" not in url))

    assert len(crawl.expected_404) >= 100
    assert not_404 == {}
    assert crawl.unconfirmed_vendors != set()
    assert linked & crawl.unconfirmed_vendors == set()


def test_private_addresses_refuse_a_visitor(crawl):
    answered = {name: status for name, status in crawl.private.items() if status == 200}

    assert len(crawl.private) == len(PRIVATE)
    assert answered == {}


def test_gate_of_another_site_learns_only_the_passs_site(crawl):
    first, replay = crawl.gate["first"], crawl.gate["replay"]

    assert (first["result"], first["holder"], first["booth"]) == ("wrong_site", None, None)
    assert (replay["result"], replay["holder"], replay["booth"], replay["replayed"]) == (
        "wrong_site",
        None,
        None,
        True,
    )
    assert first["messages"]["fa"] == f"این کارت برای مکان دیگری است: {crawl.gate['pass_site']}."
    assert crawl.gate_holder_words == []
    assert crawl.gate_leaks == []
