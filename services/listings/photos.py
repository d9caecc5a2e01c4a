"""Photo intake: the type comes from the bytes (Pillow decodes them), and the image is re-encoded
without EXIF so that a seller's GPS position never leaves our servers."""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import ValidationFailed

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# 24 MP (a 6000 x 4000 camera photo) is more than a listing needs; the decoded image costs 3-4
# bytes a pixel, so this bounds the memory of one upload at about 100 MB.
MAX_PIXELS = 24_000_000
MAX_SIDE = 12_000


def sanitise(data: bytes) -> tuple[bytes, str, int, int]:
    """Returns (clean bytes, content type, width, height) or raises ValidationFailed."""
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only: nothing is decoded yet
            fmt = probe.format
            _refuse_bombs(*probe.size)
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationFailed("not an image", fields={"file": ["File is not a JPEG, PNG or WebP image."]}) from None
    if fmt not in FORMATS:
        raise ValidationFailed("unsupported image type",
                               fields={"file": [f"{fmt} is not accepted; use JPEG, PNG or WebP."]})
    img = Image.open(io.BytesIO(data))
    # Apply the orientation tag before dropping EXIF, or portrait photos would turn sideways.
    img = ImageOps.exif_transpose(img)
    out = io.BytesIO()
    params = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(out, format=fmt, **params)  # no exif= argument: metadata is not copied
    return out.getvalue(), FORMATS[fmt], img.width, img.height


def _refuse_bombs(width: int, height: int) -> None:
    """Judge the size the header declares, before any pixel is decoded: a few kilobytes of PNG
    can declare 6000 x 6000 pixels (a decompression bomb) and cost a second of CPU and 100 MB."""
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ValidationFailed("image too large", fields={"file": [
            f"Image declares {width} x {height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels "
            f"and {MAX_SIDE} pixels a side are accepted."]})
