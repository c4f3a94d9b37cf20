"""The organisers' vendor directory: the filtered list, one vendor's registry record, and exports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from bazaarche import spreadsheets
from vendors import directory
from vendors.permissions import can_view_vendor_private, is_organiser


def _organiser(request) -> None:
    if not is_organiser(request.user):
        raise PermissionDenied


@login_required
def vendor_directory(request):
    _organiser(request)
    today = timezone.localdate()
    filters = directory.DirectoryFilters(request.GET, user=request.user)
    vendors = directory.directory_vendors(request.user, filters, today)
    page = Paginator(vendors, directory.PAGE_SIZE).get_page(request.GET.get("page"))
    for vendor in page:
        vendor.permit_status = directory.permit_status(vendor, today)
    context = {"filters": filters, "page": page, "statuses": dict(directory.PERMIT_STATUSES)}
    # A history restore asks for the whole page, though htmx sends it.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "vendors/directory.html#results", context)
    else:
        response = render(request, "vendors/directory.html", context)
    # The same URL answers with a fragment or a page, so caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def vendor_export(request, fmt: str):
    _organiser(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filters = directory.DirectoryFilters(request.GET, user=request.user)
    vendors = directory.directory_vendors(request.user, filters)
    rows = directory.export_rows(vendors)
    if fmt == "csv":
        response = StreamingHttpResponse(
            spreadsheets.csv_chunks(directory.EXPORT_HEADERS, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            spreadsheets.xlsx_bytes("غرفه‌داران", directory.EXPORT_HEADERS, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{spreadsheets.export_filename("vendors", fmt)}"'
    return response


@login_required
def vendor_detail(request, pk: int):
    _organiser(request)
    vendor = get_object_or_404(
        directory.vendors_for(request.user)
        .select_related("category__group", "county", "support_company")
        .prefetch_related("photos"),
        pk=pk,
    )
    today = timezone.localdate()
    return render(
        request,
        "vendors/vendor_detail.html",
        {
            "vendor": vendor,
            "private": can_view_vendor_private(request.user, vendor),
            "permit_status": directory.permit_status(vendor, today),
            "statuses": dict(directory.PERMIT_STATUSES),
        },
    )
