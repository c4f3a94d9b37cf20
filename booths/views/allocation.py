"""The organiser's allocation page (run, floor plan, move, swap, pin, publish) and the public lottery page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_bidi, gettext
from django.views.decorators.http import require_POST

from bazaarche.text import digits_for_language
from bazaarche.validators import parse_pk
from booths.allocation.adapter import active_run, start_run
from booths.allocation.board import allocation_board, is_running
from booths.allocation.edits import EditError, Waiver, move, pin, swap, unpin
from booths.allocation.instance import canonical_instance
from booths.allocation.offers import OfferError, publish
from booths.allocation.public import drawn_runs, lottery_order, published_lottery
from booths.allocation.runs import latest_run
from booths.models import AllocationRun
from booths.permissions import can_allocate, can_download_lottery_input, can_view_lottery
from booths.plans.labels import booth_label
from events.models import Site

# A booth as typed ("HALL/CODE"); a longer text names no booth, and it is kept after a refusal.
MAX_BOOTH_TEXT = 40


def _site_for(request, slug: str) -> Site:
    """Sites outside the organiser's scope do not exist for them (404, not 403)."""
    site = get_object_or_404(Site.objects.select_related("county", "exhibition"), slug=slug)
    if not can_allocate(request.user, site):
        raise Http404
    return site


def _selected(request) -> int | None:
    return parse_pk(request.GET.get("booth") or request.POST.get("selected") or "")


@login_required
def allocation_page(request, slug: str):
    site = _site_for(request, slug)
    show_all = request.GET.get("unplaced") == "all"
    context = allocation_board(site, _selected(request), show_all, rtl=get_language_bidi())
    _pop_refusal(request, site, context)
    if request.htmx and request.GET.get("booth"):
        return render(request, "booths/allocation/site.html#detail", context)
    return render(request, "booths/allocation/site.html", context)


@login_required
def allocation_progress(request, slug: str):
    site = _site_for(request, slug)
    run = latest_run(site)
    running = is_running(run)
    if request.htmx and not running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # the result is ready: show the whole page
        return response
    if not request.htmx:
        return redirect("allocation-site", slug=site.slug)
    return render(
        request, "booths/allocation/site.html#progress", {"site": site, "run": run, "running": running}
    )


@login_required
@require_POST
def allocation_run(request, slug: str):
    """Run the allocation. No seed is taken from the form: the run draws it after it has recorded its
    commitment to the instance."""
    site = _site_for(request, slug)
    if active_run(site) is not None:
        messages.error(
            request, gettext("An allocation of this site is already running; wait for it to finish.")
        )
        return redirect("allocation-site", slug=site.slug)
    run = start_run(site, by=request.user)
    if run.status == AllocationRun.Status.DONE:
        messages.success(
            request,
            digits_for_language(
                gettext("Allocated with seed %(seed)s: %(placed)s placed, %(unplaced)s without a booth.")
                % {"seed": run.seed, "placed": run.summary["placed"], "unplaced": run.summary["unplaced"]}
            ),
        )
    elif run.status == AllocationRun.Status.FAILED:
        messages.error(request, gettext("The allocation failed; nothing was changed. Try again."))
    return redirect("allocation-site", slug=site.slug)


@login_required
@require_POST
def allocation_publish(request, slug: str):
    site = _site_for(request, slug)
    run = latest_run(site)
    if run is None:
        messages.error(request, gettext("Run the allocation before publishing it."))
        return redirect("allocation-site", slug=site.slug)
    try:
        offers = publish(run, request.user)
    except OfferError as error:
        messages.error(request, error.message)
        return redirect("allocation-site", slug=site.slug)
    messages.success(
        request,
        digits_for_language(gettext("Published: offers went to %(count)s vendors.") % {"count": len(offers)}),
    )
    return redirect("allocation-site", slug=site.slug)


