from django.contrib import admin

from .models import (
    Admission,
    AllocationRun,
    Application,
    ApplicationChange,
    Assignment,
    Booth,
    GateToken,
    Hall,
    Offer,
    Pass,
)


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "site", "rows", "cols"]
    list_filter = ["site"]


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    list_display = ["code", "hall", "zone", "type", "has_power", "has_water", "accessible", "blocked"]
    list_filter = ["hall__site", "type", "has_power", "has_water", "accessible", "blocked"]
    filter_horizontal = ["neighbours"]
    list_select_related = ["hall"]


class ApplicationChangeInline(admin.TabularInline):
    model = ApplicationChange
    extra = 0
    readonly_fields = ["old_status", "new_status", "reason", "by", "at"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["vendor", "site", "status", "priority", "created_at"]
    list_filter = ["status", "site"]
    raw_id_fields = ["vendor", "pinned_booth", "applied_by", "company"]
    list_select_related = ["vendor", "site"]
    inlines = [ApplicationChangeInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["application", "booth", "status", "expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["application", "booth"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["booth", "date", "application"]
    list_filter = ["date"]
    raw_id_fields = ["booth", "application", "offer"]


@admin.register(Pass)
class PassAdmin(admin.ModelAdmin):
    list_display = ["application", "holder", "site", "issued_at", "revoked_at"]
    list_filter = ["site", "holder"]
    raw_id_fields = ["application"]
    exclude = ["code"]


@admin.register(GateToken)
class GateTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "key_prefix", "created_at", "revoked_at"]
    list_filter = ["site"]


@admin.register(Admission)
class AdmissionAdmin(admin.ModelAdmin):
    list_display = ["scanned_at", "site", "result", "pass_obj", "gate"]
    list_filter = ["site", "result", "date"]
    raw_id_fields = ["pass_obj", "gate"]


@admin.register(AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):
    list_display = ["site", "seed", "status", "created_at", "published_at"]
    list_filter = ["status"]
    raw_id_fields = ["site"]
    exclude = [
        "instance",
        "placements",
        "refusals",
        "tickets",
        "lottery",
    ]  # large; the organiser's page shows them
