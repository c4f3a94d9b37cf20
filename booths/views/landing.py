"""Signed-in landing pages: a vendor's or company manager's own page, and the organiser's."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render

from bazaarche.jalali import format_date_span
from booths.allocation.public import lottery_places
from booths.allocation.waitlist import standings
from booths.applications.applying import open_calls
from booths.gate.forms import HELPER_NAME_MAX
from booths.models import Application, Offer, Pass
from booths.permissions import sites_in_scope
from booths.plans.prices import with_price_ranges
from vendors.models import SupportCompany, Vendor
from vendors.permissions import Roles, is_organiser


@login_required
def me(request):
    roles = Roles(request.user)
    if roles.is_organiser:
        return redirect("organiser")
    vendors = (
        Vendor.objects.filter(user=request.user)
        .select_related("category", "county", "support_company")
        .prefetch_related("photos")
        .prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.select_related(
                    "site__exhibition", "site__county"
                ).prefetch_related("changes"),
            ),
            Prefetch("applications__offers", queryset=Offer.objects.select_related("booth__hall")),
            Prefetch(
                "applications__passes",
                queryset=Pass.objects.filter(revoked_at__isnull=True).order_by("-holder", "id"),
                to_attr="live_passes",
            ),
        )
    )
    vendors = list(vendors)
    applications = [a for vendor in vendors for a in vendor.applications.all()]
    places = standings(applications)
    tickets = lottery_places(applications)
    for application in applications:
        application.place = places.get(application.pk)
        application.lottery_place = tickets.get(application.pk)
    for vendor in vendors:
        vendor.open_calls = list(open_calls(vendor))
    with_price_ranges([site for vendor in vendors for site in vendor.open_calls])
    companies = SupportCompany.objects.filter(managers=request.user).prefetch_related(
        Prefetch("members", queryset=Vendor.objects.select_related("category", "county"))
    )
    return render(
        request,
        "booths/me.html",
        {"vendors": vendors, "companies": companies, "helper_name_max": HELPER_NAME_MAX},
    )


@login_required
def organiser_home(request):
    if not is_organiser(request.user):
        raise PermissionDenied
    counts = {
        f"n_{status}": Count("applications", filter=Q(applications__status=status), distinct=True)
        for status in Application.Status.values
    }
    sites = (
        sites_in_scope(request.user)
        .select_related("exhibition", "county", "venue")
        .annotate(
            n_booths=Count("halls__booths", filter=Q(halls__booths__blocked=False), distinct=True), **counts
        )
        .order_by("-exhibition__created_at", "start_date", "pk")
    )
    sites = list(sites)
    for site in sites:
        site.dates = format_date_span(site.start_date, site.end_date)  # one line: «۱۶–۲۱ آذر»
    return render(
        request,
        "booths/organiser.html",
        {"sites": sites, "statuses": Application.Status.choices},
    )
