"""Photos people upload (a grid worker's visit, a resident's request): checked, stripped and stored
where only a scoped view serves them.

``clean_image`` refuses what is not a photo — over ``MAX_BYTES``, not decodable, not JPEG, PNG or
WebP, or a decompression bomb (a small file whose header claims a huge picture) — and re-encodes
what is one from its pixels alone: the EXIF orientation is applied first, then everything else the
file carried goes (EXIF with the GPS position and the phone's serial number, XMP, ICC profiles,
comments, text chunks), because a fresh image is built from the pixel data and saved without any.
Large pictures are scaled down to ``MAX_SIDE`` on their long side.

``save`` writes the cleaned bytes under ``MEDIA_ROOT/<kind>/`` with a random name, readable by the
server's user only (0600); ``read`` and ``response`` serve them back, refusing any name that is
not one ``save`` could have made (no path traversal). MEDIA_ROOT is never published: the app's own
view checks the record's scope, then calls ``response``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError, NotFound

MAX_BYTES = 8 * 1024 * 1024  # 8 MiB: a phone photo is 2–6 MB
MAX_PIXELS = 50_000_000  # a 50-megapixel picture; more is a bomb, not a photo
MAX_SIDE = 2560  # long side kept: enough to read a notice on a wall, a third of a raw photo's bytes
JPEG_QUALITY = 85

# Pillow's format name → (content type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
CONTENT_TYPES = frozenset(ct for ct, _ext in FORMATS.values())
_KIND = re.compile(r"[a-z0-9_-]{1,40}", re.ASCII)
_NAME = re.compile(r"([a-z0-9_-]{1,40})/([A-Za-z0-9_-]{16,64})\.(jpg|png|webp)", re.ASCII)


@dataclass(frozen=True)
class CleanImage:
    """A photo re-encoded from its pixels: no metadata left."""

    data: bytes
    content_type: str
    ext: str
    width: int
    height: int


def _refuse(field: str, label: str, name: str, why: str) -> DomainError:
    shown = f"“{name[:40]}”" if name else ""
    return DomainError(field=field, message=f"{label}：{shown}{why}")


def _read_all(upload: Any, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the upload (a size the client claims is not trusted)."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        out = bytearray()
        for chunk in upload.chunks():
            out += chunk
            if len(out) > limit:
                break
        return bytes(out[: limit + 1])
    return upload.read(limit + 1)


def clean_image(upload: Any, *, field: str, label: str = "照片") -> CleanImage:
    """The upload as a clean JPEG, PNG or WebP (the format it came in), or a DomainError on
    ``field`` whose message starts with ``label``. Nothing is written anywhere."""
    name = str(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(field, label, name, f"超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩后再上传。")
    data = _read_all(upload, MAX_BYTES)
    if len(data) > MAX_BYTES:
        raise _refuse(field, label, name, f"超过 {MAX_BYTES // (1024 * 1024)} MB，请压缩后再上传。")
    if not data:
        raise _refuse(field, label, name, "文件是空的。")
    not_a_photo = "不是可识别的图片，只接受 JPEG、PNG 或 WebP 格式的照片。"
    bomb = f"像素过多（超过 {MAX_PIXELS // 1_000_000} 百万像素），不是正常的照片。"
    with warnings.catch_warnings():
        # Pillow warns between MAX_IMAGE_PIXELS and twice that, and refuses beyond: both refused here
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Image.Image = Image.open(io.BytesIO(data))
            fmt = img.format or ""
            if fmt not in FORMATS:
                raise _refuse(field, label, name, not_a_photo)
            width, height = img.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise _refuse(field, label, name, bomb)
            if fmt == "JPEG":
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decoded at a reduced scale: less memory
            img.seek(0)  # an animation: its first frame
            img.load()
            img = ImageOps.exif_transpose(img)  # the way the phone was held, before the EXIF goes
        except DomainError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(field, label, name, bomb) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise _refuse(field, label, name, not_a_photo) from None
    img = _plain_mode(img, fmt)
    if max(img.size) > MAX_SIDE:
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # a new image from the pixels alone: no info dict, no EXIF, XMP, ICC profile or comment to carry
    fresh = Image.frombytes(img.mode, img.size, img.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        fresh.save(out, "PNG", optimize=True)
    else:
        fresh.save(out, "WEBP", quality=JPEG_QUALITY)
    content_type, ext = FORMATS[fmt]
    return CleanImage(out.getvalue(), content_type, ext, fresh.width, fresh.height)


def _plain_mode(img: Image.Image, fmt: str) -> Image.Image:
    """A mode the format saves and ``frombytes`` rebuilds without a palette or side data."""
    has_alpha = "A" in img.getbands() or "transparency" in img.info
    if fmt == "JPEG":
        return img if img.mode in ("RGB", "L") else img.convert("RGB")
    if img.mode in ("RGB", "RGBA", "L", "LA"):
        return img
    return img.convert("RGBA" if has_alpha else "RGB")


def _root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def save(img: CleanImage, *, kind: str) -> str:
    """Write the photo as ``MEDIA_ROOT/<kind>/<random>.<ext>`` (mode 0600, never overwriting) and
    return that relative name, which is what a record keeps."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"photo kind {kind!r}: lower-case letters, digits, - and _ only")
    folder = _root() / kind
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    while True:
        name = f"{kind}/{secrets.token_urlsafe(24)}.{img.ext}"
        try:
            fd = os.open(_root() / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # pragma: no cover - 192 random bits
            continue
        break
    with os.fdopen(fd, "wb") as fh:
        fh.write(img.data)
    return name


def _path(name: str) -> Path:
    """The file of a name ``save`` made; anything else (``..``, an absolute path, another folder's
    file) is NotFound."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise NotFound()
    root = _root()
    path = (root / name).resolve()
    if root not in path.parents:
        raise NotFound()
    return path


def read(name: str) -> bytes:
    try:
        return _path(name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise NotFound() from None


def delete(name: str) -> None:
    """Remove a stored photo (a write that failed after saving it); a missing file is no error."""
    with contextlib.suppress(FileNotFoundError, NotFound):
        _path(name).unlink()


def response(name: str, content_type: str) -> HttpResponse:
    """The photo for a view that has checked the record's scope: never cached, never sniffed."""
    if content_type not in CONTENT_TYPES:
        raise NotFound()
    resp = HttpResponse(read(name), content_type=content_type)
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Disposition"] = "inline"
    return resp
