"""Stored files follow their transaction: no orphan file after a rollback, no row without its
file after a rolled-back delete, and staged leftovers are swept."""
import io
import os
import time

import pytest
from PIL import Image

from services import storage as storage_mod
from services.listings import service as listings
from services.storage import LocalDiskStorage
from tests.factories.listings import fridge_payload


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def disk(tmp_path):
    return LocalDiskStorage(tmp_path)


def test_a_photo_whose_transaction_rolls_back_leaves_no_file(session, consumer, disk, tmp_path):
    listing = listings.create(session, consumer.user, fridge_payload())
    session.commit()
    photo = listings.add_photo(session, disk, consumer.user, listing.id, _png())
    assert not (tmp_path / photo.storage_key).exists()  # not published before the commit
    session.rollback()
    assert _files(tmp_path) == []


def test_a_photo_appears_under_its_key_only_after_commit(session, consumer, disk, tmp_path):
    listing = listings.create(session, consumer.user, fridge_payload())
    photo = listings.add_photo(session, disk, consumer.user, listing.id, _png())
    session.commit()
    assert _files(tmp_path) == [photo.storage_key]
    assert Image.open(io.BytesIO(disk.get(photo.storage_key))).size == (32, 24)


def test_a_rolled_back_delete_keeps_the_file(session, consumer, disk, tmp_path):
    listing = listings.create(session, consumer.user, fridge_payload())
    photo = listings.add_photo(session, disk, consumer.user, listing.id, _png())
    session.commit()
    listings.delete_photo(session, disk, consumer.user, photo.id)
    assert disk.get(photo.storage_key)  # still served while the delete is uncommitted
    session.rollback()
    assert _files(tmp_path) == [photo.storage_key]
    listings.delete_photo(session, disk, consumer.user, photo.id)
    session.commit()
    assert _files(tmp_path) == []


def test_staged_leftovers_are_swept_after_an_hour(disk, tmp_path):
    old = disk.stage("listings/x/old.png", b"a", "image/png")
    new = disk.stage("listings/x/new.png", b"b", "image/png")
    disk.put("listings/x/kept.png", b"c", "image/png")
    hour_ago = time.time() - 3700
    os.utime(tmp_path / old, (hour_ago, hour_ago))
    assert disk.sweep_staged(3600) == 1
    assert _files(tmp_path) == sorted(["listings/x/kept.png", new])
    assert storage_mod.STAGED in new
