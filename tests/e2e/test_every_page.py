"""Every page the demo's roles can reach, on a 360-pixel phone in Persian: no page wider than the
screen, no English word or internal code in the Persian text, no failed request or console error, and
no serious or critical finding of axe-core.

Each role starts on its own pages and follows same-origin links breadth-first; links to files
(calendars, posters, exports, passes) are fetched, not opened, and must answer 200. A few pages of
each URL pattern are enough to see every kind of page, which keeps the crawl fast.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.urls import Resolver404, resolve

from booths.demo import load_demo
from tests.events.test_public_privacy import PUBLIC
from vendors.models import User

from .conftest import signed_in_context

pytestmark = [pytest.mark.e2e]

SCREEN = {"width": 360, "height": 740}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES_PER_PATTERN = 2
FILES_PER_PATTERN = 1
PAGES_PER_ROLE = 60
FILE_SUFFIXES = (".ics", ".pdf", ".csv", ".xlsx", ".png", ".jpg", ".svg", ".json", ".zip")
# Not pages of the Persian site, or not to be followed: the English pages have their own language,
# signing out would end the crawl, and the admin and the API are not for these roles.
SKIPPED_PREFIXES = ("/en/", "/signout/", "/admin/", "/api/", "/static/")

# Latin text that may stand in a Persian page, each with why. Besides these, what is not Persian
# text is left out before the check: codes shown as codes (<code>, <bdi dir="ltr">), anything
# marked with another language (the switcher's "English"), what people typed into a form
# (<textarea>), addresses and e-mails, and single letters (hall and booth codes such as "A-12").
ALLOWED_LATIN = {
    **dict.fromkeys(
        ["PDF", "PNG", "JPG", "WebP", "CSV", "XLSX", "Excel", "JSON"],
        "a file format: its name is written in Latin letters in Persian too, as on the phone itself",
    ),
    "A4": "the paper size, printed that way on every pack of paper",
    "QR": "the square code on a pass; Persian says «کد QR» too",
    "SHA": "SHA-256, the lottery's fingerprint: named so by every tool that checks one",
}
URL_OR_EMAIL = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|\b[\w-]+(\.[\w-]+)*\.(ir|com|org)\b")
LATIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")

VISIBLE_TEXT = """() => {
  // Codes and other-language text are not Persian text: skip them, and anything hidden.
  const skipped = "script, style, template, noscript, textarea, code, kbd, samp, bdi[dir=ltr], [lang]:not([lang|=fa])";
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skipped) || !parent.checkVisibility()) continue;
    texts.push(node.data);
  }
  // Text shown in form controls: placeholders, and the labels of input buttons.
  for (const input of document.body.querySelectorAll("[placeholder], input[type=submit], input[type=button]")) {
    if (input.closest(skipped) || !input.checkVisibility()) continue;
    texts.push(input.placeholder || input.value || "");
  }
  return texts.join(" ");
}"""

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`
      + (v.nodes.length > 3 ? ` (+${v.nodes.length - 3})` : ""));
}"""


@dataclass
class Crawl:
    """What one role's crawl saw: the pages and files it checked, and what failed on each."""

    pages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    patterns: Counter = field(default_factory=Counter)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, url: str, problem: str) -> None:
        self.problems.setdefault(url, []).append(problem)

    def summary(self) -> str:
        kinds = ", ".join(f"{pattern} ×{count}" for pattern, count in sorted(self.patterns.items()))
        return f"{len(self.pages)} pages and {len(self.files)} files of {len(self.patterns)} kinds: {kinds}"

    def report(self) -> str:
        lines = [self.summary(), f"{len(self.problems)} of them fail:"]
        for url, problems in self.problems.items():
            lines.append(url)
            lines.extend(f"    {problem}" for problem in problems)
        return "\n".join(lines)


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.url_name or match.view_name


def is_file(path: str) -> bool:
    return path.lower().endswith(FILE_SUFFIXES)


def latin_words(text: str) -> list[str]:
    words = LATIN_WORD.findall(URL_OR_EMAIL.sub(" ", text))
    return sorted({word for word in words if word not in ALLOWED_LATIN})


def check_page(page, seen: dict, crawl: Crawl, url: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SCREEN["width"]:
        crawl.fail(url, f"wider than the screen: {width} px on a {SCREEN['width']} px phone")
    words = latin_words(page.evaluate(VISIBLE_TEXT))
    codes = [word for word in words if "_" in word]
    if codes:
        crawl.fail(url, f"internal codes in the text: {', '.join(codes)}")
    english = [word for word in words if "_" not in word]
    if english:
        crawl.fail(url, f"Latin words in the Persian text: {', '.join(english)}")
    for failure in seen["failed"]:
        crawl.fail(url, f"request failed: {failure}")
    for error in seen["errors"]:
        crawl.fail(url, f"console error: {error}")
    for violation in page.evaluate(RUN_AXE):
        crawl.fail(url, f"axe {violation}")


def watch_requests(page) -> dict:
    seen = {"failed": [], "errors": []}
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and seen["failed"].append(f"{response.status} {response.url}")
        ),
    )
    page.on(
        "requestfailed",
        lambda request: (
            request.failure != "net::ERR_ABORTED"
            and seen["failed"].append(f"{request.url} {request.failure}")
        ),
    )
    # A failed load is reported above, with its address; the console only repeats it without.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and seen["errors"].append(message.text)
        ),
    )
    return seen


def links_on(page, origin: str) -> list[str]:
    """The page's same-origin links to follow, as paths with their query, without fragments."""
    paths = []
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href]'),"
        " a => new URL(a.getAttribute('href'), document.baseURI).href)"  # SVG links too
    )
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme not in {"http", "https"} or parts.netloc != origin:
            continue
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        paths.append(urlunsplit(("", "", parts.path, parts.query, "")))
    return paths


