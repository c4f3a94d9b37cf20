"""The Persian catalogue is complete: every msgid in the code and templates has a Persian msgstr."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "fa" / "LC_MESSAGES" / "django.po"


def untranslated_or_fuzzy(po: polib.POFile) -> list[str]:
    bad = []
    for entry in po:
        if entry.obsolete:
            continue
        translated = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if "fuzzy" in entry.flags or not translated:
            bad.append(entry.msgid)
    return bad


def test_catalogue_fa_has_no_untranslated_or_fuzzy_entry():
    assert untranslated_or_fuzzy(polib.pofile(str(PO))) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_catalogue_fa_covers_every_string_in_the_source(tmp_path):
    """Extract again into a copy of the catalogue and check that nothing new appears."""
    backup = tmp_path / "django.po"
    shutil.copy(PO, backup)
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "fa",
                "--no-obsolete",
                "-v",
                "0",
                "--ignore=.venv",
                "--ignore=tests",
                "--ignore=bench",
                "--ignore=staticfiles",
            ],
            cwd=settings.BASE_DIR,
            check=True,
        )
        extracted = polib.pofile(str(PO))
    finally:
        shutil.copy(backup, PO)
    assert untranslated_or_fuzzy(extracted) == []
