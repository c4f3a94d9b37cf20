"""Vendors' applications (open calls, apply, view, edit, withdraw) and the organisers' review list."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext, ngettext
from django.views.decorators.http import require_POST

from bazaarche.text import digits_for_language
from booths.allocation.waitlist import LIVE
from booths.applications import applying, groups
from booths.applications.call_site import call_site
from booths.applications.forms import ApplicationForm, BulkActionForm, GroupApplicationForm, ReviewFilterForm
from booths.applications.priority import reason_labels
from booths.applications.review import ReviewError, change_status, review_list, status_counts
from booths.models import Application
from booths.permissions import applications_visible_to, can_apply, can_review, sites_in_scope
from booths.plans.prices import price_ranges, with_price_ranges
from booths.plans.zones import site_zones, zone_name, zone_plan
from events.models import Site
from events.permissions import can_view_site


@login_required
def calls(request):
    now = timezone.now()
    rows = [
        (vendor, list(applying.open_calls(vendor, now)))
        for vendor in groups.vendors_for_applying(request.user)
    ]
    with_price_ranges([site for _vendor, sites in rows for site in sites])
    return render(request, "booths/calls.html", {"rows": rows})


def _zone_context(site: Site, form) -> dict:
    """The plan of the site by zone, beside the form's zone choices (nothing when it offers none)."""
    rtl = get_language_bidi()
    zones = form.site_zones if form is not None else []
    return {"zone_plan": zone_plan(site, zones, rtl=rtl) if zones else [], "rtl": rtl}


@login_required
def apply(request, slug):
    call = call_site(slug)
    site = call.site
    if not can_view_site(request.user, site):  # a draft exists for its organisers only
        raise Http404
    candidates = [v for v in groups.vendors_for_applying(request.user) if can_apply(request.user, v)]
    if not candidates:
        raise Http404
    now = timezone.now()
    site_refusal = applying.site_refusal(site, now)
    refusals = applying.vendor_refusals(candidates, site)
    group = groups.is_group(candidates, request.user)
    eligible = [v for v in candidates if not refusals[v.pk]]
    form = None
    failures = []
    if site_refusal is None and eligible:
        choices = [(str(v.pk), f"{v.business_name} — {v.full_name}") for v in eligible]
        data = request.POST if request.method == "POST" else None
        form = GroupApplicationForm(call, choices, data) if group else ApplicationForm(call, data)
        if request.method == "POST" and form.is_valid():
            chosen = (
                [v for v in eligible if str(v.pk) in form.cleaned_data["vendors"]] if group else eligible[:1]
            )
            try:
                company = groups.group_company(chosen, request.user)
                made = applying.apply(chosen, site, form.data_for_application(), request.user, company, now)
            except applying.ApplicationRefused as refused:
                failures = [r.message for r in refused.refusals]
            else:
                messages.success(
                    request,
                    gettext("Your application for %(site)s has been sent.") % {"site": site.title}
                    if len(made) == 1
                    else gettext("%(n)s applications for %(site)s have been sent as one group.")
                    % {"n": digits_for_language(str(len(made))), "site": site.title},
                )
                if len(made) == 1:
                    return redirect("apply-application", made[0].pk)
                return redirect("me")
    # A POST that comes back to the page was refused: by the form, by eligibility or by the window.
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "booths/apply.html",
        {
            "site": site,
            "site_refusal": site_refusal,
            "candidates": [(v, refusals[v.pk]) for v in candidates],
            "group": group,
            "form": form,
            "failures": failures,
            "photos": _photos(eligible if group else eligible[:1]),
            "price_range": price_ranges([site.pk]).get(site.pk),
            **_zone_context(site, form),
        },
        status=status,
    )


def _photos(vendors):
    from vendors.models import VendorPhoto

    return list(VendorPhoto.objects.filter(vendor__in=vendors).select_related("vendor")[:12])


def _own_application(request, pk) -> Application:
    application = get_object_or_404(
        applications_visible_to(request.user).select_related(
            "site__exhibition", "site__county", "vendor__category__group", "vendor__county", "company"
        ),
        pk=pk,
    )
    return application


