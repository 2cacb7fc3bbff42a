"""Photos from a walk lose every piece of metadata (EXIF, GPS, XMP, ICC, comments, PNG text)
and keep their pixels, upright; what cannot be read is refused with a message."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from mapapp.errors import DataValidationError
from mapapp.photos import MAX_SIDE, clean_photo, has_metadata

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _two_colour(w: int = 64, h: int = 32) -> Image.Image:
    img = Image.new("RGB", (w, h), RED)
    img.paste(BLUE, (w // 2, 0, w, h))  # left red, right blue
    return img


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Kamera AB"  # Make
    exif[0x0132] = "2023:04:21 21:14:00"  # DateTime
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (59.0, 17.0, 52.3), 3: "E", 4: (18.0, 0.0, 4.1)})
    return exif


def _phone_jpeg(orientation: int = 6) -> bytes:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    _two_colour().save(out, "JPEG", exif=_exif(orientation), icc_profile=icc,
                       comment=b"tagen av en person",
                       xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>http://ns.adobe.com/xap/1.0/"
                           b"</x:xmpmeta>")
    return out.getvalue()


def _close(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 12 for x, y in zip(a, b, strict=False))


def test_jpeg_loses_exif_gps_xmp_icc_and_comment():
    raw = _phone_jpeg(orientation=1)
    assert {"exif", "gps", "xmp", "icc_profile", "comment"} <= set(has_metadata(raw))
    clean = clean_photo(raw, max_bytes=1_000_000)
    assert clean.mime == "image/jpeg"
    assert has_metadata(clean.data) == []
    assert b"Kamera AB" not in clean.data and b"tagen av" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as img:
        assert img.format == "JPEG" and img.size == (64, 32)
        assert _close(img.getpixel((8, 16)), RED) and _close(img.getpixel((56, 16)), BLUE)


def test_jpeg_is_turned_upright_by_its_orientation_before_the_tag_is_dropped():
    # Orientation 6: the camera was turned; the viewer rotates 90° clockwise.
    clean = clean_photo(_phone_jpeg(orientation=6), max_bytes=1_000_000)
    with Image.open(io.BytesIO(clean.data)) as img:
        assert img.size == (32, 64)
        assert _close(img.getpixel((16, 8)), RED) and _close(img.getpixel((16, 56)), BLUE)
        assert 0x0112 not in img.getexif()


def test_png_loses_text_chunks_and_exif():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "en person")
    info.add_text("Comment", "Västberga gårdsväg 2023-04-21")
    out = io.BytesIO()
    _two_colour().save(out, "PNG", pnginfo=info, exif=_exif())
    raw = out.getvalue()
    assert "png_text" in has_metadata(raw) and "gps" in has_metadata(raw)
    clean = clean_photo(raw, max_bytes=1_000_000)
    assert clean.mime == "image/png" and has_metadata(clean.data) == []
    assert b"en person" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as img:
        assert img.getpixel((8, 16))[:3] == RED


def test_large_photo_is_scaled_down():
    out = io.BytesIO()
    Image.new("RGB", (MAX_SIDE * 2, MAX_SIDE), (30, 90, 30)).save(out, "JPEG", quality=50)
    clean = clean_photo(out.getvalue(), max_bytes=10_000_000)
    assert (clean.width, clean.height) == (MAX_SIDE, MAX_SIDE // 2)


@pytest.mark.parametrize(("data", "field_text"), [
    (b"", "tomt"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
    (b"GIF89a" + b"\x00" * 64, "JPEG eller PNG"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "går inte att läsa"),
])
def test_unusable_files_are_refused_with_a_message(data, field_text):
    with pytest.raises(DataValidationError) as err:
        clean_photo(data, max_bytes=1_000_000)
    assert err.value.problems[0].field == "photo"
    assert field_text in str(err.value)


def test_size_limit():
    raw = _phone_jpeg()
    with pytest.raises(DataValidationError, match="MB"):
        clean_photo(raw, max_bytes=len(raw) - 1)
    with pytest.raises(DataValidationError, match="at most"):
        clean_photo(raw, max_bytes=len(raw) - 1, lang="en")
