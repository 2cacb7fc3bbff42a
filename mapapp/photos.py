"""Photos from the field: check, strip every piece of metadata, store.

A phone or tablet photo carries EXIF (camera, time, often the GPS position of the person who
took it), XMP, IPTC, an ICC profile, comments and thumbnails. :func:`clean_photo` keeps only the
pixels: it decodes the image, turns it upright by its EXIF orientation, copies the pixels into a
new image that has no ``info`` at all, and encodes that (JPEG stays JPEG, PNG stays PNG). Nothing
of the original file's bytes is written back.

Accepted: JPEG and PNG up to ``max_bytes`` (the setting ``MAPAPP_PHOTO_MAX_BYTES``) and
:data:`MAX_PIXELS`. HEIC/HEIF (iPhone default) is not readable here: the message says to choose
"Most compatible" (JPEG) in the camera settings or to use the camera button of the page.
Large images are scaled down to :data:`MAX_SIDE` pixels on the long side.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import t

MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
JPEG_QUALITY = 85
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    mime: str
    width: int
    height: int


def _problem(key: str, *, lang: str, **params: object) -> DataValidationError:
    return DataValidationError([Problem(None, "photo", t(key, lang, **params))])


def _sniff(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "HEIC"
    return None


def clean_photo(data: bytes, *, max_bytes: int, lang: str = "sv") -> CleanPhoto:
    """The photo's pixels re-encoded without any metadata.

    Raises :class:`~mapapp.errors.DataValidationError` (field ``photo``) for an empty file, a
    file over ``max_bytes``, a HEIC file, any other format, or an image that cannot be decoded.
    """
    if not data:
        raise _problem("walks.photo.empty", lang=lang)
    if len(data) > max_bytes:
        raise _problem("walks.photo.too_big", lang=lang, mb=f"{len(data) / 1e6:.1f}",
                       max_mb=f"{max_bytes / 1e6:.1f}")
    kind = _sniff(data)
    if kind == "HEIC":
        raise _problem("walks.photo.heic", lang=lang)
    if kind not in _FORMATS:
        raise _problem("walks.photo.format", lang=lang)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[kind])
            if img.width * img.height > MAX_PIXELS:
                raise _problem("walks.photo.too_many_pixels", lang=lang,
                               mp=f"{img.width * img.height / 1e6:.0f}",
                               max_mp=f"{MAX_PIXELS / 1e6:.0f}")
            img.load()
            upright = ImageOps.exif_transpose(img)
    except DataValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _problem("walks.photo.unreadable", lang=lang, error=type(exc).__name__) from exc
    if kind == "JPEG":
        mode = "L" if upright.mode in ("L", "1") else "RGB"
    else:
        mode = {"1": "L", "P": "RGBA", "LA": "RGBA", "I;16": "L", "I": "L", "F": "L",
                "CMYK": "RGB", "YCbCr": "RGB"}.get(upright.mode, upright.mode)
        if mode not in ("L", "RGB", "RGBA"):
            mode = "RGBA"
    pixels = upright.convert(mode)
    if max(pixels.size) > MAX_SIDE:
        pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A brand-new image: only mode, size and pixel bytes cross over, no info/exif/icc/xmp.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        bare.save(out, format="PNG", optimize=True)
    return CleanPhoto(out.getvalue(), _FORMATS[kind], bare.width, bare.height)


def has_metadata(data: bytes) -> list[str]:
    """What metadata an image file still carries (empty for a cleaned photo): EXIF, GPS, XMP,
    ICC, comments, PNG text chunks. Used by the tests and by anyone who wants to check a file."""
    found = []
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        if len(exif):
            found.append("exif")
        if exif.get_ifd(0x8825):
            found.append("gps")
        for key in ("icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
            if key in img.info:
                found.append(key)
        if img.format == "PNG":
            text = getattr(img, "text", {})
            if text:
                found.append("png_text")
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap"):
        if marker in data:
            found.append(f"bytes:{marker[:8]!r}")
    return sorted(set(found))
