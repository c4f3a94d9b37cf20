"""Loading reference data shipped as CSV (counties with aliases, categories), idempotently.

The functions take the model classes as arguments so that data migrations can pass their
historical models and a management command the real ones.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from bazaarche.text import fold, normalize

DATA_DIR = Path(settings.BASE_DIR) / "data"
YES = {"yes", "y", "1", "true", "بله", "دارد"}


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
