"""docs/registry-format.md stays true to the code: its example imports as the page says."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from vendors.models import Vendor

DOC = Path(settings.BASE_DIR) / "docs" / "registry-format.md"


@pytest.mark.django_db
def test_registry_doc_example_imports_one_row_and_rejects_the_other(tmp_path):
    example = re.search(r"```csv\n(.*?)\n```", DOC.read_text(encoding="utf-8"), flags=re.S).group(1)
    path, report = tmp_path / "example.csv", tmp_path / "report.csv"
    path.write_text(example + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit:
        call_command("import_registry", str(path), "--report", str(report), stdout=io.StringIO())
    assert exit.value.code == 1
    rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
    assert [(r["row"], r["action"], r["code"]) for r in rows] == [
        ("2", "created", ""),
        ("3", "rejected", "bad_mobile"),
    ]
    vendor = Vendor.objects.get()
    assert (vendor.tracking_code, vendor.mobile, vendor.national_id) == (
        "1404000000",
        "09121234567",
        "0499370899",
    )
