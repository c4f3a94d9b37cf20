"""Keeps cached public pages current: the tables public pages show, and the write watch on connections."""

from django.db import connections
from django.db.backends.signals import connection_created

from vendors.models import Category, CategoryGroup, County, Vendor, VendorPhoto

from .models import DayException, Exhibition, OpeningHours, Site, Venue
from .public_cache import install_watch, watch_models


def connect() -> None:
    watch_models(
        Exhibition,
        Site,
        Site.eligible_groups.through,  # who may apply: the apply pages cache it under the version too
        Site.eligible_counties.through,
        OpeningHours,
        DayException,
        Venue,
        County,
        Category,
        CategoryGroup,
        Vendor,
        VendorPhoto,
    )
    connection_created.connect(install_watch, dispatch_uid="public-cache-watch")
    for connection in connections.all(initialized_only=True):
        install_watch(connection)
