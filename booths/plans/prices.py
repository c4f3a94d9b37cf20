"""How a booth's price reads to a vendor: in tomans, as people say prices in Iran, or “free”.

Booth.price is stored in rials (the organiser types rials, as on official papers); a vendor reads
tomans (ten rials) with the page's digits and grouping: «۵۰۰٬۰۰۰ تومان», "500,000 tomans". Every
page and the pass say it the same way, through `price_text` and `price_range_text`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import translation
from django.utils.translation import gettext, pgettext

from bazaarche.fields import show_number

RIALS_PER_TOMAN = 10


def tomans(rials: int) -> int | Decimal:
    """Rials in tomans, exact: a price that is not a whole number of tomans keeps its tenth."""
    if rials % RIALS_PER_TOMAN == 0:
        return rials // RIALS_PER_TOMAN
    return Decimal(rials) / RIALS_PER_TOMAN


def price_text(rials: int, language: str | None = None) -> str:
    """«۵۰۰٬۰۰۰ تومان» / "500,000 tomans", or «رایگان» / "Free" for nothing."""
    with translation.override(language or translation.get_language()):
        if not rials:
            return pgettext("price", "Free")
        return gettext("%(amount)s tomans") % {"amount": show_number(tomans(rials))}


def price_range_text(low: int, high: int, language: str | None = None) -> str:
    """The prices of a site's booths: one price when they are all the same, else «از ۰ تا ۵۰۰٬۰۰۰ تومان»."""
    if low == high:
        return price_text(low, language)
    with translation.override(language or translation.get_language()):
        return gettext("from %(low)s to %(high)s tomans") % {
            "low": show_number(tomans(low)),
            "high": show_number(tomans(high)),
        }


@dataclass(frozen=True)
class PriceRange:
    low: int
    high: int

    def __str__(self) -> str:
        return price_range_text(self.low, self.high)


def price_ranges(site_ids: Iterable[int]) -> dict[int, PriceRange]:
    """Per site, the lowest and highest price of the booths it offers (not blocked); one query.

    A site without booths yet has no entry: its price is not known.
    """
    from booths.models import Booth

    rows = (
        Booth.objects.filter(hall__site_id__in=list(site_ids), blocked=False)
        .values("hall__site_id")
        .annotate(low=Min("price"), high=Max("price"))
        .order_by()
    )
    return {row["hall__site_id"]: PriceRange(row["low"], row["high"]) for row in rows}


def with_price_ranges(sites: list) -> list:
    """Each site given `price_range`, what its booths cost (None before it has any); one query."""
    ranges = price_ranges({site.pk for site in sites})
    for site in sites:
        site.price_range = ranges.get(site.pk)
    return sites
