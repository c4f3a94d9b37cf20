"""Open Graph and Twitter card tags, so a shared link shows a title, a line and a picture in messengers."""

from django.utils.text import Truncator
from django.utils.translation import get_language

from bazaarche.text import digits_for_language, is_persian


def open_graph(request, title: str, description: str = "", image_url: str = "") -> dict:
    """What templates/events/_og.html needs; image_url may be relative (it is made absolute). The
    texts read with the page's digits (a vendor's name and description are free text)."""
    persian = is_persian(get_language())
    return {
        "title": digits_for_language(title),
        "description": digits_for_language(Truncator(" ".join(description.split())).chars(200)),
        "url": request.build_absolute_uri(),
        "image": request.build_absolute_uri(image_url) if image_url else "",
        "locale": "fa_IR" if persian else "en_US",
        "alternate_locale": "en_US" if persian else "fa_IR",
    }
