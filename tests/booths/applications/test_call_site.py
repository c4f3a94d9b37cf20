"""The apply pages keep a call's site in the cache under the public-data version: fewer queries in a
call's opening rush, and never a stale window, day, group or zone.

These tests commit (reference_data is transactional), as production does: the version changes when a
write commits.
"""

import datetime

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from booths.models import Application, Zone
from tests import factories
from tests.booths.applications.test_applying import open_site
from tests.booths.applications.test_views import form_data, signed_in_vendor
from vendors.models import CategoryGroup


def apply_page(client: Client, site) -> str:
    return client.get(f"/sites/{site.slug}/apply/").content.decode()


def test_an_apply_post_takes_a_fixed_number_of_queries(
    client: Client, reference_data, django_assert_max_num_queries
):
    """The opening rush of a call is apply POSTs: their queries are budgeted so they do not creep back.

    The session, the user, the user's businesses (two), earlier applications here, then anywhere with
    their booths, then the two rows in one transaction."""
    cache.clear()
    site = open_site()
    signed_in_vendor(client)
    apply_page(client, site)  # the session and the CSRF cookie, as a browser has them; the site is kept
    with django_assert_max_num_queries(10):
        response = client.post(f"/sites/{site.slug}/apply/", form_data(site))
    assert response.status_code == 302
    assert Application.objects.count() == 1


def test_the_kept_site_follows_every_change_an_organiser_commits(client: Client, reference_data):
    cache.clear()
    site = open_site()
    vendor = signed_in_vendor(client)
    factories.booth(factories.hall(site), code="A1", zone="A")
    assert "بخش A" in apply_page(client, site)

    Zone.objects.create(site=site, code="A", name_fa="کنار در اصلی")
    assert "کنار در اصلی" in apply_page(client, site)

    other_group = CategoryGroup.objects.exclude(pk=vendor.category.group_id).first()
    site.eligible_groups.add(other_group)
    page = apply_page(client, site)
    assert "This site admits only these groups" not in page  # the page is Persian
    assert other_group.name_fa in page and vendor.category.group.name_fa in page

    site.eligible_groups.clear()
    site.applications_close = timezone.now() - datetime.timedelta(minutes=1)  # the window has closed
    site.save()
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site))
    assert response.status_code == 400
    assert not Application.objects.exists()
