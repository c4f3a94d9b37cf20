"""The registry export's columns (docs/registry-format.md) and the Vendor fields they fill.

The one table that the reader, the row checks, the reasons and the vendor export all name columns by.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of the export: its key (also accepted as a header), Persian header and English label."""

    key: str
    header_fa: str
    label_en: str
    required: bool = False
    max_length: int | None = None


# In the order of docs/registry-format.md; a row's errors are looked for in this order and the first
# is reported.
COLUMNS: tuple[Column, ...] = (
    Column("tracking_code", "کد رهگیری", "tracking code", required=True),
    Column("permit_id", "شناسه یکتا مجوز", "permit unique ID", max_length=30),
    Column("national_id", "کد ملی", "national ID", required=True),
    Column("first_name", "نام", "first name", required=True, max_length=100),
    Column("last_name", "نام خانوادگی", "last name", required=True, max_length=100),
    Column("gender", "جنسیت", "gender"),
    Column("mobile", "تلفن همراه", "mobile", required=True),
    Column("birth_date", "تاریخ تولد", "birth date"),
    Column("business_name", "نام کسب‌وکار", "business name", max_length=200),
    Column("category_code", "کد رسته", "category code", required=True),
    Column("category_title", "عنوان رسته", "category title"),
    Column("category_group", "گروه رسته", "category group"),
    Column("permit_type", "نوع فعالیت", "permit type", required=True),
    Column("support_company", "شرکت پشتیبان", "support company", max_length=200),
    Column("support_company_id", "شناسه ملی شرکت پشتیبان", "support company's national ID"),
    Column("permit_issued", "تاریخ صدور", "permit issue date", required=True),
    Column("permit_expires", "تاریخ انقضا", "permit expiry date", required=True),
    Column("county", "شهرستان", "county", required=True),
    Column("city", "شهر", "city", max_length=100),
    Column("address", "نشانی", "address"),
    Column("postal_code", "کد پستی", "postal code"),
    Column("female_head_of_household", "سرپرست خانوار زن", "female head of household"),
    Column("disability", "دارای معلولیت", "disability"),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# Which Vendor field each column fills (columns that are only informative fill none).
FIELD_OF_COLUMN = {
    "tracking_code": "tracking_code",
    "permit_id": "permit_id",
    "national_id": "national_id",
    "first_name": "first_name",
    "last_name": "last_name",
    "gender": "gender",
    "mobile": "mobile",
    "birth_date": "birth_date",
    "business_name": "business_name",
    "category_code": "category_id",
    "permit_type": "permit_type",
    "support_company": "support_company_id",
    "support_company_id": "support_company_id",
    "permit_issued": "permit_issued",
    "permit_expires": "permit_expires",
    "county": "county_id",
    "city": "city",
    "address": "address",
    "postal_code": "postal_code",
    "female_head_of_household": "female_head_of_household",
    "disability": "disability",
}
# Vendor.save() builds search_text from these, in this order.
SEARCH_FIELDS = ("first_name", "last_name", "business_name", "tracking_code", "national_id", "mobile")
