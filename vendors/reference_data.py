"""Loading reference data shipped as CSV (counties with aliases, categories), idempotently.

The functions take the model classes as arguments so that data migrations can pass their
historical models and a management command the real ones.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from bazaarche.text import fold, normalize

DATA_DIR = Path(settings.BASE_DIR) / "data"
YES = {"yes", "y", "1", "true", "بله", "دارد"}
NO = {"no", "n", "0", "false", "خیر", "ندارد"}


def load_counties(path: Path, province, County, CountyAlias) -> int:
    """Create or update the counties of one province from a CSV with the columns
    slug, name_fa, name_en, seat_fa, seat_en, aliases_fa (aliases separated by «|» or «،»)."""
    count = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            county, _ = County.objects.update_or_create(
                slug=normalize(row["slug"]),
                defaults={
                    "province": province,
                    "name_fa": normalize(row["name_fa"]),
                    "name_en": normalize(row["name_en"]),
                    "seat_fa": normalize(row.get("seat_fa")),
                    "seat_en": normalize(row.get("seat_en")),
                },
            )
            for alias in normalize(row.get("aliases_fa")).replace("،", "|").split("|"):
                alias = alias.strip()
                if alias:
                    CountyAlias.objects.update_or_create(
                        key=fold(alias), defaults={"county": county, "name": alias}
                    )
            count += 1
    return count


def load_categories(path: Path, CategoryGroup, Category) -> int:
    """Create or update categories from a CSV with the columns
    code, title_fa, group_fa, group_en, starred (and optionally title_en)."""
    count = 0
    groups: dict[str, object] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            group_fa = normalize(row["group_fa"])
            if group_fa not in groups:
                group_en = normalize(row.get("group_en"))
                groups[group_fa], _ = CategoryGroup.objects.update_or_create(
                    name_fa=group_fa,
                    defaults={"name_en": group_en, "slug": slugify(group_en) or f"group-{len(groups) + 1}"},
                )
            Category.objects.update_or_create(
                code=normalize(row["code"]),
                defaults={
                    "title_fa": normalize(row["title_fa"]),
                    "title_en": normalize(row.get("title_en")),
                    "group": groups[group_fa],
                    "starred": normalize(row.get("starred")).lower() in YES,
                },
            )
            count += 1
    return count


def load_lorestan(get_model) -> None:
    """Lorestan, its counties and the sample categories. `get_model` is apps.get_model, historical or real."""
    Province = get_model("vendors", "Province")
    province, _ = Province.objects.update_or_create(
        slug="lorestan", defaults={"name_fa": "لرستان", "name_en": "Lorestan"}
    )
    load_counties(
        DATA_DIR / "lorestan_counties.csv",
        province,
        get_model("vendors", "County"),
        get_model("vendors", "CountyAlias"),
    )
    load_categories(
        DATA_DIR / "categories_sample.csv",
        get_model("vendors", "CategoryGroup"),
        get_model("vendors", "Category"),
    )


@dataclass
class CategoryImport:
    """What import_categories did: counts, and the rows it could not use (row, reason_fa, reason_en)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def _category_columns():
    from vendors.registry.columns import Column

    return (
        Column("code", "کد رسته", "category code", required=True),
        Column("title_fa", "عنوان رسته", "Persian title", required=True),
        Column("group_fa", "گروه رسته", "Persian group name", required=True),
        Column("group_en", "گروه رسته انگلیسی", "English group name"),
        Column("starred", "ستاره‌دار", "starred"),
        Column("title_en", "عنوان انگلیسی رسته", "English title"),
    )


CATEGORY_ROW_MESSAGES = {
    "missing": gettext_noop("«%(column)s» is empty; every row needs it."),
    "bad_yes_no": gettext_noop("«%(value)s» in «%(column)s» is not a yes or no; write بله or خیر."),
    "duplicate": gettext_noop(
        "The category code %(value)s already appears in row %(first_row)s of this file; only that first row is used."
    ),
}


def import_categories(source, name: str | None = None) -> CategoryImport:
    """Create or update categories (and their groups) from a CSV or XLSX table with the columns
    code, title_fa, group_fa, group_en, starred and optionally title_en, in one transaction.

    A category is found by its code and a group by its Persian name; a group's slug, once made, is
    kept (it is in addresses). Raises vendors.registry.rejections.UnusableFile for a file that cannot
    be used.
    """
    from django.db import transaction

    from vendors.models import Category, CategoryGroup
    from vendors.registry.reading import map_headers, open_table
    from vendors.registry.rejections import reasons_in_both

    columns = _category_columns()
    labels = {column.key: column for column in columns}
    result = CategoryImport()
    groups = {group.name_fa: group for group in CategoryGroup.objects.all()}
    slugs = set(CategoryGroup.objects.values_list("slug", flat=True))
    existing = {category.code: category for category in Category.objects.all()}
    first_rows: dict[str, int] = {}

    def reject(row: int, message: str, column: str, **params) -> None:
        fa, en = reasons_in_both(CATEGORY_ROW_MESSAGES[message], labels[column], **params)
        result.rejected.append((row, fa, en))

    with open_table(source, name) as table, transaction.atomic():
        positions = map_headers(table.headers, columns)
        for row, cells in table.rows:
            values = {
                key: normalize(cells[index]) if index < len(cells) else "" for key, index in positions.items()
            }
            missing = next((key for key in ("code", "title_fa", "group_fa") if not values[key]), None)
            if missing:
                reject(row, "missing", missing)
                continue
            code = values["code"]
            if code in first_rows:
                reject(row, "duplicate", "code", value=code, first_row=first_rows[code])
                continue
            first_rows[code] = row
            starred_text = fold(values.get("starred", ""))
            if starred_text and starred_text not in YES and starred_text not in NO:
                reject(row, "bad_yes_no", "starred", value=values["starred"])
                continue
            group = groups.get(values["group_fa"])
            group_en = values.get("group_en", "")
            if group is None:
                slug = base = slugify(group_en) or "group"
                n = 1
                while slug in slugs:
                    n += 1
                    slug = f"{base}-{n}"
                slugs.add(slug)
                group = groups[values["group_fa"]] = CategoryGroup.objects.create(
                    name_fa=values["group_fa"], name_en=group_en, slug=slug
                )
            elif group_en and group.name_en != group_en:
                group.name_en = group_en
                group.save(update_fields=["name_en"])
            wanted = {"title_fa": values["title_fa"], "group_id": group.pk, "starred": starred_text in YES}
            if "title_en" in values:
                wanted["title_en"] = values["title_en"]
            category = existing.get(code)
            if category is None:
                existing[code] = Category.objects.create(code=code, **wanted)
                result.created += 1
            elif any(getattr(category, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(category, key, value)
                category.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result
