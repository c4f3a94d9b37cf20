"""The organiser dashboard (charts of applications, occupancy, check-ins, no-shows, priorities) and its exports."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from bazaarche import spreadsheets
from bazaarche.text import is_persian
from booths.reports import charts, exports
from booths.reports.dashboard import DashboardFilters, build_dashboard
from vendors.permissions import is_organiser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organiser(request) -> None:
    if not is_organiser(request.user):
        raise PermissionDenied


@login_required
def dashboard(request):
    _organiser(request)
    filters = DashboardFilters(request.GET, user=request.user)
    persian = is_persian()
    data = build_dashboard(filters.sites(), timezone.localdate(), language_fa=persian)
    context = {
        "filters": filters,
        "data": data,
        "charts": charts.dashboard_charts(data, rtl=persian),
        "exports": exports.EXPORTS,
        "query": urlencode(filters.active),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "booths/dashboard/dashboard.html#results", context)
    else:
        response = render(request, "booths/dashboard/dashboard.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def dashboard_export(request, kind: str, fmt: str):
    _organiser(request)
    export = exports.EXPORTS.get(kind)
    if export is None or fmt not in ("csv", "xlsx"):
        raise Http404
    filters = DashboardFilters(request.GET, user=request.user)
    rows = export.rows(filters.sites())
    if fmt == "csv":
        response = StreamingHttpResponse(
            spreadsheets.csv_chunks(export.headers, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            spreadsheets.xlsx_bytes(export.sheet, export.headers, rows), content_type=XLSX
        )
    response["Content-Disposition"] = (
        f'attachment; filename="{spreadsheets.export_filename(export.key, fmt)}"'
    )
    return response
