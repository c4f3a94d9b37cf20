"""The organisers' editor: exhibitions, their sites, weekly hours, closures and quotas, publishing.

Anything outside an organiser's area (another province's exhibition, another county's site)
answers 404, as if it did not exist; an organiser who may see a page but not do an action on it
(a county organiser editing an exhibition's title) gets 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bazaarche.text import digits_for_language
from events import editing
from events.forms import ExceptionForm, ExhibitionForm, HoursForm, QuotasForm, SiteForm
from events.models import Exhibition, Site
from events.permissions import (
    can_add_site,
    can_create_exhibition,
    can_edit_exhibition,
    can_edit_site,
    can_publish_exhibition,
)
from events.schedule import same_hours_every_day, week_order
from vendors.models import CategoryGroup
from vendors.permissions import is_county_organiser, is_organiser


def _organiser(request) -> None:
    if not is_organiser(request.user):
        raise PermissionDenied


def _exhibition_or_404(request, slug: str) -> Exhibition:
    exhibition = get_object_or_404(Exhibition.objects.select_related("province"), slug=slug)
    if exhibition.province_id != request.user.organiser_province_id:
        raise Http404
    return exhibition


def _site_or_404(request, slug: str) -> Site:
    site = get_object_or_404(Site.objects.select_related("exhibition", "county", "venue"), slug=slug)
    if not can_edit_site(request.user, site):
        raise Http404
    return site


def _scoped_sites(user):
    sites = (
        Site.objects.select_related("county", "venue").prefetch_related("hours").order_by("start_date", "pk")
    )
    if is_county_organiser(user):
        sites = sites.filter(county_id=user.organiser_county_id)
    return sites


def _posted(request):
    """The post to bind forms to, even an empty one: `request.POST or None` would show it as a first view."""
    return request.POST if request.method == "POST" else None


def _uploads(request):
    return request.FILES if request.method == "POST" else None


@login_required
def exhibition_list(request):
    _organiser(request)
    user = request.user
    site_filter = Q(sites__county_id=user.organiser_county_id) if is_county_organiser(user) else Q()
    exhibitions = (
        Exhibition.objects.filter(province_id=user.organiser_province_id)
        .annotate(n_sites=Count("sites", filter=site_filter))
        .order_by("-created_at", "pk")
    )
    return render(
        request,
        "events/editor/exhibitions.html",
        {"exhibitions": exhibitions, "can_create": can_create_exhibition(user)},
    )


@login_required
def exhibition_new(request):
    _organiser(request)
    if not can_create_exhibition(request.user):
        raise PermissionDenied
    form = ExhibitionForm(_posted(request), _uploads(request))
    if request.method == "POST" and form.is_valid():
        exhibition = editing.save_exhibition(form, request.user)
        messages.success(request, _("The exhibition was created. Now add its sites."))
        return redirect("editor-exhibition", exhibition.slug)
    return render(request, "events/editor/exhibition_new.html", {"form": form})


@login_required
def exhibition_edit(request, slug):
    _organiser(request)
    exhibition = _exhibition_or_404(request, slug)
    may_edit = can_edit_exhibition(request.user, exhibition)
    form = None
    if may_edit:
        form = ExhibitionForm(_posted(request), _uploads(request), instance=exhibition)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            exhibition = editing.save_exhibition(form, request.user)
            messages.success(request, _("Changes saved."))
            return redirect("editor-exhibition", exhibition.slug)
        # Validation copied the refused values (an empty slug) onto the instance; show the stored ones.
        exhibition = _exhibition_or_404(request, slug)
    sites = list(_scoped_sites(request.user).filter(exhibition=exhibition))
    for site in sites:
        site.week = week_order(list(site.hours.all()))
        site.every_day = same_hours_every_day(site.week)
    return render(
        request,
        "events/editor/exhibition.html",
        {
            "exhibition": exhibition,
            "form": form,
            "sites": sites,
            "can_publish": can_publish_exhibition(request.user, exhibition)
            and exhibition.status != Exhibition.Status.PUBLISHED,
            "can_add_site": can_add_site(request.user, exhibition),
        },
    )


@login_required
@require_POST
def exhibition_publish(request, slug):
    _organiser(request)
    exhibition = _exhibition_or_404(request, slug)
    if not can_publish_exhibition(request.user, exhibition):
        raise PermissionDenied
    editing.publish_exhibition(exhibition)
    messages.success(request, _("The exhibition is published; everyone can see it now."))
    return redirect("editor-exhibition", exhibition.slug)


def _site_forms(request, site: Site | None, exhibition: Exhibition, data=None):
    groups = list(CategoryGroup.objects.order_by("name_fa"))
    hours = list(site.hours.all()) if site else []
    percents = {q.group_id: q.max_percent for q in site.quotas.all()} if site else {}
    site_form = SiteForm(
        data,
        instance=site,
        counties=editing.counties_in_scope(request.user),
        province=exhibition.province,
    )
    hours_form = HoursForm(data, initial=HoursForm.initial_for(hours))
    quotas_form = QuotasForm(data, groups=groups, initial_percents=percents)
    return site_form, hours_form, quotas_form


def _save_site(request, site: Site | None, exhibition: Exhibition, forms):
    site_form, hours_form, quotas_form = forms
    valid = [f.is_valid() for f in forms]
    if not all(valid):
        return None
    return editing.save_site(site_form, hours_form.cleaned_data["hours"], quotas_form.percents(), exhibition)


@login_required
def site_new(request, slug):
    _organiser(request)
    exhibition = _exhibition_or_404(request, slug)
    if not can_add_site(request.user, exhibition):
        raise PermissionDenied
    forms = _site_forms(request, None, exhibition, _posted(request))
    if request.method == "POST":
        site = _save_site(request, None, exhibition, forms)
        if site is not None:
            messages.success(request, _("The site was added. You can add closures and holidays below."))
            return redirect("editor-site", site.slug)
    site_form, hours_form, quotas_form = forms
    return render(
        request,
        "events/editor/site_new.html",
        {"exhibition": exhibition, "form": site_form, "hours_form": hours_form, "quotas_form": quotas_form},
    )


def _site_page(request, site: Site, forms, exception_form=None, status=200):
    site_form, hours_form, quotas_form = forms
    exceptions = list(site.exceptions.all())
    return render(
        request,
        "events/editor/site.html",
        {
            "site": site,
            "exhibition": site.exhibition,
            "form": site_form,
            "hours_form": hours_form,
            "quotas_form": quotas_form,
            "exception_form": exception_form or ExceptionForm(site=site),
            "exceptions": exceptions,
            "any_estimated": any(e.estimated for e in exceptions),
        },
        status=status,
    )


@login_required
def site_edit(request, slug):
    _organiser(request)
    site = _site_or_404(request, slug)
    forms = _site_forms(request, site, site.exhibition, _posted(request))
    if request.method == "POST":
        saved = _save_site(request, site, site.exhibition, forms)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("editor-site", saved.slug)
        # The form may have changed the unsaved instance (a bad slug); show the stored site's heading.
        site = _site_or_404(request, slug)
    return _site_page(request, site, forms)


@login_required
@require_POST
def exception_add(request, slug):
    _organiser(request)
    site = _site_or_404(request, slug)
    form = ExceptionForm(request.POST, site=site)
    if form.is_valid():
        editing.add_exception(site, form.cleaned_data)
        return _exceptions_done(request, site, _("The closure or exception was added."))
    if request.htmx:
        return _exceptions_partial(request, site, form)
    # The site's own form shows its stored values, not this post.
    return _site_page(request, site, _site_forms(request, site, site.exhibition), form, status=400)


def _exceptions_partial(request, site: Site, form=None, notice: str = ""):
    """The closures section alone, for htmx; the same markup the full page has."""
    exceptions = list(site.exceptions.all())
    return render(
        request,
        "events/editor/site.html#exceptions",
        {
            "site": site,
            "exceptions": exceptions,
            "any_estimated": any(e.estimated for e in exceptions),
            "exception_form": form or ExceptionForm(site=site),
            "notice": notice,
        },
    )


def _exceptions_done(request, site: Site, notice: str):
    if request.htmx:
        return _exceptions_partial(request, site, notice=notice)
    messages.success(request, notice)
    return redirect(_exceptions_anchor(site))


def _exceptions_anchor(site: Site) -> str:
    return reverse("editor-site", args=[site.slug]) + "#exceptions"


@login_required
@require_POST
def exception_remove(request, slug, pk):
    _organiser(request)
    site = _site_or_404(request, slug)
    if not editing.remove_exception(site, pk):
        raise Http404
    return _exceptions_done(request, site, _("The closure or exception was removed."))


@login_required
@require_POST
def holidays_add(request, slug):
    _organiser(request)
    site = _site_or_404(request, slug)
    created = editing.add_iranian_holidays(site)
    if created:
        notice = ngettext(
            "%(count)s official holiday was added as a closure.",
            "%(count)s official holidays were added as closures.",
            len(created),
        ) % {"count": _digits(len(created))}
    else:
        notice = _("No official holidays fall on the site's dates that are not already listed.")
    return _exceptions_done(request, site, notice)


def _digits(n: int) -> str:
    return digits_for_language(str(n))
