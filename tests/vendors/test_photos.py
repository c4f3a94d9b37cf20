"""Product photo checks and re-encoding: metadata stripped, upright, scaled, and refusals with stable codes."""

import io
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from tests import factories
from vendors.models import VendorPhoto
from vendors.photos import PhotoError, PreparedPhoto, add_photos, prepare_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b"<rdf:Description/></rdf:RDF></x:xmpmeta>"
)


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def encoded(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def red_left_blue_right(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def jpeg_with_gps(width: int = 3000, height: int = 1000, orientation: int = 6, icc: bool = True) -> bytes:
    """A JPEG as a phone makes it: EXIF with GPS coordinates and an orientation, XMP, an ICC profile, a comment."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (33.0, 29.0, 15.5)  # Khorramabad
    gps[3] = "E"
    gps[4] = (48.0, 21.0, 20.0)
    extra = {"icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()} if icc else {}
    return encoded(red_left_blue_right(width, height), exif=exif, xmp=XMP, comment=b"home address", **extra)


def png_claiming(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header is patched to claim other dimensions: cheap to make, huge to decode."""
    data = bytearray(encoded(Image.new("1", (1, 1)), "PNG"))
    # Signature (8), chunk length (4), b"IHDR" (4), then width and height; the CRC covers type and data.
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def noisy_jpeg(width: int = 800, height: int = 600) -> bytes:
    # Noise does not compress, so the scan data fills most of the file and a cut lands inside it.
    return encoded(
        Image.frombytes("RGB", (width, height), random.Random(width).randbytes(width * height * 3))
    )


def reopen(content) -> Image.Image:
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


def close_to(pixel, expected, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


@pytest.mark.parametrize("orientation", [6, 1])
@pytest.mark.parametrize("icc", [True, False], ids=["with-icc", "without-icc"])
def test_prepare_photo_drops_gps_exif_xmp_icc_and_comment(orientation, icc):
    original = jpeg_with_gps(orientation=orientation, icc=icc)
    source = Image.open(io.BytesIO(original))
    # The test photo really carries what must go.
    assert source.getexif().get_ifd(GPS_IFD)[2] == (33.0, 29.0, 15.5)
    assert {"exif", "xmp", "comment"} | ({"icc_profile"} if icc else set()) <= set(source.info)

    stored = reopen(prepare_photo(upload(original)).image)

    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    assert set(stored.info) & {"exif", "xmp", "icc_profile", "comment", "photoshop"} == set()
    raw = prepare_photo(upload(original)).image.read()
    assert [
        marker for marker in (b"Exif", b"xmpmeta", b"home address", b"ICC_PROFILE") if marker in raw
    ] == []


def test_prepare_photo_turns_the_photo_upright_and_fits_the_max_side(settings):
    # Orientation 6: stored lying on its side, shown turned 90° clockwise; the left edge ends up on top.
    prepared = prepare_photo(upload(jpeg_with_gps(3000, 1000, orientation=6)))
    stored = reopen(prepared.image)

    assert (prepared.width, prepared.height) == (667, 2000)
    assert stored.size == (667, 2000)
    assert max(stored.size) == settings.PHOTO_MAX_SIDE
    assert close_to(stored.getpixel((333, 100)), (220, 20, 20))  # red on top
    assert close_to(stored.getpixel((333, 1900)), (20, 20, 220))  # blue below
    assert stored.info.get("progressive") == 1


def test_prepare_photo_keeps_small_photos_at_their_size():
    prepared = prepare_photo(upload(encoded(Image.new("RGB", (640, 480), (10, 120, 90)))))
    assert (prepared.width, prepared.height) == (640, 480)
    assert reopen(prepared.image).size == (640, 480)


def test_prepare_photo_makes_a_thumbnail_within_the_thumb_side(settings):
    thumbnail = reopen(prepare_photo(upload(jpeg_with_gps(3000, 1000, orientation=1))).thumbnail)
    assert thumbnail.size == (settings.PHOTO_THUMB_SIDE, 133)
    assert dict(thumbnail.getexif()) == {}


def test_prepare_photo_names_files_randomly_never_after_the_upload():
    first = prepare_photo(upload(noisy_jpeg(64, 64), name="my-house-address.jpg"))
    second = prepare_photo(upload(noisy_jpeg(64, 64), name="my-house-address.jpg"))
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", first.image.name)
    assert first.thumbnail.name == first.image.name.replace(".jpg", "-thumb.jpg")
    assert first.image.name != second.image.name


def test_prepare_photo_flattens_transparency_on_white():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))  # fully transparent
    image.paste((200, 0, 0, 255), (50, 0, 100, 100))  # opaque red on the right half
    stored = reopen(prepare_photo(upload(encoded(image, "PNG"), "cutout.png")).image)
    assert stored.mode == "RGB"
    assert close_to(stored.getpixel((10, 50)), (255, 255, 255), tolerance=3)
    assert close_to(stored.getpixel((90, 50)), (200, 0, 0), tolerance=20)


def test_prepare_photo_flattens_a_palette_png_with_a_transparent_colour():
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 0, 160, 0] + [0] * 762)
    image.paste(1, (20, 0, 40, 40))
    stored = reopen(prepare_photo(upload(encoded(image, "PNG", transparency=0), "palette.png")).image)
    assert close_to(stored.getpixel((5, 20)), (255, 255, 255), tolerance=3)
    assert close_to(stored.getpixel((35, 20)), (0, 160, 0), tolerance=20)


