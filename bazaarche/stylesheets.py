"""Stylesheets written into the page rather than linked from it, for the first paint on a thin link.

A linked stylesheet costs a phone a second round trip before it can paint anything; at 400 ms a
trip that was most of the first paint. Written into the page, the styles arrive with the HTML and
are compressed with it. The price is a few kilobytes on every page instead of a cached file; on the
links our users have, the trip costs more.

The Content-Security-Policy still allows no inline style but these: style-src carries the SHA-256
of each stylesheet's text exactly as it is written into pages (`StyleSources`). The text is read
once per process from the static files as deployed (the manifest's hashed names in production),
with each url() made absolute, since a relative url() inside the page would resolve against the
page's own address.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.utils.csp import CSP
from django.utils.safestring import SafeString, mark_safe

_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def _stylesheets() -> list[str]:
    """Every stylesheet a page may write in: the files under static/css."""
    return sorted(f"css/{path.name}" for path in (Path(settings.STATICFILES_DIRS[0]) / "css").glob("*.css"))


@functools.cache
def text(path: str) -> str:
    """The stylesheet at this static path as a page carries it."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.templatetags.static import static

    if isinstance(staticfiles_storage, ManifestFilesMixin):  # collected, with hashed names
        with staticfiles_storage.open(staticfiles_storage.stored_name(path)) as file:
            css = file.read().decode("utf-8")
    else:
        css = Path(finders.find(path)).read_text(encoding="utf-8")
    base = static(path)
    css = _URL.sub(lambda m: f'url("{urljoin(base, m.group(2))}")', css)
    if "</" in css:
        raise ValueError(f"{path} cannot be written into a page: it contains '</'.")
    return css


def style_element(path: str) -> SafeString:
    return mark_safe(f"<style>{text(path)}</style>")  # our own file, checked to hold no '</'


@functools.cache
def hashes() -> tuple[str, ...]:
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(text(path).encode()).digest()).decode() + "'"
        for path in _stylesheets()
    )


class StyleSources(list):
    """style-src for settings.SECURE_CSP: 'self' and the hashes of the stylesheets pages write in.

    Django builds the policy by joining the values for each response; the hashes need the static
    files' manifest, which is not there yet while settings load, so they are read on first use."""

    def __init__(self) -> None:
        super().__init__([CSP.SELF])

    def __iter__(self):
        return iter([CSP.SELF, *hashes()])
