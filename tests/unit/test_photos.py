import io

import pytest
from PIL import Image

from services.errors import ValidationFailed
from services.listings.photos import sanitise


def _jpeg_with_gps():
    img = Image.new("RGB", (30, 20), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: must be applied before EXIF is dropped
    exif[0x8825] = {1: "N", 2: (37.0, 31.0, 0.0)}
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_exif_and_gps_are_removed_and_orientation_applied():
    clean, ctype, w, h = sanitise(_jpeg_with_gps())
    assert ctype == "image/jpeg" and (w, h) == (20, 30)
    out = Image.open(io.BytesIO(clean))
    assert not out.getexif() and out.size == (20, 30)


@pytest.mark.parametrize("data", [b"MZ\x90\x00" + b"\0" * 100, b"%PDF-1.7\n", b"", b"GIF89a" + b"\0" * 20])
def test_non_images_are_refused(data):
    with pytest.raises(ValidationFailed) as e:
        sanitise(data)
    assert "file" in e.value.fields


def test_webp_and_png_accepted():
    for fmt, ctype in (("PNG", "image/png"), ("WEBP", "image/webp")):
        buf = io.BytesIO()
        Image.new("RGBA", (8, 8)).save(buf, format=fmt)
        assert sanitise(buf.getvalue())[1] == ctype