def check_file(context, crawl: Crawl, url: str, path: str) -> None:
    crawl.files.append(path)
    response = context.request.get(url, max_redirects=0)
    if response.status != 200:
        crawl.fail(path, f"file answers {response.status}")


@dataclass(frozen=True)
class Role:
    """A role of the demo: its sign-in, where its crawl starts, the kinds of page it must reach (so
    a crawl that lost its way, say to the sign-in page, cannot pass by checking little), and how
    many pages of each kind it opens."""

    sign_in: str | None
    starts: tuple[str, ...]
    must_reach: frozenset[str]
    per_pattern: int = 2


ORGANISER_PAGES = {"organiser", "review-list", "allocation-site", "passes-site", "plan-site", "plan-hall"}
ROLES = {
    "visitor": Role(
        None,
        ("/", "/calls/", "/gate/"),
        frozenset(
            {"home", "exhibition", "site", "visitor-plan", "visitor-vendors", "visitor-vendor", "gate"}
        ),
    ),
    "vendor": Role(
        "vendor",
        ("/me/", "/calls/", "/"),
        frozenset({"me", "apply-calls", "apply-site", "apply-application", "pass", "vendor-profile"}),
    ),
    "company": Role(
        "support company manager", ("/me/", "/calls/", "/"), frozenset({"me", "company", "apply-site"})
    ),
    # The county organiser sees the provincial organiser's kinds of page for fewer sites: one of each.
    "county": Role("county organiser", ("/organiser/", "/"), frozenset(ORGANISER_PAGES), per_pattern=1),
    "province": Role(
        "provincial organiser",
        ("/organiser/", "/"),
        frozenset(
            ORGANISER_PAGES
            | {
                "editor-exhibition",
                "editor-site",
                "vendor-directory",
                "vendor-detail",
                "dashboard",
                "gate-tokens",
            }
        ),
    ),
}


def crawl_from(context, base_url: str, role: Role) -> Crawl:
    """Breadth-first over same-origin Persian links from the role's start pages, checking each page.

    A signed-in role opens each public page (which the visitor's crawl checks) once, to see it with
    its own header, and fetches none of their files."""
    from playwright.sync_api import Error

    origin = urlsplit(base_url).netloc
    # axe-core comes in as an init script, not a <script> tag: the product's CSP (script-src 'self'
    # with a nonce) stays in force, so a page's own CSP violation still shows as a console error.
    context.add_init_script(path=AXE)
    crawl = Crawl()
    queued = set(role.starts)
    queue = deque(role.starts)
    while queue and len(crawl.pages) < PAGES_PER_ROLE:
        path = queue.popleft()
        url = base_url + path
        pattern = pattern_of(urlsplit(path).path) or path
        limit = FILES_PER_PATTERN if is_file(path) else role.per_pattern
        if role.sign_in and pattern in PUBLIC:
            limit = 0 if is_file(path) else 1
        if crawl.patterns[pattern] >= limit:
            continue
        crawl.patterns[pattern] += 1
        if is_file(path):
            check_file(context, crawl, url, path)
            continue
        page = context.new_page()
        seen = watch_requests(page)
        try:
            page.goto(url, wait_until="load")
        except Error as error:
            if "Download is starting" not in error.message:
                raise
            check_file(context, crawl, url, path)  # a file at an address without a suffix
            page.close()
            continue
        crawl.pages.append(path)
        check_page(page, seen, crawl, path)
        for link in links_on(page, origin):
            if link not in queued:
                queued.add(link)
                queue.append(link)
        page.close()
    return crawl


@pytest.fixture
def demo(reference_data):
    return {sign_in.role: sign_in.username for sign_in in load_demo().users}


@pytest.mark.parametrize("name", ROLES)
def test_every_page_fits_a_phone_in_plain_persian(live_server, browser, demo, name):
    role = ROLES[name]
    if role.sign_in is None:
        context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
    else:
        user = User.objects.get(username=demo[role.sign_in])
        context = signed_in_context(browser, live_server, user, SCREEN)
    crawl = crawl_from(context, live_server.url, role)
    context.close()

    assert role.must_reach - set(crawl.patterns) == set(), crawl.summary()
    assert crawl.problems == {}, crawl.report()


CHECKER_PAGE = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>آزمون</title></head>
<body><main><h1>آزمون</h1>
<p>وضعیت: not_run، Booth پیشنهاد شد. فایل PDF، غرفهٔ A-12، کد <bdi dir="ltr">KH-0042</bdi>،
<a href="/en/" lang="en">English</a>، https://bazaarche.example.ir/sites/</p>
<div style="width: 500px">پهن</div>
<button></button>
<img src="/missing.png" alt="">
</main></body></html>"""


def test_the_page_check_finds_each_kind_of_fault(browser):
    context = browser.new_context(viewport=SCREEN, device_scale_factor=1)
    context.add_init_script(path=AXE)
    context.route(
        "http://checker.test/**",
        lambda route: route.fulfill(
            status=200 if route.request.url == "http://checker.test/" else 404,
            content_type="text/html; charset=utf-8",
            body=CHECKER_PAGE,
        ),
    )
    page = context.new_page()
    seen = watch_requests(page)
    page.goto("http://checker.test/", wait_until="load")
    crawl = Crawl()

    check_page(page, seen, crawl, "/")
    context.close()

    assert crawl.problems == {
        "/": [
            "wider than the screen: 508 px on a 360 px phone",
            "internal codes in the text: not_run",
            "Latin words in the Persian text: Booth",
            "request failed: 404 http://checker.test/missing.png",
            "axe critical button-name: Buttons must have discernible text — button",
        ]
    }
