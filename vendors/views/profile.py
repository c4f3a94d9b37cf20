"""Placeholder: being built."""

from django.http import Http404


def not_yet(request, *args, **kwargs):
    raise Http404