@login_required
def application_detail(request, pk):
    application = _own_application(request, pk)
    call = call_site(application.site.slug)
    site = application.site = call.site
    may_act = can_apply(request.user, application.vendor)
    edit_refusal = applying.edit_refusal(application) if may_act else None
    form = None
    if may_act and edit_refusal is None:
        if request.method == "POST" and request.POST.get("action") == "edit":
            form = ApplicationForm(call, request.POST)
            if form.is_valid():
                applying.update(application, form.data_for_application())
                messages.success(request, gettext("Your changes have been saved."))
                return redirect("apply-application", application.pk)
        else:
            form = ApplicationForm(call, initial=ApplicationForm.initial_from(application))
    if request.method == "POST" and request.POST.get("action") == "withdraw" and may_act:
        try:
            released = applying.withdraw(application, request.user)
        except applying.ApplicationRefused as refused:
            messages.error(request, refused.refusals[0].message)
        else:
            messages.success(
                request,
                gettext(
                    "Your application has been withdrawn and your booth released: your passes no longer "
                    "admit, and the booth goes to the waiting list."
                )
                if released
                else gettext("Your application has been withdrawn."),
            )
        return redirect("apply-application", application.pk)
    if request.method == "POST" and form is None:
        # An edit after the window closed or after review: say why instead of failing silently.
        messages.error(
            request, edit_refusal.message if edit_refusal else gettext("You cannot change this application.")
        )
        return redirect("apply-application", application.pk)
    if request.method == "POST" and not form.is_bound:
        # Neither button's action came with the post (an old page, a hand-made request).
        messages.error(
            request,
            gettext("Nothing has been saved. Use “Save changes” or “Withdraw the application”."),
        )
        return redirect("apply-application", application.pk)
    return render(
        request,
        "booths/apply_application.html",
        {
            "application": application,
            "site": site,
            "form": form,
            "edit_refusal": edit_refusal,
            "may_withdraw": may_act and application.status in applying.WITHDRAWABLE,
            "changes": application.changes.select_related("by"),
            "reasons": reason_labels(application.priority_reasons),
            "days": [datetime.date.fromisoformat(d) for d in application.days],
            "photos": _photos([application.vendor]),
            "price_range": price_ranges([site.pk]).get(site.pk),
            "booth": _offered_booth(application),
            "preferred_zones": _zone_names(site, application.preferred_zones) if form is None else [],
            **_zone_context(site, form),
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _zone_names(site: Site, codes: list[str]) -> list[str]:
    """The zones an application prefers, by the names the vendor chose them by (a code no booth carries now
    keeps its fallback name)."""
    if not codes:
        return []
    names = {zone.code: zone.name for zone in site_zones(site, bookable_only=False)}
    return [names.get(code) or zone_name(code, None) for code in codes]


def _offered_booth(application: Application):
    """The booth offered to or confirmed by the application, whose price the vendor reads; else None."""
    offer = application.offers.filter(status__in=LIVE).select_related("booth").first()
    return offer.booth if offer else None


def _review_site(request, slug) -> Site:
    site = get_object_or_404(sites_in_scope(request.user).select_related("exhibition", "county"), slug=slug)
    if not can_review(request.user, site):
        raise Http404
    return site


def _review_context(request, site, bulk_form=None, notice=""):
    filter_form = ReviewFilterForm(site, request.GET or None)
    applications = list(review_list(site, filter_form.filters()))
    counts = status_counts(site)
    for application in applications:
        application.reason_labels = reason_labels(application.priority_reasons)
    return {
        "site": site,
        "filter_form": filter_form,
        "applications": applications,
        "counts": counts,
        "status_rows": [(value, label, counts[value]) for value, label in Application.Status.choices],
        "bulk_form": bulk_form or BulkActionForm(site),
        "notice": notice,
        "query": request.GET.urlencode(),
    }


@login_required
def review(request, slug):
    site = _review_site(request, slug)
    context = _review_context(request, site)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "booths/review.html#results", context)
    return render(request, "booths/review.html", context)


@login_required
@require_POST
def review_bulk(request, slug):
    site = _review_site(request, slug)
    form = BulkActionForm(site, request.POST)
    notice = ""
    status = 200
    if form.is_valid():
        new_status = BulkActionForm.ACTIONS[form.cleaned_data["action"]]
        try:
            changes = change_status(
                Application.objects.filter(site=site, pk__in=form.cleaned_data["applications"]),
                new_status,
                form.cleaned_data["reason"],
                request.user,
            )
        except ReviewError as error:
            form.add_error("reason", error.message)
            status = 400
        else:
            notice = gettext(
                "%(n)s applications changed to “%(status)s”; each vendor has been sent a text message."
            ) % {
                "n": digits_for_language(str(changes.changed)),
                "status": Application.Status(new_status).label,
            }
            if changes.released:
                notice += " " + ngettext(
                    "%(n)s booth was released: its passes no longer admit, and %(offered)s on the waiting "
                    "list have been offered a booth.",
                    "%(n)s booths were released: their passes no longer admit, and %(offered)s on the "
                    "waiting list have been offered a booth.",
                    len(changes.released),
                ) % {
                    "n": digits_for_language(str(len(changes.released))),
                    "offered": digits_for_language(str(len(changes.offered))),
                }
            if not request.htmx:
                messages.success(request, notice)
                url = reverse("review-list", args=[site.slug])
                query = request.POST.get("query", "")
                return redirect(f"{url}?{query}" if query else url)
            form = None
    else:
        status = 400
    # The filters the organiser was looking at travel with the form, so the list stays the same.
    request.GET = QueryDict(request.POST.get("query", ""))
    context = _review_context(request, site, bulk_form=form, notice=notice)
    template = "booths/review.html#results" if request.htmx else "booths/review.html"
    return render(request, template, context, status=status if not request.htmx else 200)
