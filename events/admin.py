from django.contrib import admin

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


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["title_fa", "exhibition", "county", "start_date", "end_date", "status"]
    list_filter = ["county", "status", "exhibition"]
    filter_horizontal = ["eligible_groups", "eligible_counties"]
    list_select_related = ["exhibition", "county"]
    inlines = [OpeningHoursInline, DayExceptionInline, SiteQuotaInline]
