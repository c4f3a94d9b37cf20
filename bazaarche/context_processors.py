"""What every page's shell needs: the other language's address of this page, and the user's roles."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def shell(request) -> dict:
    current = get_language()
    languages = [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.get_full_path(), code),
            "active": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {"shell_languages": languages}
