import pytest

from services.identifiers import IdHasher

KEY = "unit-test-id-hash-key"


@pytest.fixture
def hasher():
    """An id hasher with a known ID_HASH_KEY (what an app builds from its settings)."""
    return IdHasher(KEY)
