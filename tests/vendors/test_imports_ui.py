"""Registry imports from the organiser pages: upload, check with a preview, confirm once, report."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from bazaarche.text import to_persian_digits
from tests import factories
from vendors.models import Province, RegistryImport, Vendor

pytestmark = pytest.mark.django_db

IMPORTS = "/organiser/imports/"
_HERE = Path(__file__).resolve().parent
SAMPLE = _HERE.parent / "data" / "registry_sample.csv"
Status = RegistryImport.Status


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organiser():
    return factories.provincial_organiser()


@pytest.fixture
def client_(organiser) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


def upload(client: Client, content: bytes | None = None, name: str = "registry.csv"):
    data = SAMPLE.read_bytes() if content is None else content
    return client.post(IMPORTS, {"file": SimpleUploadedFile(name, data)})


def latest() -> RegistryImport:
    return RegistryImport.objects.latest("pk")


def test_upload_checks_the_file_and_previews_rejected_rows(client_):
    response = upload(client_)
    registry_import = latest()

    assert response.status_code == 302
    assert response["Location"] == f"{IMPORTS}{registry_import.pk}/"
    assert registry_import.status == Status.CHECKED
    assert registry_import.original_name == "registry.csv"
    assert (
        registry_import.rows_total,
        registry_import.rows_done,
        registry_import.rows_ok,
        registry_import.rows_rejected,
        registry_import.created,
        registry_import.updated,
    ) == (40, 40, 36, 4, 36, 0)
    assert [(row["row"], row["code"], row["column_fa"]) for row in registry_import.preview] == [
        (3, "missing_last_name", "نام خانوادگی"),
        (5, "bad_jalali", "تاریخ صدور"),
        (23, "bad_mobile", "تلفن همراه"),
        (40, "bad_national_id", "کد ملی"),
    ]
    assert all(row["reason_fa"] for row in registry_import.preview)
    # A check writes nothing.
    assert Vendor.objects.count() == 0


def test_uploaded_file_gets_an_unguessable_name(client_):
    upload(client_)

    stored = Path(latest().file.name)
    assert stored.parent == Path("imports")
    assert stored.suffix == ".csv"
    assert len(stored.stem) == 24
    assert "registry" not in stored.stem


def test_checked_import_page_shows_counts_preview_and_confirm_form(client_):
    upload(client_)
    registry_import = latest()

    response = client_.get(f"{IMPORTS}{registry_import.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["unchanged"] == 0
    assert "<li><span>ردیف‌ها</span><strong>۴۰</strong></li>" in html
    assert "<li><span>ایجاد می‌شود</span><strong>۳۶</strong></li>" in html
    assert "<li><span>ردشده</span><strong>۴</strong></li>" in html
    for verdict in registry_import.preview:
        assert f'<tr><th scope="row">{to_persian_digits(verdict["row"])}</th>' in html
        assert f"<td><strong>{verdict['column_fa']}</strong><br>{verdict['reason_fa']}</td>" in html
    assert f'action="{IMPORTS}{registry_import.pk}/confirm/"' in html
    assert "ثبت ۳۶ ردیف" in html
    assert 'hx-trigger="every 1s"' not in html


def test_confirm_imports_the_good_rows_and_keeps_a_report(client_):
    upload(client_)
    registry_import = latest()

    response = client_.post(f"{IMPORTS}{registry_import.pk}/confirm/")
    registry_import.refresh_from_db()

    assert response.status_code == 302
    assert response["Location"] == f"{IMPORTS}{registry_import.pk}/"
    assert registry_import.status == Status.DONE
    assert registry_import.finished_at is not None
    assert (registry_import.created, registry_import.updated, registry_import.rows_rejected) == (36, 0, 4)
    assert Vendor.objects.count() == 36

    report = client_.get(f"{IMPORTS}{registry_import.pk}/report.csv")
    body = b"".join(report.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    assert report.status_code == 200
    assert report["Content-Disposition"] == f'attachment; filename="report-{registry_import.pk}.csv"'
    assert body.startswith(b"\xef\xbb\xbf")
    assert len(rows) == 41


def test_confirm_twice_imports_once(client_):
    upload(client_)
    registry_import = latest()
    client_.post(f"{IMPORTS}{registry_import.pk}/confirm/")
    finished = RegistryImport.objects.get(pk=registry_import.pk).finished_at

    response = client_.post(f"{IMPORTS}{registry_import.pk}/confirm/", follow=True)
    registry_import.refresh_from_db()

    assert Vendor.objects.count() == 36
    assert registry_import.status == Status.DONE
    assert registry_import.finished_at == finished
    assert [str(m) for m in response.context["messages"]] == [
        "این فایل قبلاً تأیید شده است و فقط یک بار وارد می‌شود."
    ]


def test_same_file_again_would_create_nothing(client_):
    upload(client_)
    client_.post(f"{IMPORTS}{latest().pk}/confirm/")

    upload(client_)
    again = latest()

    assert (again.status, again.created, again.updated, again.rows_ok) == (Status.CHECKED, 0, 0, 36)
    assert Vendor.objects.count() == 36


def test_confirm_before_the_check_has_finished_does_nothing(client_, organiser):
    registry_import = RegistryImport.objects.create(
        file=ContentFile(b"", name="x.csv"), original_name="x.csv", uploaded_by=organiser
    )

    client_.post(f"{IMPORTS}{registry_import.pk}/confirm/")
    registry_import.refresh_from_db()

    assert registry_import.status == Status.CHECKING


def test_confirm_is_post_only(client_):
    upload(client_)

    assert client_.get(f"{IMPORTS}{latest().pk}/confirm/").status_code == 405
    assert latest().status == Status.CHECKED


def test_unusable_file_fails_with_the_engine_message(client_):
    from vendors.registry.importing import import_registry
    from vendors.registry.rejections import UnusableFile

    content = "نام,نام خانوادگی\nمریم,رحیمی\n".encode()
    upload(client_, content, name="people.csv")
    registry_import = latest()
    with pytest.raises(UnusableFile) as expected:
        import_registry(io.BytesIO(content), name="people.csv", dry_run=True)

    assert registry_import.status == Status.FAILED
    assert registry_import.error == f"{expected.value.message_fa}\n{expected.value.message_en}"
    html = client_.get(f"{IMPORTS}{registry_import.pk}/").content.decode()
    assert f"<p>{expected.value.message_fa}</p>" in html
    en = client_.get(f"/en{IMPORTS}{registry_import.pk}/").content.decode()
    assert f"<p>{expected.value.message_en}</p>" in en


def test_file_of_another_kind_fails_in_persian(client_):
    upload(client_, b"%PDF-1.4 not a spreadsheet", name="registry.pdf")
    registry_import = latest()

    assert registry_import.status == Status.FAILED
    message_fa = registry_import.error.partition("\n")[0]
    assert message_fa != ""
    assert any("\u0600" <= char <= "\u06ff" for char in message_fa)
    assert Vendor.objects.count() == 0


def test_upload_over_50_mb_is_refused_with_a_message(client_):
    response = upload(client_, b"x" * (50 * 1024 * 1024 + 1))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": [
            "حجم فایل بیش از ۵۰ مگابایت است. آن را به چند فایل کوچک‌تر تقسیم کنید و یکی‌یکی بارگذاری کنید."
        ]
    }
    assert RegistryImport.objects.count() == 0


def test_upload_without_a_file_says_so(client_):
    response = client_.post(IMPORTS, {})

    assert response.context["form"].errors == {"file": ["اول فایل خروجی سامانه را انتخاب کنید."]}


def test_htmx_poll_gets_only_the_status_fragment_and_stops_when_done(client_, organiser):
    running = RegistryImport.objects.create(
        file=ContentFile(b"", name="x.csv"),
        original_name="x.csv",
        uploaded_by=organiser,
        rows_total=1000,
        rows_done=250,
    )

    polling = client_.get(f"{IMPORTS}{running.pk}/", headers={"HX-Request": "true"}).content.decode().strip()

    assert polling.startswith(
        f'<section id="import-status" class="panel" aria-live="polite" hx-get="{IMPORTS}{running.pk}/" '
        'hx-trigger="every 1s" hx-swap="outerHTML">'
    )
    assert polling.endswith("</section>")
    assert '<progress class="progress" value="250" max="1000"></progress>' in polling
    assert "<p>۲۵۰ از ۱۰۰۰ ردیف</p>" in polling

    RegistryImport.objects.filter(pk=running.pk).update(status=Status.DONE)
    done = client_.get(f"{IMPORTS}{running.pk}/", headers={"HX-Request": "true"}).content.decode().strip()

    assert done.startswith('<section id="import-status" class="panel" aria-live="polite">')
    assert "hx-trigger" not in done


def test_whole_page_while_checking_polls_and_says_how_to_reload(client_, organiser):
    running = RegistryImport.objects.create(
        file=ContentFile(b"", name="x.csv"), original_name="x.csv", uploaded_by=organiser
    )

    html = client_.get(f"{IMPORTS}{running.pk}/").content.decode()

    assert html.startswith("<!doctype html>")
    assert 'hx-trigger="every 1s"' in html
    assert "<p>در حال خواندن فایل…</p>" in html


@pytest.mark.parametrize(
    "method,suffix",
    [("get", ""), ("post", ""), ("get", "{pk}/"), ("post", "{pk}/confirm/"), ("get", "{pk}/report.csv")],
)
def test_county_organiser_cannot_import(client_, method, suffix):
    upload(client_)
    client_.post(f"{IMPORTS}{latest().pk}/confirm/")
    county = Client()
    county.force_login(factories.county_organiser("khorramabad"))

    response = getattr(county, method)(IMPORTS + suffix.format(pk=latest().pk))

    assert response.status_code == 403
    assert Vendor.objects.count() == 36


def test_vendor_cannot_open_imports():
    vendor_user = factories.user()
    factories.vendor(user=vendor_user)
    client = Client()
    client.force_login(vendor_user)

    assert client.get(IMPORTS).status_code == 403


def test_imports_anonymous_is_sent_to_sign_in(client):
    response = client.get(IMPORTS)

    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={IMPORTS}"


def test_import_of_another_province_is_404(client_):
    other = Province.objects.create(slug="hamadan", name_fa="همدان", name_en="Hamadan")
    stranger = factories.provincial_organiser(organiser_province=other)
    theirs = RegistryImport.objects.create(
        file=ContentFile(b"", name="x.csv"), original_name="x.csv", uploaded_by=stranger
    )

    assert client_.get(f"{IMPORTS}{theirs.pk}/").status_code == 404
    assert client_.post(f"{IMPORTS}{theirs.pk}/confirm/").status_code == 404


def test_report_before_the_import_is_404(client_):
    upload(client_)

    assert client_.get(f"{IMPORTS}{latest().pk}/report.csv").status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_imports_list_query_count_does_not_grow(client_, organiser, django_assert_num_queries, count):
    for n in range(count):
        RegistryImport.objects.create(
            file=ContentFile(b"", name=f"{n}.csv"), original_name=f"{n}.csv", uploaded_by=organiser
        )

    # session, user, roles (2), stalled checks and imports marked failed (2), imports with their uploaders
    with django_assert_num_queries(7):
        response = client_.get(IMPORTS)

    assert len(response.context["imports"]) == count


def test_import_that_crashes_is_marked_failed_in_plain_persian(client_):
    upload(client_)
    registry_import = latest()
    # The stored file vanished between the check and the confirmation (a disk cleaned up).
    registry_import.file.storage.delete(registry_import.file.name)

    client_.post(f"{IMPORTS}{registry_import.pk}/confirm/")
    registry_import.refresh_from_db()
    html = client_.get(f"{IMPORTS}{registry_import.pk}/").content.decode()

    assert registry_import.status == Status.FAILED
    assert registry_import.error.partition("\n")[0] == (
        "ورود اطلاعات به دلیل خطای پیش‌بینی‌نشده متوقف شد. ردیف‌هایی که وارد شده‌اند می‌مانند؛ "
        "برای تکمیل، همین فایل را دوباره بارگذاری کنید. ورود دوباره هیچ غرفه‌داری را تکراری نمی‌کند."
    )
    assert registry_import.error.partition("\n")[2].startswith(
        "The import stopped because of an unexpected error."
    )
    assert '<div class="error" role="alert"><p>ورود اطلاعات به دلیل خطای' in html
    assert Vendor.objects.count() == 0


def test_a_check_or_import_whose_worker_fell_silent_is_marked_failed(client_, organiser):
    def made(status, **fields):
        registry_import = RegistryImport.objects.create(
            file=ContentFile(b"", name="x.csv"), original_name="x.csv", uploaded_by=organiser, status=status
        )
        RegistryImport.objects.filter(pk=registry_import.pk).update(**fields)
        return registry_import.pk

    now = timezone.now()
    quiet, lively = now - datetime.timedelta(minutes=16), now - datetime.timedelta(minutes=5)
    never_started = made(Status.CHECKING, created_at=quiet)
    stopped = made(Status.IMPORTING, created_at=quiet, progress_at=quiet)
    working = made(Status.IMPORTING, created_at=quiet, progress_at=lively)
    checking = made(Status.CHECKING, created_at=lively)

    html = client_.get(f"{IMPORTS}{stopped}/").content.decode()

    status = dict(RegistryImport.objects.values_list("pk", "status"))
    assert (status[never_started], status[stopped]) == (Status.FAILED, Status.FAILED)
    assert (status[working], status[checking]) == (Status.IMPORTING, Status.CHECKING)
    assert RegistryImport.objects.get(pk=never_started).error.startswith("بررسی فایل به دلیل خطای")
    assert '<div class="error" role="alert"><p>ورود اطلاعات به دلیل خطای' in html
    assert 'hx-trigger="every 1s"' not in html


def test_report_keeps_a_formula_as_text(client_):
    from tests.vendors.registry.helpers import csv_bytes, make_row

    formula = '=HYPERLINK("http://evil.example/t","x")'
    upload(client_, csv_bytes([make_row(1), make_row(2, tracking_code=formula)]))
    registry_import = latest()
    client_.post(f"{IMPORTS}{registry_import.pk}/confirm/")

    report = client_.get(f"{IMPORTS}{registry_import.pk}/report.csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))

    assert [row[:3] for row in rows[1:]] == [["2", "1404500001", "created"], ["3", "'" + formula, "rejected"]]


@pytest.mark.parametrize("kind", ["csv", "xlsx-shared"])
def test_giant_cells_are_refused_row_by_row_and_the_preview_stays_small(client_, kind):
    from tests.vendors.registry.helpers import as_file, make_row

    data, name = as_file(
        kind, [make_row(1), make_row(2, tracking_code="7" * 2_000_000), make_row(3, address="ب" * 2_000_000)]
    )
    upload(client_, data, name=name)
    registry_import = latest()
    page = client_.get(f"{IMPORTS}{registry_import.pk}/")

    assert registry_import.status == Status.CHECKED
    assert (registry_import.rows_total, registry_import.rows_ok, registry_import.rows_rejected) == (3, 1, 2)
    too_long = (
        "بیش از ۱۰۰۰ نویسه دارد؛ هیچ ستونی در خروجی سامانه این‌قدر بلند نیست. این خانه را در فایل بررسی کنید."
    )
    assert [
        (r["row"], r["tracking_code"], r["column"], r["code"], r["reason_fa"])
        for r in registry_import.preview
    ] == [
        (3, "7" * 57 + "…", "tracking_code", "cell_too_long", f"«کد رهگیری» {too_long}"),
        (4, "1404500003", "address", "cell_too_long", f"«نشانی» {too_long}"),
    ]
    assert page.status_code == 200
    assert len(page.content) < 50_000
