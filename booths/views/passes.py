"""Passes: the organiser's list of a site's passes (re-issue, print all), and a vendor's own pass and its PNG."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from booths.gate import cards, printing
from booths.gate.forms import HelperNameForm
from booths.gate.passes import grouped, name_helper, reissue, valid_days
from booths.models import Assignment, Pass
from booths.permissions import can_issue_passes, can_name_helper, can_view_pass, sites_in_scope
from events.models import Site


def _organiser_site(request, slug) -> Site:
    site = get_object_or_404(sites_in_scope(request.user).select_related("exhibition", "county"), slug=slug)
    if not can_issue_passes(request.user, site):
        raise Http404
    return site


def _with_days() -> Prefetch:
    return Prefetch(
        "application__assignments", queryset=Assignment.objects.select_related("booth__hall").order_by("date")
    )


def _print_context(site: Site) -> dict:
    status = printing.print_status(site)
    running = printing.print_in_progress(status)
    stale = False
    finished_at = None
    if status and status.get("state") == "done" and status.get("finished_at"):
        finished_at = datetime.datetime.fromisoformat(status["finished_at"])
        # Passes issued or revoked since the PDF was made: it no longer matches what the gate admits.
        stale = (
            Pass.objects.filter(site=site)
            .filter(Q(issued_at__gt=finished_at) | Q(revoked_at__gt=finished_at))
            .exists()
        )
    ready = bool(status and status.get("state") == "done" and printing.site_pdf_path(site).exists())
    return {"status": status, "running": running, "ready": ready, "stale": stale, "finished_at": finished_at}


@login_required
def site_passes(request, slug):
    site = _organiser_site(request, slug)
    context = {"site": site, **_print_context(site)}
    if request.htmx and request.GET.get("part") == "print":
        return render(request, "booths/passes/site.html#print", context)
    passes = list(
        Pass.objects.filter(site=site)
        .select_related("site", "application__vendor")
        .prefetch_related(_with_days())
        .order_by("revoked_at", "application__vendor__last_name", "application_id", "-holder", "id")
    )
    language = "en" if request.LANGUAGE_CODE == "en" else "fa"
    for pass_obj in passes:
        pass_obj.card = cards.card_for(pass_obj, language)  # the facts as the printed card shows them
    live = [p for p in passes if p.revoked_at is None]
    context |= {"passes": passes, "live_count": len(live), "revoked_count": len(passes) - len(live)}
    return render(request, "booths/passes/site.html", context)


@login_required
@require_POST
def reissue_pass(request, slug, pk):
    site = _organiser_site(request, slug)
    pass_obj = get_object_or_404(Pass, pk=pk, site=site)
    if pass_obj.revoked_at is not None:
        messages.error(request, gettext("This pass was already revoked; its replacement is in the list."))
    else:
        new = reissue(pass_obj)
        messages.success(
            request,
            gettext(
                "Pass re-issued for %(holder)s. The old code no longer admits; the new one ends in %(end)s."
            )
            % {"holder": pass_obj.holder_name or pass_obj.get_holder_display(), "end": new.code[-4:]},
        )
    return redirect("passes-site", site.slug)


@login_required
@require_POST
def print_passes(request, slug):
    site = _organiser_site(request, slug)
    printing.start_site_print(site)
    if request.htmx:
        return render(request, "booths/passes/site.html#print", {"site": site, **_print_context(site)})
    messages.success(request, gettext("Printing started: the PDF of every pass is being made."))
    return redirect("passes-site", site.slug)


@login_required
def print_download(request, slug):
    site = _organiser_site(request, slug)
    path = printing.site_pdf_path(site)
    status = printing.print_status(site) or {}
    if status.get("state") != "done" or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/pdf"
    )


def _own_pass(request, pk) -> Pass:
    """A live pass the user may see (their own, or an organiser's in scope); anyone else gets a 404."""
    pass_obj = get_object_or_404(
        Pass.objects.select_related("site__exhibition", "application__vendor").prefetch_related(_with_days()),
        pk=pk,
        revoked_at__isnull=True,
    )
    if not can_view_pass(request.user, pass_obj):
        raise Http404
    return pass_obj


@login_required
def pass_page(request, pk):
    pass_obj = _own_pass(request, pk)
    card = cards.card_for(pass_obj, language="en" if request.LANGUAGE_CODE == "en" else "fa")
    today = timezone.localdate()
    days = valid_days(pass_obj)
    context = {
        "pass": pass_obj,
        "card": card,
        "qr": mark_safe(
            cards.qr_svg(pass_obj.code, label=gettext("QR code of the pass"))
        ),  # built from the code's own alphabet only
        "grouped_code": grouped(pass_obj.code),
        "valid_today": today in days,
        "days": days,
    }
    return render(request, "booths/passes/pass.html", context)


@login_required
def pass_png(request, pk):
    pass_obj = _own_pass(request, pk)
    response = HttpResponse(cards.card_png(pass_obj), content_type="image/png")
    name = f"pass-{pass_obj.site.slug}-{pass_obj.code[:6]}.png"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def pass_name(request, pk):
    """The vendor writes who carries a helper's pass; back to their page, at that pass."""
    pass_obj = get_object_or_404(
        Pass.objects.select_related("application__vendor"), pk=pk, revoked_at__isnull=True
    )
    if not can_name_helper(request.user, pass_obj):
        raise Http404
    form = HelperNameForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"]
        name_helper(pass_obj, name)
        messages.success(
            request,
            gettext("Saved: the pass now carries the name %(name)s. Your helper shows it at the gate.")
            % {"name": name}
            if name
            else gettext("The name was taken off the pass."),
        )
    else:
        messages.error(request, form.errors["name"][0])
    return redirect(reverse("me") + f"#pass-{pass_obj.pk}")
