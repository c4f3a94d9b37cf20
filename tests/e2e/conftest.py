"""Debian's Chromium driven by Playwright, never a downloaded browser."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_E2E"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make chromium)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def signed_in_context(browser, live_server, user, viewport):
    """A browser context signed in as `user` (a session made with Django's test client)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def watch(page) -> dict:
    """Collects the hosts a page requests (no CDN), its console errors (a CSP violation is one) and
    its failed requests with why; a request the browser cancels because the page moved on
    (ERR_ABORTED) is not a failure."""
    seen = {"hosts": set(), "errors": [], "failed": []}
    page.on("request", lambda request: seen["hosts"].add(urlsplit(request.url).netloc))
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
    page.on(
        "requestfailed",
        lambda request: (
            request.failure != "net::ERR_ABORTED"
            and seen["failed"].append(f"{request.url} {request.failure}")
        ),
    )
    return seen
