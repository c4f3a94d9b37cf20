"""Open Graph tags: what a messenger shows of a shared link, digits in the page's language."""

from django.test import RequestFactory
from django.utils import translation

from events.sharing import open_graph


def test_open_graph_text_reads_digits_in_the_page_language_and_keeps_addresses():
    request = RequestFactory().get("/vendors/12/")
    with translation.override("fa"):
        fa = open_graph(request, "کارگاه 7", "رومیزی 2 متری", "/media/p/1.jpg")
    with translation.override("en"):
        en = open_graph(request, "کارگاه ۷", "رومیزی ۲ متری", "/media/p/1.jpg")
    assert (fa["title"], fa["description"], fa["url"], fa["image"]) == (
        "کارگاه ۷",
        "رومیزی ۲ متری",
        "http://testserver/vendors/12/",
        "http://testserver/media/p/1.jpg",
    )
    assert (en["title"], en["description"]) == ("کارگاه 7", "رومیزی 2 متری")