@pytest.mark.parametrize(
    "image,fmt",
    [
        (Image.new("RGB", (30, 20), (10, 120, 90)), "WEBP"),
        (Image.new("RGB", (30, 20), (10, 120, 90)), "PNG"),
        (Image.new("CMYK", (30, 20), (0, 0, 0, 0)), "JPEG"),
        (Image.new("L", (30, 20), 128), "JPEG"),
        (Image.new("I;16", (30, 20), 40000), "PNG"),
    ],
)
def test_prepare_photo_accepts_webp_png_and_other_modes_as_rgb_jpeg(image, fmt):
    stored = reopen(prepare_photo(upload(encoded(image, fmt), f"photo.{fmt.lower()}")).image)
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (30, 20))


def test_prepare_photo_accepts_a_multi_picture_jpeg_as_its_first_picture():
    # Phones append depth or gain maps to the JPEG; Pillow then calls the format MPO.
    main, extra = Image.new("RGB", (60, 40), (200, 30, 30)), Image.new("RGB", (30, 20), (0, 0, 200))
    data = encoded(main, "MPO", save_all=True, append_images=[extra])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    stored = reopen(prepare_photo(upload(data)).image)
    assert stored.size == (60, 40)
    assert close_to(stored.getpixel((30, 20)), (200, 30, 30))


@pytest.mark.parametrize(
    "width,height",
    [
        (30000, 30000),  # Pillow's own bomb guard refuses it while reading the header
        (10000, 10000),  # between Pillow's warning and error limits: the warning counts as a refusal
        (7000, 7000),  # 49 megapixels: only our limit (40) catches it
    ],
)
def test_prepare_photo_refuses_too_many_pixels_from_the_header(width, height):
    # The patched file holds one pixel of data: decoding it would fail as "unreadable", so the
    # answer "too_many_pixels" shows that the size was checked before any pixel was loaded.
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(png_claiming(width, height), "huge.png"))
    assert error.value.code == "too_many_pixels"
    assert error.value.message == (
        "ابعاد عکس بیش از حد بزرگ است (بیش از ۴۰ مگاپیکسل). لطفاً عکس را کوچک‌تر کنید و دوباره بفرستید."
    )


def test_prepare_photo_accepts_exactly_the_pixel_limit(settings):
    settings.PHOTO_MAX_PIXELS = 64 * 48
    assert prepare_photo(upload(noisy_jpeg(64, 48))).width == 64
    settings.PHOTO_MAX_PIXELS = 64 * 48 - 1
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(noisy_jpeg(64, 48)))
    assert error.value.code == "too_many_pixels"


def test_prepare_photo_refuses_a_text_file_named_jpg():
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload("سلام، این یک عکس نیست.\n".encode() * 20, "photo.jpg"))
    assert error.value.code == "not_an_image"
    assert error.value.message == "این پرونده تصویر نیست. لطفاً عکسی با قالب JPG،\u200f PNG یا WebP بفرستید."


