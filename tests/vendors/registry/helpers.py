"""Registry files for the import tests: valid rows, CSV and XLSX files made from them, the sample."""

import csv
import io
import json
from pathlib import Path

from tests import factories
from vendors.models import SupportCompany, Vendor
from vendors.registry.columns import COLUMNS
from vendors.registry.importing import import_registry

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "registry_sample.csv"
EXPECT = json.loads((DATA / "registry_sample.expect.json").read_text(encoding="utf-8"))
HEADERS_FA = [c.header_fa for c in COLUMNS if c.key not in ("category_title", "category_group")]
KEYS = [c.key for c in COLUMNS if c.key not in ("category_title", "category_group")]
# The imported fields, to compare database states; updated_at shows whether a row was written.
SNAPSHOT_FIELDS = [f.attname for f in Vendor._meta.concrete_fields if f.attname != "id"]


def make_row(n: int = 1, **fields) -> dict[str, str]:
    """A valid registry row (English keys) whose codes, national ID and mobile follow from n."""
    row = {
        "tracking_code": f"{1404500000 + n}",
        "permit_id": f"{700000000000 + n}",
        "national_id": factories.national_id(n),
        "first_name": "زهرا",
        "last_name": f"کرمی {n}",
        "gender": "زن",
        "mobile": f"0917{n:07d}",
        "birth_date": "1360/05/12",
        "business_name": f"کارگاه زهرا {n}",
        "category_code": "1002",
        "permit_type": "مستقل",
        "support_company": "",
        "support_company_id": "",
        "permit_issued": "1402/01/15",
        "permit_expires": "1406/01/15",
        "county": "خرم‌آباد",
        "city": "خرم‌آباد",
        "address": f"کوچه {n}، پلاک ۲",
        "postal_code": "6813713113",
        "female_head_of_household": "خیر",
        "disability": "خیر",
    }
    row.update(fields)
    return row


def csv_bytes(
    rows: list[dict[str, str]], headers: list[str] | None = None, keys: list[str] | None = None, bom=True
):
    keys = keys or KEYS
    headers = headers or [HEADERS_FA[KEYS.index(k)] if k in KEYS else k for k in keys]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def run(data: bytes, name: str = "registry.csv", **options):
    return import_registry(io.BytesIO(data), name=name, **options)


def rejections(summary) -> dict[str, str]:
    return {str(v.row): v.code for v in summary.rejected_rows}


def snapshot() -> list[dict]:
    vendors = list(Vendor.objects.order_by("tracking_code").values(*SNAPSHOT_FIELDS))
    companies = list(SupportCompany.objects.order_by("national_id").values("national_id", "name"))
    return [*vendors, *companies]


def report_rows(**options) -> list[list[str]]:
    out = io.StringIO(newline="")
    import_registry(SAMPLE, report=out, **options)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


def sample_as_xlsx(path: Path) -> Path:
    """The sample in an XLSX the way Excel would hold it: the numbers typed as numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle)):
            if number:
                # Spreadsheets keep tracking codes, national IDs and postal codes as numbers,
                # dropping the national IDs' leading zeros.
                for index in (0, 2, 18):
                    if cells[index].isascii() and cells[index].isdigit():
                        cells[index] = int(cells[index])
            sheet.append(cells)
    workbook.save(path)
    return path


def xlsx_bytes(rows: list[dict[str, str]], *, shared: bool = False) -> bytes:
    """The rows as an XLSX, its texts inline (as openpyxl writes them) or in a shared-string table
    (as Excel does). Long values are put into the XML afterwards: openpyxl cuts a cell to 32,767
    characters, a hand-made file does not."""
    import re
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl import Workbook

    long_values: list[str] = []

    def cell(value: str) -> str:
        if len(value) <= 100:
            return value
        long_values.append(value)
        return f"@@{len(long_values) - 1}@@"

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS_FA)
    for row in rows:
        sheet.append([cell(row[k]) for k in KEYS])
    written = io.BytesIO()
    workbook.save(written)
    parts = {}
    with zipfile.ZipFile(written) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name).decode("utf-8")
    sheet_xml = re.sub(
        r"@@(\d+)@@", lambda m: escape(long_values[int(m.group(1))]), parts["xl/worksheets/sheet1.xml"]
    )
    if shared:
        strings: list[str] = []

        def to_shared(match):
            strings.append(match.group(2))
            return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

        inline = r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>'
        sheet_xml = re.sub(inline, to_shared, sheet_xml, flags=re.DOTALL)
        parts["xl/sharedStrings.xml"] = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
            + "</sst>"
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return out.getvalue()


KINDS = ["csv", "xlsx", "xlsx-shared"]


def as_file(kind: str, rows: list[dict[str, str]]) -> tuple[bytes, str]:
    if kind == "csv":
        return csv_bytes(rows), "registry.csv"
    return xlsx_bytes(rows, shared=kind == "xlsx-shared"), "registry.xlsx"
