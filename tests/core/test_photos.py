"""core.photos: what comes out of clean_image carries no metadata at all (a phone photo's EXIF has
the GPS position); what is not a photo, too big, or a decompression bomb is refused with a Chinese
message naming the field, and nothing is written; stored photos are served only by their own
names, never by a path that climbs out of MEDIA_ROOT."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from jiceng.core import photos
from jiceng.core.errors import DomainError, NotFound


def phone_jpeg(size=(40, 30), orientation: int | None = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with the maker, the serial number, the GPS position and
    the orientation, an ICC profile and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.BodySerialNumber] = "SN-4711"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (31.0, 56.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (108.0, 39.0, 47.25),
    }
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(
        out, "JPEG", exif=exif, icc_profile=b"ICC-profile-bytes" * 8, comment=b"taken at home"
    )
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_fixture_really_carries_gps():
    raw = phone_jpeg()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"PhoneCo" in raw and b"taken at home" in raw


def test_a_phone_photo_comes_out_with_no_exif_at_all():
    raw = phone_jpeg()
    clean = photos.clean_image(upload(raw), field="photos")
    assert clean.content_type == "image/jpeg" and clean.ext == "jpg"
    out = Image.open(io.BytesIO(clean.data))
    assert out.format == "JPEG"
    assert dict(out.getexif()) == {}
    assert not out.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    for key in ("exif", "icc_profile", "comment", "xmp"):
        assert key not in out.info, key
    for marker in (b"Exif", b"PhoneCo", b"SN-4711", b"taken at home", b"ICC-profile"):
        assert marker not in clean.data, marker
    # the orientation (6: turned 90°) was applied before the EXIF went
    assert (clean.width, clean.height) == (30, 40) == out.size


def test_png_and_webp_are_re_encoded_in_their_format():
    for fmt, ct in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "PhoneCo"
        Image.new("RGBA", (20, 10), (0, 0, 0, 128)).save(out, fmt, exif=exif)
        clean = photos.clean_image(upload(out.getvalue(), f"x.{fmt.lower()}"), field="photos")
        assert clean.content_type == ct and b"PhoneCo" not in clean.data
        assert Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_a_large_photo_is_scaled_down():
    out = io.BytesIO()
    Image.new("RGB", (photos.MAX_SIDE * 2, 100)).save(out, "PNG")
    clean = photos.clean_image(upload(out.getvalue(), "wide.png"), field="photos")
    assert clean.width == photos.MAX_SIDE and clean.height == 50


def _refused(data: bytes, name: str, settings, **kw) -> str:
    with pytest.raises(DomainError) as exc:
        photos.clean_image(upload(data, name, **kw), field="photos")
    assert list(exc.value.errors) == ["photos"]
    (message,) = exc.value.errors["photos"]
    assert message.startswith("照片：")
    assert media_files(settings) == []  # nothing written
    return message


def test_a_text_file_named_jpg_is_refused(settings):
    message = _refused(b"this is not a photo at all\n" * 20, "photo.jpg", settings)
    assert "不是可识别的图片" in message and "photo.jpg" in message


def test_other_image_formats_are_refused(settings):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    assert "JPEG、PNG 或 WebP" in _refused(out.getvalue(), "a.gif", settings)


def test_an_oversized_file_is_refused(settings):
    big = phone_jpeg() + b"\0" * (photos.MAX_BYTES + 1)
    assert "超过 8 MB" in _refused(big, "big.jpg", settings)


def test_a_file_claiming_a_small_size_is_still_measured(settings):
    class Liar(SimpleUploadedFile):
        @property
        def size(self):
            return 10

        @size.setter
        def size(self, value):
            pass

    f = Liar("big.jpg", b"\xff\xd8\xff" + b"\0" * (photos.MAX_BYTES + 10), "image/jpeg")
    with pytest.raises(DomainError) as exc:
        photos.clean_image(f, field="photos")
    assert "超过 8 MB" in exc.value.errors["photos"][0]


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [9_000, 40_000])  # over our cap; over Pillow's own refusal too
def test_a_decompression_bomb_is_refused(settings, side):
    data = bomb_png(side, side)
    assert len(data) < 1000
    assert "像素过多" in _refused(data, "bomb.png", settings, content_type="image/png")


def test_save_read_and_serve(settings):
    clean = photos.clean_image(upload(phone_jpeg()), field="photos")
    name = photos.save(clean, kind="visits")
    assert name.startswith("visits/") and name.endswith(".jpg")
    path = Path(settings.MEDIA_ROOT) / name
    assert path.stat().st_mode & 0o777 == 0o600
    assert photos.read(name) == clean.data
    resp = photos.response(name, clean.content_type)
    assert resp["Cache-Control"] == "private, no-store"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Content-Type"] == "image/jpeg" and resp.content == clean.data
    photos.delete(name)
    assert not path.exists()
    with pytest.raises(NotFound):
        photos.read(name)


@pytest.mark.parametrize(
    "name",
    [
        "../settings.py",
        "visits/../../etc/passwd",
        "/etc/passwd",
        "visits/x.jpg",
        "visits/" + "a" * 20 + ".exe",
        "",
    ],
)
def test_read_refuses_any_other_name(settings, name):
    with pytest.raises(NotFound):
        photos.read(name)


def test_response_refuses_an_unknown_content_type(settings):
    name = photos.save(photos.clean_image(upload(phone_jpeg()), field="photos"), kind="visits")
    with pytest.raises(NotFound):
        photos.response(name, "text/html")