def test_prepare_photo_refuses_too_many_bytes_before_looking_inside(settings):
    # Garbage over the limit: "too_large", not "not_an_image", so the size came first.
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(b"x" * (settings.PHOTO_MAX_BYTES + 1)))
    assert error.value.code == "too_large"
    assert error.value.message == (
        "عکس بیش از ۸ مگابایت است. لطفاً عکس کوچک‌تری بفرستید؛ عکسی که با تنظیمات معمولی دوربین گوشی گرفته شده مناسب است."
    )


def test_prepare_photo_byte_limit_is_inclusive(settings):
    data = noisy_jpeg(64, 48)
    settings.PHOTO_MAX_BYTES = len(data)
    assert prepare_photo(upload(data)).width == 64
    settings.PHOTO_MAX_BYTES = len(data) - 1
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(data))
    assert error.value.code == "too_large"


def test_prepare_photo_refuses_a_truncated_jpeg():
    data = noisy_jpeg()
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(data[: len(data) // 2]))
    assert error.value.code == "unreadable"


def test_prepare_photo_refuses_a_png_with_a_broken_checksum():
    data = bytearray(encoded(Image.new("RGB", (50, 50), (1, 2, 3)), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(bytes(data), "broken.png"))
    assert error.value.code == "unreadable"


@pytest.mark.parametrize(
    "data",
    [
        encoded(Image.new("RGB", (20, 20)), "GIF"),
        encoded(Image.new("RGB", (20, 20)), "BMP"),
        encoded(Image.new("RGB", (20, 20)), "TIFF"),
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,  # an iPhone HEIC's opening
    ],
    ids=["gif", "bmp", "tiff", "heic"],
)
def test_prepare_photo_refuses_other_formats(data):
    with pytest.raises(PhotoError) as error:
        prepare_photo(upload(data))
    assert error.value.code == "unsupported_format"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_add_photos_stores_metadata_free_files_under_the_vendor(db, media):
    vendor = factories.vendor()
    photos = add_photos(vendor, [prepare_photo(upload(jpeg_with_gps()))], caption="گلیم دستباف")

    photo = VendorPhoto.objects.get()
    assert photos == [photo]
    assert (photo.caption, photo.position) == ("گلیم دستباف", 0)
    assert stored_files(media) == sorted([photo.image.name, photo.thumbnail.name])
    assert photo.image.name.startswith(f"vendors/{vendor.pk}/")
    with Image.open(media / photo.image.name) as stored:
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
        assert stored.size == (667, 2000)


def test_add_photos_appends_after_the_last_position(db, media):
    vendor = factories.vendor()
    add_photos(vendor, [prepare_photo(upload(noisy_jpeg(40, 40)))])
    add_photos(vendor, [prepare_photo(upload(noisy_jpeg(40, 40))), prepare_photo(upload(noisy_jpeg(40, 40)))])
    assert list(VendorPhoto.objects.values_list("position", flat=True)) == [0, 1, 2]


def test_add_photos_over_the_limit_stores_nothing(db, media, settings):
    settings.PHOTOS_PER_VENDOR = 2
    vendor = factories.vendor()
    add_photos(vendor, [prepare_photo(upload(noisy_jpeg(40, 40)))])
    before = stored_files(media)

    with pytest.raises(PhotoError) as error:
        add_photos(vendor, [prepare_photo(upload(noisy_jpeg(40, 40))) for _ in range(2)])

    assert error.value.code == "too_many_photos"
    assert VendorPhoto.objects.count() == 1
    assert stored_files(media) == before


def test_add_photos_failing_half_way_leaves_no_rows_and_no_files(db, media):
    vendor = factories.vendor()
    good = prepare_photo(upload(noisy_jpeg(40, 40)))
    # A photo whose thumbnail is missing fails after the first photo's files were written.
    broken = PreparedPhoto(
        image=prepare_photo(upload(noisy_jpeg(40, 40))).image, thumbnail=None, width=40, height=40
    )

    with pytest.raises(AttributeError):
        add_photos(vendor, [good, broken])

    assert VendorPhoto.objects.count() == 0
    assert stored_files(media) == []
