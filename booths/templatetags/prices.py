"""{{ booth.price|tomans }}: a booth's price as a vendor reads it (see booths.prices)."""

from django import template

from booths.plans.prices import price_text

register = template.Library()


@register.filter
def tomans(rials) -> str:
    if rials is None or rials == "":
        return ""
    return price_text(int(rials))
