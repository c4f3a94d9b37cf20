"""Registry imports from the organiser pages: upload, watch the check, confirm, download the report."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bazaarche.bilingual import in_language
from vendors import tasks
from vendors.models import RegistryImport
from vendors.permissions import can_import_registry

MAX_UPLOAD_MB = 50


class RegistryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Registry export (CSV or Excel)"),
        help_text=_("The file exported from the home-jobs registry, as CSV or XLSX, up to 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": _("Choose the registry export file first."),
            "empty": _("The file is empty. Export it from the registry again."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than 50 MB. Split it into smaller files and upload them one by one."),
                code="too_large",
            )
        return upload


def _importer(request) -> None:
    if not can_import_registry(request.user):
        raise PermissionDenied


def _imports_for(user):
    """Imports uploaded by organisers of the same province (stalled ones marked failed first)."""
    tasks.fail_stalled()
    return RegistryImport.objects.filter(uploaded_by__organiser_province_id=user.organiser_province_id)


@login_required
def registry_imports(request):
    _importer(request)
    if request.method == "POST":
        form = RegistryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            registry_import = tasks.start_check(form.cleaned_data["file"], request.user)
            return redirect("registry-import", registry_import.pk)
    else:
        form = RegistryUploadForm()
    imports = _imports_for(request.user).select_related("uploaded_by")[:50]
    return render(request, "vendors/imports.html", {"form": form, "imports": imports})


@login_required
def registry_import(request, pk: int):
    _importer(request)
    registry_import = get_object_or_404(_imports_for(request.user), pk=pk)
    context = {
        "registry_import": registry_import,
        "error": in_language(registry_import.error),
        "running": registry_import.status
        in (RegistryImport.Status.CHECKING, RegistryImport.Status.IMPORTING),
        "unchanged": registry_import.rows_ok - registry_import.created - registry_import.updated,
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "vendors/imports_detail.html#status", context)
    else:
        response = render(request, "vendors/imports_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@login_required
def registry_import_confirm(request, pk: int):
    _importer(request)
    registry_import = get_object_or_404(_imports_for(request.user), pk=pk)
    if not tasks.confirm(registry_import.pk):
        messages.info(request, gettext("This file has already been confirmed; it is imported only once."))
    return redirect("registry-import", registry_import.pk)


@login_required
def registry_import_report(request, pk: int):
    _importer(request)
    registry_import = get_object_or_404(_imports_for(request.user), pk=pk)
    if not registry_import.report:
        raise Http404
    return FileResponse(
        registry_import.report.open("rb"),
        as_attachment=True,
        filename=f"report-{registry_import.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
