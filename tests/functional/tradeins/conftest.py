"""Trade-ins: `frozen(at)` freezes the apps' clock at `at`."""
import pytest



@pytest.fixture
def frozen(frozen_clock):
    """`frozen(at)` freezes the apps' clock at `at` and returns it (advance() moves it)."""
    return frozen_clock.freeze
