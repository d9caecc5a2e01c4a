"""The suite's options and its fixtures. Fixtures live in tests/fixtures/ (one module per area) and
are registered here, once; plain functions that build rows, requests or apps live in
tests/factories/. A directory's own conftest.py holds only autouse switches for that directory."""
from __future__ import annotations

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.clock",
    "tests.fixtures.accounts",
    "tests.fixtures.orders",
    "tests.fixtures.certificates",
    "tests.fixtures.pickups",
    "tests.fixtures.subsidies",
    "tests.fixtures.tradeins",
    "tests.fixtures.shipping",
    "tests.fixtures.search",
    "tests.fixtures.credit",
]


def pytest_addoption(parser):
    parser.addoption("--db", default="postgresql", choices=("postgresql", "sqlite"),
                     help="database the suite runs on")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--db") == "sqlite":
        items[:] = [i for i in items if i.get_closest_marker("smoke")]