@login_required
@require_POST
def allocation_edit(request, slug: str):
    """Move, swap, pin or unpin, then back to the plan at its own address, whatever the outcome."""
    site = _site_for(request, slug)
    action = request.POST.get("action", "")
    app_text = request.POST.get("application", "")
    booth_text = request.POST.get("booth", "")[:MAX_BOOTH_TEXT]
    selected = _selected(request)
    application_id = parse_pk(app_text)
    if application_id is None or action not in ("move", "swap", "pin", "unpin"):
        refusal = EditError("no_action", gettext("Choose an application and an action."))
        return _edit_refused(request, site, selected, refusal)
    # A need set aside for this change: the form offered after a refusal for a need alone.
    waiver = Waiver(request.POST.get("reason", ""), request.user) if request.POST.get("override") else None
    try:
        if action == "move":
            booth = move(site, application_id, booth_text, waiver=waiver)
            selected = booth.pk
            messages.success(
                request, gettext("Moved to %(booth)s and pinned there.") % {"booth": booth_label(booth)}
            )
        elif action == "swap":
            other = swap(site, application_id, booth_text, waiver=waiver)
            if other is None:
                messages.success(request, gettext("Nobody was on that booth: moved there and pinned."))
            else:
                messages.success(
                    request,
                    gettext("Swapped with %(vendor)s; both are pinned.")
                    % {"vendor": other.vendor.business_name},
                )
        elif action == "pin":
            booth = pin(site, application_id)
            messages.success(
                request,
                gettext("Pinned to %(booth)s: a re-run keeps it there.") % {"booth": booth_label(booth)},
            )
        else:
            unpin(site, application_id)
            messages.success(request, gettext("Unpinned: a re-run may move it."))
    except EditError as error:
        return _edit_refused(request, site, selected, error, application_id, action, booth_text)
    if waiver is not None:
        messages.info(request, gettext("The need set aside and the reason are in the application's history."))
    url = reverse("allocation-site", args=[site.slug])
    if selected:
        url += f"?booth={selected}#booth-detail"
    return redirect(url)


def _refusal_key(site: Site) -> str:
    return f"allocation-refusal-{site.pk}"


def _edit_refused(
    request,
    site: Site,
    selected: int | None,
    error: EditError,
    application_id: int | None = None,
    action: str = "",
    booth_text: str = "",
):
    """Back to the plan, where the refusal shows once beside the form that asked; nothing changed.

    The refusal waits in the session for the next view of the plan (like a message, but shown in
    its place: the booth's panel, or the application's line in the list without a booth). A refusal
    for a need alone comes with a form to make the change anyway, with a reason.
    """
    request.session[_refusal_key(site)] = {
        "message": error.message,
        "code": error.code,
        "soft": error.soft and action in ("move", "swap"),
        "application": application_id,
        "action": action,
        "booth": booth_text.strip(),
        "selected": selected,
    }
    url = reverse("allocation-site", args=[site.slug])
    if selected:
        return redirect(f"{url}?booth={selected}#booth-detail")
    return redirect(f"{url}#unplaced-{application_id}" if application_id else url)


def _pop_refusal(request, site: Site, context: dict) -> None:
    """Put a waiting refusal in the page, once: in the list without a booth when it came from there
    and the application is listed, otherwise in the booth's panel."""
    refusal = request.session.pop(_refusal_key(site), None)
    if not isinstance(refusal, dict):
        return
    listed = {a.pk for a in context["unplaced"]}
    from_list = not refusal.get("selected") and refusal.get("application") in listed
    refusal["where"] = "unplaced" if from_list else "detail"
    context["refusal"] = refusal


# --- the public lottery ------------------------------------------------------------------------


def lottery_page(request, slug: str):
    """The published lottery without private facts: seed, commitment, tickets in order, every run drawn."""
    site = get_object_or_404(Site.objects.select_related("exhibition", "county"), slug=slug)
    if not can_view_lottery(request.user, site):
        raise Http404
    run = published_lottery(site)
    if run is None:
        raise Http404
    context = {"site": site, "run": run, "order": lottery_order(run), "runs": drawn_runs(site)}
    return render(request, "booths/allocation/lottery.html", context)


def lottery_instance(request, slug: str):
    """A run's instance in its canonical form, for the site's organisers only (it holds priorities and
    needs): the published run's, or ?run=<pk>'s. `sha256sum` of it is the run's commitment."""
    site = get_object_or_404(Site, slug=slug)
    if not can_download_lottery_input(request.user, site):
        raise Http404
    runs = AllocationRun.objects.filter(site=site, status=AllocationRun.Status.DONE).only(
        "pk", "instance", "published_at", "created_at"
    )
    wanted = request.GET.get("run", "")
    if wanted:
        pk = parse_pk(wanted)
        run = runs.filter(pk=pk).first() if pk is not None else None
    else:
        run = runs.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()
        run = run or runs.order_by("-created_at", "-pk").first()
    if run is None or not run.instance:
        raise Http404
    response = HttpResponse(canonical_instance(run.instance), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{site.slug}-run-{run.pk}-instance.json"'
    response["Cache-Control"] = "private, no-store"
    return response
