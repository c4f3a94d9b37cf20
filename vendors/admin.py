from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Category,
    CategoryGroup,
    County,
    CountyAlias,
    Province,
    SupportCompany,
    User,
    Vendor,
    VendorPhoto,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "slug"]


class CountyAliasInline(admin.TabularInline):
    model = CountyAlias
    extra = 0
    fields = ["name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "seat_fa", "province", "slug"]
    list_filter = ["province"]
    inlines = [CountyAliasInline]


@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "slug"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fa", "group", "starred"]
    list_filter = ["group", "starred"]
    search_fields = ["code", "title_fa", "title_en"]


@admin.register(SupportCompany)
class SupportCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "national_id", "county"]
    search_fields = ["name", "national_id"]
    filter_horizontal = ["managers"]


class VendorPhotoInline(admin.TabularInline):
    model = VendorPhoto
    extra = 0
    fields = ["image", "caption", "position"]


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_code",
        "business_name",
        "first_name",
        "last_name",
        "category",
        "county",
        "permit_expires",
    ]
    list_filter = ["county", "permit_type", "category__group"]
    search_fields = ["search_text"]
    raw_id_fields = ["user", "support_company"]
    list_select_related = ["category", "county"]
    inlines = [VendorPhotoInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "mobile", "first_name", "last_name", "organiser_province", "organiser_county"]
    list_filter = ["organiser_province", "organiser_county", "is_staff"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Bazaarche"), {"fields": ["mobile", "organiser_province", "organiser_county"]}),
    ]
