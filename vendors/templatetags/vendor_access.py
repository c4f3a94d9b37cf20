"""Registry-side permission predicates for templates: {% load vendor_access %}{% if user|can_import_registry %}."""

from django import template

from vendors import permissions

register = template.Library()


@register.filter
def can_import_registry(user) -> bool:
    return permissions.can_import_registry(user)
