"""Abuse at the edge (issue 19): inputs an attacker sends to burn CPU, hide text or dodge limits
are refused with problem+json before they cost anything."""
import io
import struct
import zlib

from PIL import Image, ImageFile

from tests.factories.listings import fridge_payload


def _png_bomb(width: int = 6000, height: int = 6000) -> bytes:
    """A real grayscale PNG of width x height black pixels: a few kilobytes that decode to 36 MB."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    z = zlib.compressobj(9)
    row = b"\0" * (1 + width)  # filter byte + one byte a pixel
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding(client, consumer, monkeypatch):
    lid = client.post("/api/v1/listings", json=fridge_payload(), headers=consumer.headers).json["id"]
    bomb = _png_bomb()
    assert len(bomb) < 64 * 1024 and Image.open(io.BytesIO(bomb)).size == (6000, 6000)

    def no_decoding(self):
        raise AssertionError("pixels were decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    r = client.post(f"/api/v1/listings/{lid}/photos", data={"file": (io.BytesIO(bomb), "bomb.png")},
                    headers=consumer.headers, content_type="multipart/form-data")
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "6000 x 6000" in r.json["errors"]["file"][0]
    assert client.get(f"/api/v1/listings/{lid}", headers=consumer.headers).json["photos"] == []
