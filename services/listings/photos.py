"""Photo intake: the type comes from the bytes (Pillow decodes them), and the image is re-encoded
without EXIF so that a seller's GPS position never leaves our servers."""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import ValidationFailed

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000


def sanitise(data: bytes) -> tuple[bytes, str, int, int]:
    """Returns (clean bytes, content type, width, height) or raises ValidationFailed."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationFailed("not an image", fields={"file": ["File is not a JPEG, PNG or WebP image."]}) from None
    if fmt not in FORMATS:
        raise ValidationFailed("unsupported image type",
                               fields={"file": [f"{fmt} is not accepted; use JPEG, PNG or WebP."]})
    img = Image.open(io.BytesIO(data))
    if img.width * img.height > MAX_PIXELS:
        raise ValidationFailed("image too large", fields={"file": ["Image has too many pixels."]})
    # Apply the orientation tag before dropping EXIF, or portrait photos would turn sideways.
    img = ImageOps.exif_transpose(img)
    out = io.BytesIO()
    params = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(out, format=fmt, **params)  # no exif= argument: metadata is not copied
    return out.getvalue(), FORMATS[fmt], img.width, img.height
