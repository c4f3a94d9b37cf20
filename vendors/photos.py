"""Product photos, posters and vendors' portraits: check an upload is a real, modestly sized image; store
it without metadata."""

from __future__ import annotations

import io
import math
import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from bazaarche.text import digits_for_language

from .models import Vendor, VendorPhoto

# Pillow's format names. MPO is a JPEG with extra pictures appended (depth maps, gain maps): many
# phones save those, and the first picture is the photo. GIF is left out on purpose: an animated
# GIF would silently lose its animation, and no phone camera makes GIFs.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
JPEG_QUALITY = 82
THUMB_QUALITY = 78
# A portrait is looked at on a phone at the gate, a face in a circle a few centimetres wide.
PORTRAIT_SIDE = 640
WHITE = (255, 255, 255)

# iPhones save HEIC/AVIF; Pillow cannot read them without a plugin, but naming the real problem
# ("wrong format") helps the vendor more than "not an image". These are ISO-BMFF brands at byte 4.
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypavif", b"ftypavis")


class PhotoError(Exception):
    """A photo we will not store. code is stable (tests, logs); message is for the vendor."""

    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNREADABLE = "unreadable"
    TOO_MANY_PHOTOS = "too_many_photos"

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo re-encoded as JPEG, upright, scaled down, with a thumbnail; both under fresh random names."""

    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _number(value: int) -> str:
    return digits_for_language(str(value))


def _error(code: str) -> PhotoError:
    messages = {
        PhotoError.TOO_LARGE: _(
            "The photo is larger than %(limit)s MB. Please send a smaller photo: "
            "one taken with a phone's usual camera settings is fine."
        )
        % {"limit": _number(settings.PHOTO_MAX_BYTES // (1024 * 1024))},
        PhotoError.NOT_AN_IMAGE: _("This file is not an image. Please send a JPG, PNG or WebP photo."),
        PhotoError.TOO_MANY_PIXELS: _(
            "The photo's dimensions are too large (over %(limit)s megapixels). "
            "Please make it smaller and send it again."
        )
        % {"limit": _number(settings.PHOTO_MAX_PIXELS // 1_000_000)},
        PhotoError.UNSUPPORTED_FORMAT: _(
            "This image format is not accepted. Please send a JPG, PNG or WebP photo "
            "(on a phone, choosing the photo from the gallery usually sends a JPG)."
        ),
        PhotoError.UNREADABLE: _(
            "This photo is damaged or incomplete and cannot be read. "
            "Please send it again, or save it once more on your phone or computer first."
        ),
    }
    return PhotoError(code, messages[code])


def _size_of(uploaded: IO[bytes]) -> int:
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, io.SEEK_END)
        size = uploaded.tell()
    return size


def _random_names() -> tuple[str, str]:
    token = secrets.token_hex(16)
    return f"{token}.jpg", f"{token}-thumb.jpg"


def _encode(image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile=, xmp= or comment: the stored file carries pixels only. The image
    # passed in is freshly built, so nothing rides along from the upload's info either.
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _to_srgb(image):
    """Convert pixels tagged with an ICC profile to sRGB, so dropping the profile keeps the colours."""
    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, io.BytesIO(icc), ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile: the pixels are still fine, only slightly off in colour without it.
        return image


def _flatten(image):
    """An RGB image: transparency laid over white (a product photo on a white card looks right)."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit and float greyscale: scale to 8 bits, or converting clips nearly everything to white.
        low, high = image.getextrema()
        span = (high - low) or 1
        image = image.point(lambda v: (v - low) * 255 / span).convert("L")
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _checked_image(uploaded: IO[bytes], side: int):
    """The upload checked and decoded: upright, RGB, in sRGB, within side×side, in a fresh image with no metadata.

    Raises PhotoError with a stable code.
    """
    from PIL import Image, ImageOps

    if _size_of(uploaded) > settings.PHOTO_MAX_BYTES:
        raise _error(PhotoError.TOO_LARGE)
    uploaded.seek(0)
    data = uploaded.read()
    if data[4:12] in _HEIF_BRANDS:
        raise _error(PhotoError.UNSUPPORTED_FORMAT)

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; any hint of a bomb is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # open() reads the header only: size and format are known before any pixel is decoded.
            probe = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _error(PhotoError.TOO_MANY_PIXELS) from None
        except Exception:
            # UnidentifiedImageError, or a plugin choking on a header: either way not a usable image.
            raise _error(PhotoError.NOT_AN_IMAGE) from None
        width, height = probe.size
        if width * height > settings.PHOTO_MAX_PIXELS:
            raise _error(PhotoError.TOO_MANY_PIXELS)
        if probe.format not in ACCEPTED_FORMATS:
            raise _error(PhotoError.UNSUPPORTED_FORMAT)
        try:
            probe.verify()  # checksums and structure, still without decoding pixels
        except Exception:
            raise _error(PhotoError.UNREADABLE) from None

        try:
            # verify() leaves the image unusable: open it again to decode.
            image = Image.open(io.BytesIO(data))
            if max(width, height) > side:
                # A big JPEG is decoded at 1/2, 1/4 or 1/8 scale, never below the size it will be
                # stored at: a 12-megapixel photo then takes a third of the time and memory.
                ratio = side / max(width, height)
                image.draft(None, (math.ceil(width * ratio), math.ceil(height * ratio)))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _error(PhotoError.TOO_MANY_PIXELS) from None
        except Exception:  # truncated or corrupt data shows up here
            raise _error(PhotoError.UNREADABLE) from None

        try:
            try:
                image = ImageOps.exif_transpose(image)
            except Exception:
                # Malformed EXIF: keep the photo as it is rather than refuse it.
                pass
            image = _flatten(_to_srgb(image))
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
            # A fresh image: no info dict, so no EXIF, GPS, XMP, ICC profile or comment can follow.
            clean = Image.new("RGB", image.size)
            clean.paste(image)
        except Exception:
            raise _error(PhotoError.UNREADABLE) from None
    return clean


