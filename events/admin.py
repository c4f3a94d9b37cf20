from django.contrib import admin

from .editing import bump_exhibition, bump_site
from .models import DayException, Exhibition, OpeningHours, Site, SiteQuota, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name_fa", "county"]
    list_filter = ["county"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class DayExceptionInline(admin.TabularInline):
    model = DayException
    extra = 0


class SiteQuotaInline(admin.TabularInline):
    model = SiteQuota
    extra = 0


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["slug", "title_fa", "county", "venue", "start_date", "end_date", "status"]
    show_change_link = True


@admin.register(Exhibition)
class ExhibitionAdmin(admin.ModelAdmin):
    list_display = ["title_fa", "province", "status", "published_at"]
    list_filter = ["status", "province"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [SiteInline]

    def save_related(self, request, form, formsets, change):
        # Calendar feeds: an edit here must reach subscribers as the organiser's editor's edits do.
        super().save_related(request, form, formsets, change)
        if change and form.has_changed():
            bump_exhibition(form.instance)
        for formset in formsets:
            for site, _fields in formset.changed_objects:
                bump_site(site)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["title_fa", "exhibition", "county", "start_date", "end_date", "status"]
    list_filter = ["county", "status", "exhibition"]
    filter_horizontal = ["eligible_groups", "eligible_counties"]
    list_select_related = ["exhibition", "county"]
    inlines = [OpeningHoursInline, DayExceptionInline, SiteQuotaInline]

    def save_related(self, request, form, formsets, change):
        # Hours, closures and dates edited here must reach calendar subscribers (SEQUENCE goes up).
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(formset.has_changed() for formset in formsets)):
            bump_site(form.instance)
