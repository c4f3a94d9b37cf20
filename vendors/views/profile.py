"""A vendor's own profile with product photos and a portrait for the gate, and a support company's page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bazaarche.text import digits_for_language
from bazaarche.validators import parse_pk
from vendors import photos as product_photos
from vendors.models import SupportCompany, Vendor, VendorPhoto
from vendors.permissions import can_edit_vendor_profile, can_manage_company
from vendors.profile_forms import CaptionForm, PhotoUploadForm, PortraitForm, VendorDetailsForm


def _own_vendor(request, pk: int) -> Vendor:
    """The vendor, if it is the signed-in user's own; otherwise 404, so that nobody learns what exists."""
    vendor = get_object_or_404(Vendor.objects.select_related("category", "county", "support_company"), pk=pk)
    if not can_edit_vendor_profile(request.user, vendor):
        raise Http404
    return vendor


def _photos_context(vendor: Vendor, upload_form: PhotoUploadForm | None = None, **extra) -> dict:
    photos = list(vendor.photos.all())
    limit = settings.PHOTOS_PER_VENDOR
    return {
        "vendor": vendor,
        "photos": photos,
        "photo_limit": limit,
        "photos_left": max(0, limit - len(photos)),
        "photo_max_mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
        "upload_form": upload_form or PhotoUploadForm(existing=len(photos)),
        **extra,
    }


def _photos_changed(request, vendor: Vendor, notice: str):
    """After a change to the photos: htmx gets the fresh grid with the notice; a plain post is redirected."""
    if request.htmx:
        return render(request, "vendors/profile.html#photos", _photos_context(vendor, notice=notice))
    messages.success(request, notice)
    return redirect("vendor-profile", pk=vendor.pk)


@login_required
@require_http_methods(["GET", "POST"])
def vendor_profile(request, pk: int):
    vendor = _own_vendor(request, pk)
    details_form = VendorDetailsForm(instance=vendor)
    portrait_form = PortraitForm()
    upload_form = None
    extra: dict = {}
    action = request.POST.get("action") if request.method == "POST" else None

    if action == "details":
        details_form = VendorDetailsForm(request.POST, instance=vendor)
        if details_form.is_valid():
            details_form.save()
            messages.success(request, _("Your business details are saved."))
            return redirect("vendor-profile", pk=vendor.pk)
        # Validation copied the refused values onto the vendor; the heading must show the saved ones.
        vendor.refresh_from_db(fields=["business_name", "description"])

    elif action == "photos":
        upload_form = PhotoUploadForm(request.POST, request.FILES, existing=vendor.photos.count())
        if upload_form.is_valid():
            try:
                added = product_photos.add_photos(
                    vendor, upload_form.prepared, upload_form.cleaned_data["caption"]
                )
            except product_photos.PhotoError as error:  # another upload filled the last places meanwhile
                upload_form.add_error("photos", error.message)
            else:
                notice = ngettext("%(count)s photo added.", "%(count)s photos added.", len(added)) % {
                    "count": digits_for_language(str(len(added)))
                }
                return _photos_changed(request, vendor, notice)

    elif action == "caption":
        photo_pk = request.POST.get("photo", "")
        photo = get_object_or_404(VendorPhoto, pk=parse_pk(photo_pk) or 0, vendor=vendor)
        caption_form = CaptionForm(request.POST)
        if caption_form.is_valid():
            photo.caption = caption_form.cleaned_data["caption"]
            photo.save(update_fields=["caption"])
            return _photos_changed(request, vendor, _("Caption saved."))
        extra = {"caption_photo": photo.pk, "caption_errors": caption_form.errors["caption"]}

    elif action == "portrait":
        portrait_form = PortraitForm(request.POST, request.FILES)
        if portrait_form.is_valid():
            product_photos.set_portrait(vendor, portrait_form.prepared)
            messages.success(request, _("Your photo for the gate is saved."))
            return redirect(f"{reverse('vendor-profile', args=[vendor.pk])}#portrait")

    elif action == "portrait-remove":
        if vendor.portrait:
            product_photos.set_portrait(vendor, None)
            messages.success(request, _("Your photo for the gate is removed."))
        return redirect(f"{reverse('vendor-profile', args=[vendor.pk])}#portrait")

    elif request.method == "POST":
        return redirect("vendor-profile", pk=vendor.pk)

    context = _photos_context(
        vendor, upload_form, details_form=details_form, portrait_form=portrait_form, **extra
    )
    # A form with errors is answered 200, like a first view: htmx only swaps successful responses.
    if request.htmx and action in ("photos", "caption"):
        return render(request, "vendors/profile.html#photos", context)
    return render(request, "vendors/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delete_photo(request, pk: int, photo_pk: int):
    """GET asks for confirmation; only POST deletes."""
    vendor = _own_vendor(request, pk)
    photo = get_object_or_404(VendorPhoto, pk=photo_pk, vendor=vendor)
    if request.method == "POST":
        product_photos.delete_photo(photo)
        messages.success(request, _("The photo is deleted."))
        return redirect("vendor-profile", pk=vendor.pk)
    return render(request, "vendors/profile_photo_delete.html", {"vendor": vendor, "photo": photo})


@never_cache
@login_required
@require_GET
def own_portrait(request, pk: int):
    """The vendor's portrait, for the vendor's own eyes (the gate and organisers see it through the
    booths app's view); never at a /media/ address."""
    vendor = _own_vendor(request, pk)
    if not vendor.portrait:
        raise Http404
    try:
        image = vendor.portrait.open("rb")
    except OSError:  # the row names a file that is gone
        raise Http404 from None
    return FileResponse(image, content_type="image/jpeg")


@login_required
def company(request, pk: int):
    """A support company's member vendors as the registry links them, for the company's managers only."""
    support_company = get_object_or_404(SupportCompany.objects.select_related("county"), pk=pk)
    if not can_manage_company(request.user, support_company):
        raise Http404
    members = list(
        Vendor.objects.filter(support_company=support_company)
        .select_related("category", "county")
        .order_by("last_name", "first_name", "pk")
    )
    return render(request, "vendors/company.html", {"company": support_company, "members": members})
