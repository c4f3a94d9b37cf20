"""Private calendar feeds at secret addresses, and replacing those secrets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from booths import calendar
from events import calendar as ical
from vendors.models import User, Vendor
from vendors.permissions import is_organiser, is_own_vendor


def vendor_feed(request, token):
    vendor = get_object_or_404(Vendor, calendar_token=token)
    with translation.override(ical.feed_language(request)):
        feed = calendar.vendor_feed(
            vendor,
            list(calendar.vendor_assignments(vendor)),
            application_url=lambda pk: request.build_absolute_uri(reverse("apply-application", args=[pk])),
            lapsed=list(calendar.vendor_lapsed_offers(vendor)),
            today=timezone.localdate(),
        )
        body = ical.render(feed)
    return ical.ics_response(request, body, "bazaarche-booths.ics", private=True)


def organiser_feed(request, token):
    user = get_object_or_404(
        User.objects.select_related("organiser_county", "organiser_province"), calendar_token=token
    )
    if not user.is_active or not is_organiser(user):
        raise Http404
    with translation.override(ical.feed_language(request)):
        sites = list(calendar.organiser_sites(user))
        feed = calendar.organiser_feed(
            user,
            sites,
            calendar.pending_offer_deadlines(sites),
            site_url=lambda site: request.build_absolute_uri(reverse("site", args=[site.slug])),
        )
        body = ical.render(feed)
    return ical.ics_response(request, body, "bazaarche-deadlines.ics", private=True)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would read a bare word such as "12" as a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@login_required
def vendor_secret(request, pk):
    """Make (or replace) a vendor's feed secret; the old address stops working at once."""
    vendor = get_object_or_404(Vendor, pk=pk)
    if not is_own_vendor(request.user, vendor):
        raise Http404
    had_one = bool(vendor.calendar_token)
    calendar.regenerate_vendor_token(vendor)
    if had_one:
        messages.success(request, gettext("A new calendar address is ready; the old one no longer works."))
    else:
        messages.success(request, gettext("Your private calendar address is ready."))
    return _back(request, reverse("me"))


@require_POST
@login_required
def organiser_secret(request):
    if not is_organiser(request.user):
        raise Http404
    had_one = bool(request.user.calendar_token)
    calendar.regenerate_user_token(request.user)
    if had_one:
        messages.success(request, gettext("A new calendar address is ready; the old one no longer works."))
    else:
        messages.success(request, gettext("Your private calendar address is ready."))
    return _back(request, reverse("organiser"))
