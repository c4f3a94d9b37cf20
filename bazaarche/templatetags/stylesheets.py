"""{% stylesheet "css/app.css" %}: the stylesheet written into the page (see bazaarche.stylesheets)."""

from django import template

from bazaarche.stylesheets import style_element

register = template.Library()


@register.simple_tag
def stylesheet(path: str):
    return style_element(path)
