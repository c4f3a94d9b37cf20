"""What every page's shell needs: the other language's address of this page, and the user's roles."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils.translation import get_language


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def address_in(full_path: str, current: str, code: str) -> str:
    """This page's address in language `code`. An address that resolves to nothing (a 404 page)
    cannot be translated by its URL pattern: it keeps its path, under the other prefix."""
    url = translate_url(full_path, code)
    parts = urlsplit(full_path)
    if url != full_path or code == current or _resolves(parts.path):
        return url
    path = parts.path
    if current != settings.LANGUAGE_CODE:
        path = path.removeprefix(f"/{current}")
    if code != settings.LANGUAGE_CODE:
        path = f"/{code}{path}"
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def shell(request) -> dict:
    current = get_language()
    languages = [
        {
            "code": code,
            "name": name,
            "url": address_in(request.get_full_path(), current, code),
            "active": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {"shell_languages": languages}
