"""The test apps' password hasher (the `fast_passwords` fixture in tests/fixtures/orders.py switches it).

Every app the tests build (tests/factories/app.py make_app) is given TEST_PASSWORDS as its
`passwords` collaborator through `create_app(..., deps={...})`: no module is patched. It hashes with
the app's real argon2 parameters until a test asks for cheap ones (or a spy), and is reset after it.
"""
from __future__ import annotations

from argon2 import PasswordHasher

CHEAP = dict(time_cost=1, memory_cost=1024, parallelism=1)


class TestPasswords(PasswordHasher):
    """A PasswordHasher whose work is done by `current` (the real parameters unless a test swapped)."""

    __test__ = False

    def __init__(self) -> None:
        super().__init__()
        self.default = PasswordHasher()
        self.current = self.default

    def use(self, hasher: PasswordHasher) -> PasswordHasher:
        self.current = hasher
        return hasher

    def reset(self) -> None:
        self.current = self.default

    # What services.accounts uses of a hasher: the work and the parameters it was built with.
    def hash(self, password, *, salt=None):
        return self.current.hash(password, salt=salt)

    def verify(self, hash, password):
        return self.current.verify(hash, password)

    def check_needs_rehash(self, hash):
        return self.current.check_needs_rehash(hash)

    time_cost = property(lambda self: self.current.time_cost)
    memory_cost = property(lambda self: self.current.memory_cost)
    parallelism = property(lambda self: self.current.parallelism)
    hash_len = property(lambda self: self.current.hash_len)
    salt_len = property(lambda self: self.current.salt_len)


TEST_PASSWORDS = TestPasswords()


class CountingPasswords(PasswordHasher):
    """Cheap argon2 that counts its hashes: `fast_passwords.use(CountingPasswords())`, then read
    `.hashed` (what registration and password resets promise about their work per address)."""

    def __init__(self) -> None:
        super().__init__(**CHEAP)
        self.hashed = 0

    def hash(self, password, *, salt=None):
        self.hashed += 1
        return super().hash(password, salt=salt)
