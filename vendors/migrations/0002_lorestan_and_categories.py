"""Loads Lorestan's counties (with old names as aliases) and the sample categories shipped in data/."""

from django.db import migrations


def load(apps, schema_editor):
    from vendors.reference_data import load_lorestan

    load_lorestan(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("vendors", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
