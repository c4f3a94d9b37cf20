"""Posters uploaded before they were re-encoded kept their EXIF (GPS) and file name: clean them once.

Each stored poster is re-encoded as new uploads are (vendors.photos.prepare_image) under a random
name, and the original file is deleted. A file that cannot be read is left as it is (and logged),
so the migration never fails a deploy.
"""

import logging

from django.core.files.storage import default_storage
from django.db import migrations

logger = logging.getLogger(__name__)


def clean_posters(apps, schema_editor):
    from vendors.photos import PhotoError, prepare_image

    Exhibition = apps.get_model("events", "Exhibition")
    for exhibition in Exhibition.objects.exclude(poster="").only("pk", "poster"):
        old = exhibition.poster.name
        try:
            with default_storage.open(old, "rb") as handle:
                clean = prepare_image(handle)
        except (OSError, PhotoError):
            logger.warning("Poster %s of exhibition %s could not be cleaned", old, exhibition.pk)
            continue
        exhibition.poster.save(clean.name, clean, save=False)
        Exhibition.objects.filter(pk=exhibition.pk).update(poster=exhibition.poster.name)
        if not Exhibition.objects.filter(poster=old).exists():
            default_storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("events", "0002_initial")]

    operations = [migrations.RunPython(clean_posters, migrations.RunPython.noop)]
