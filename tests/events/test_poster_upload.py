"""An exhibition's poster as uploaded in the editor: re-encoded without metadata, under a random name."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from events.models import Exhibition
from tests import factories

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def jpeg_with_gps(width: int = 600, height: int = 900) -> bytes:
    """A JPEG as a phone makes it: EXIF with the GPS position where it was taken, and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (33.0, 29.0, 15.5)
    gps[3] = "E"
    gps[4] = (48.0, 21.0, 20.0)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "JPEG", exif=exif, comment=b"home address")
    return buffer.getvalue()


def png(width: int = 60, height: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(media) -> list[str]:
    return (
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    )


def test_poster_with_gps_is_stored_without_metadata_under_a_random_name(media):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD) != {}
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-new"),
        {
            "title_fa": "نمایشگاه پاییزه",
            "poster": SimpleUploadedFile("home-of-maryam-rezaei.jpg", original, "image/jpeg"),
        },
    )
    assert response.status_code == 302
    poster = Exhibition.objects.get().poster
    assert re.fullmatch(r"posters/[0-9a-f]{32}\.jpg", poster.name)
    assert "maryam" not in poster.name
    assert stored_files(media) == [poster.name]
    raw = (media / poster.name).read_bytes()
    assert b"Exif" not in raw
    assert b"home address" not in raw
    stored = Image.open(io.BytesIO(raw))
    assert stored.format == "JPEG"
    assert stored.size == (600, 900)
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    assert sorted(stored.info) == [
        "jfif",
        "jfif_density",
        "jfif_unit",
        "jfif_version",
        "progression",
        "progressive",
    ]


def test_poster_is_scaled_down_to_the_largest_side(settings):
    settings.PHOTO_MAX_SIDE = 300
    signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("poster.png", png(600, 900), "image/png")},
    )
    assert Image.open(Exhibition.objects.get().poster.path).size == (200, 300)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "fa",
            "این پرونده تصویری نیست که بتوانیم بخوانیم؛ لطفاً پوستری با قالب JPG،\u200f PNG یا WebP انتخاب کنید.",
        ),
        ("en", "This file is not an image we can read; please choose a JPG, PNG or WebP poster."),
    ],
)
def test_poster_text_file_named_jpg_is_refused_and_nothing_saved(media, language, message):
    with translation.override(language):
        url = reverse("editor-exhibition-new")
    text = "سلام، این یک پوستر نیست.\n".encode() * 20
    response = signed_in(factories.provincial_organiser()).post(
        url, {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("poster.jpg", text, "image/jpeg")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"poster": [message]}
    assert (
        f'<div class="error" id="id_poster_error" role="alert"><p>{message}</p></div>'
        in response.content.decode()
    )
    assert Exhibition.objects.count() == 0
    assert stored_files(media) == []


def test_poster_replaced_removes_the_old_file(media, django_capture_on_commit_callbacks):
    client = signed_in(factories.provincial_organiser())
    client.post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("first.png", png(), "image/png")},
    )
    exhibition = Exhibition.objects.get()
    first = exhibition.poster.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("editor-exhibition", args=[exhibition.slug]),
            {
                "title_fa": "نمایشگاه",
                "slug": exhibition.slug,
                "poster": SimpleUploadedFile("second.jpg", jpeg_with_gps(), "image/jpeg"),
            },
        )
    assert response.status_code == 302
    exhibition.refresh_from_db()
    assert exhibition.poster.name != first
    assert stored_files(media) == [exhibition.poster.name]


def test_poster_cleared_removes_the_file(media, django_capture_on_commit_callbacks):
    client = signed_in(factories.provincial_organiser())
    client.post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("first.png", png(), "image/png")},
    )
    exhibition = Exhibition.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("editor-exhibition", args=[exhibition.slug]),
            {"title_fa": "نمایشگاه", "slug": exhibition.slug, "poster-clear": "on"},
        )
    exhibition.refresh_from_db()
    assert exhibition.poster.name == ""
    assert stored_files(media) == []


def test_poster_file_shared_with_another_exhibition_is_kept(media, django_capture_on_commit_callbacks):
    (media / "posters").mkdir(parents=True)
    (media / "posters" / "autumn.jpg").write_bytes(png())
    exhibition = factories.exhibition(status="draft", poster="posters/autumn.jpg")
    factories.exhibition(poster="posters/autumn.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(factories.provincial_organiser()).post(
            reverse("editor-exhibition", args=[exhibition.slug]),
            {"title_fa": "نمایشگاه", "slug": exhibition.slug, "poster-clear": "on"},
        )
    assert stored_files(media) == ["posters/autumn.jpg"]


def test_poster_kept_when_only_the_title_changes(media, django_capture_on_commit_callbacks):
    client = signed_in(factories.provincial_organiser())
    client.post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("first.png", png(), "image/png")},
    )
    exhibition = Exhibition.objects.get()
    poster = exhibition.poster.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("editor-exhibition", args=[exhibition.slug]),
            {"title_fa": "نمایشگاه بهاره", "slug": exhibition.slug},
        )
    exhibition.refresh_from_db()
    assert (exhibition.title_fa, exhibition.poster.name) == ("نمایشگاه بهاره", poster)
    assert stored_files(media) == [poster]


def test_poster_field_says_it_is_public_and_saved_without_photo_details():
    response = signed_in(factories.provincial_organiser()).get(reverse("editor-exhibition-new"))
    assert (
        '<span class="muted hint" id="id_poster_helptext">تصویری با قالب JPG،\u200f PNG یا WebP. این تصویر عمومی است و هنگام '
        "هم‌رسانی صفحه نشان داده می‌شود؛ از نو ذخیره می‌شود، بی مکان، تاریخ و دوربینی که ممکن است در "
        "پرونده عکس باشد.</span>"
    ) in response.content.decode()


def test_posters_stored_before_cleaning_are_cleaned_by_the_migration(media):
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile

    migration = importlib.import_module("events.migrations.0003_clean_stored_posters")
    exhibition = factories.exhibition()
    exhibition.poster.save("home-of-maryam-rezaei.jpg", ContentFile(jpeg_with_gps()), save=True)
    unreadable = factories.exhibition()
    unreadable.poster.save("notes.jpg", ContentFile(b"not an image"), save=True)

    migration.clean_posters(apps, None)

    exhibition.refresh_from_db()
    assert re.fullmatch(r"posters/[0-9a-f]{32}\.jpg", exhibition.poster.name)
    raw = (media / exhibition.poster.name).read_bytes()
    assert (b"Exif" in raw, b"home address" in raw) == (False, False)
    unreadable.refresh_from_db()
    assert stored_files(media) == sorted([exhibition.poster.name, "posters/notes.jpg"])