def prepare_photo(uploaded: IO[bytes]) -> PreparedPhoto:
    """Check an uploaded photo and re-encode it: upright, RGB, at most PHOTO_MAX_SIDE, as a metadata-free JPEG.

    Raises PhotoError with a stable code; nothing is written anywhere.
    """
    from PIL import Image

    clean = _checked_image(uploaded, settings.PHOTO_MAX_SIDE)
    try:
        thumb = clean.copy()
        thumb_side = settings.PHOTO_THUMB_SIDE
        thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
        image_bytes = _encode(clean, JPEG_QUALITY)
        thumb_bytes = _encode(thumb, THUMB_QUALITY)
    except Exception:
        raise _error(PhotoError.UNREADABLE) from None

    image_name, thumb_name = _random_names()
    return PreparedPhoto(
        image=ContentFile(image_bytes, name=image_name),
        thumbnail=ContentFile(thumb_bytes, name=thumb_name),
        width=clean.width,
        height=clean.height,
    )


def prepare_image(uploaded: IO[bytes]) -> ContentFile:
    """Check an uploaded image as prepare_photo does, and re-encode it alone, without a thumbnail.

    For a picture another app shows on its own, such as an exhibition's poster: a metadata-free
    JPEG within PHOTO_MAX_SIDE, under a fresh random name. Raises PhotoError with a stable code;
    nothing is written anywhere.
    """
    clean = _checked_image(uploaded, settings.PHOTO_MAX_SIDE)
    try:
        data = _encode(clean, JPEG_QUALITY)
    except Exception:
        raise _error(PhotoError.UNREADABLE) from None
    return ContentFile(data, name=_random_names()[0])


def prepare_portrait(uploaded: IO[bytes]) -> ContentFile:
    """Check a vendor's photo of themself and re-encode it as prepare_image does, within PORTRAIT_SIDE.

    Raises PhotoError with a stable code; nothing is written anywhere.
    """
    clean = _checked_image(uploaded, PORTRAIT_SIDE)
    try:
        data = _encode(clean, JPEG_QUALITY)
    except Exception:
        raise _error(PhotoError.UNREADABLE) from None
    return ContentFile(data, name=_random_names()[0])


def set_portrait(vendor: Vendor, prepared: ContentFile | None) -> None:
    """Give a vendor a new portrait, or none with None. The file replaced is deleted once the change is
    committed; a new file written before a failure is deleted at once."""
    field_file = vendor.portrait
    storage = field_file.storage
    old = field_file.name or ""
    new = ""
    try:
        with transaction.atomic():
            if prepared is not None:
                field_file.save(prepared.name, prepared, save=False)
                new = field_file.name
            else:
                field_file.name = ""
            Vendor.objects.filter(pk=vendor.pk).update(portrait=new)
    except BaseException:
        if new:
            storage.delete(new)
        field_file.name = old
        raise
    if old and old != new:
        transaction.on_commit(lambda: storage.delete(old))


def photo_limit_error(existing: int, adding: int) -> PhotoError | None:
    """The refusal when adding photos would pass PHOTOS_PER_VENDOR, else None."""
    limit = settings.PHOTOS_PER_VENDOR
    if existing + adding <= limit:
        return None
    if existing >= limit:
        message = _(
            "A business can keep at most %(limit)s photos and you already have %(limit)s. "
            "Delete a photo to make room for a new one."
        ) % {"limit": _number(limit)}
    else:
        message = _(
            "A business can keep at most %(limit)s photos. You have %(count)s, "
            "so you can add %(left)s more; please choose fewer photos."
        ) % {"limit": _number(limit), "count": _number(existing), "left": _number(limit - existing)}
    return PhotoError(PhotoError.TOO_MANY_PHOTOS, message)


def add_photos(vendor: Vendor, photos: Sequence[PreparedPhoto], caption: str = "") -> list[VendorPhoto]:
    """Store prepared photos on a vendor's profile, all or none, after the end of the current ones.

    Raises PhotoError("too_many_photos") when they would not fit. Files written before a failure
    are deleted again, so a failed upload leaves no orphan files behind.
    """
    written: list = []
    try:
        with transaction.atomic():
            # Lock the vendor row: two uploads at once must not both pass the limit check.
            Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
            current = VendorPhoto.objects.filter(vendor=vendor).aggregate(n=Count("pk"), last=Max("position"))
            error = photo_limit_error(current["n"], len(photos))
            if error:
                raise error
            position = 0 if current["last"] is None else current["last"] + 1
            created = []
            for offset, prepared in enumerate(photos):
                photo = VendorPhoto(vendor=vendor, caption=caption, position=position + offset)
                photo.image.save(prepared.image.name, prepared.image, save=False)
                written.append(photo.image)
                photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
                written.append(photo.thumbnail)
                photo.save()
                created.append(photo)
            return created
    except BaseException:
        for field_file in written:
            field_file.storage.delete(field_file.name)
        raise


def delete_photo(photo: VendorPhoto) -> None:
    """Delete a photo's row, and its files once the deletion is committed."""
    files = [(f.storage, f.name) for f in (photo.image, photo.thumbnail) if f]
    photo.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
