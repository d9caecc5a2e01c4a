import pytest

from services import identifiers


@pytest.fixture(autouse=True)
def id_hash_key():
    """A known ID_HASH_KEY for the test, restoring whatever the suite had configured."""
    before = identifiers._key
    identifiers.configure("unit-test-id-hash-key")
    yield
    identifiers._key = before
