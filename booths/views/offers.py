"""A vendor's answer to a booth offer: confirm (passes are issued) or decline (the booth passes on)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from booths.allocation.offers import OfferError, confirm, decline
from booths.models import Offer
from booths.permissions import can_respond_to_offer


def _offer_for(request, pk: int) -> Offer:
    offer = get_object_or_404(Offer.objects.select_related("application__vendor"), pk=pk)
    if not can_respond_to_offer(request.user, offer.application):
        raise Http404
    return offer


@login_required
@require_POST
def offer_confirm(request, pk: int):
    offer = _offer_for(request, pk)
    try:
        confirm(offer.pk, request.user)
    except OfferError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Booth confirmed. Your passes are ready on this page."))
    return redirect("me")


@login_required
@require_POST
def offer_decline(request, pk: int):
    offer = _offer_for(request, pk)
    if request.POST.get("sure") != "yes":
        messages.error(request, gettext("Tick the box to confirm that you give up this booth."))
        return redirect("me")
    try:
        decline(offer.pk, request.user)
    except OfferError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, gettext("You declined the booth; it has been offered to the next on the waiting list.")
        )
    return redirect("me")
