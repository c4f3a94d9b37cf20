"""Loads Lorestan's counties (with old names as aliases) and the sample categories shipped in data/."""

from django.db import migrations


def load(apps, schema_editor):
    from vendors.reference_data import DATA_DIR, load_categories, load_counties

    Province = apps.get_model("vendors", "Province")
    province, _ = Province.objects.update_or_create(
        slug="lorestan", defaults={"name_fa": "لرستان", "name_en": "Lorestan"}
    )
    load_counties(
        DATA_DIR / "lorestan_counties.csv",
        province,
        apps.get_model("vendors", "County"),
        apps.get_model("vendors", "CountyAlias"),
    )
    load_categories(
        DATA_DIR / "categories_sample.csv",
        apps.get_model("vendors", "CategoryGroup"),
        apps.get_model("vendors", "Category"),
    )


class Migration(migrations.Migration):
    dependencies = [("vendors", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
