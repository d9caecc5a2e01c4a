"""Where test code lives (docs/CONVENTIONS.md, "Tests"): fixtures in tests/fixtures/ registered
once in tests/conftest.py, plain builders in tests/factories/, races through
tests/factories/races.py, and no test module importing another test module."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"

# Fixtures left where they are on purpose, with the reason.
FIXTURES_ELSEWHERE = {
    ("tests/functional/pickups/conftest.py", "app"): "the directory's app: no cap on open bookings (PICKUP_MAX_OPEN_BOOKINGS=0)",
    ("tests/functional/pickups/conftest.py", "late_client"): "an app with a 3-day change cut-off, for this directory only",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a module's source, relative ones resolved;
    `from a import b` yields both a and a.b (b may be a module)."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
    return found


def is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def _fixtures(source: str) -> list[tuple[str, bool]]:
    """(name, autouse) of each function decorated as a pytest fixture."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                call = d if isinstance(d, ast.Call) else None
                target = call.func if call else d
                if ast.unparse(target) in ("pytest.fixture", "fixture"):
                    autouse = any(k.arg == "autouse" and getattr(k.value, "value", False) for k in (call.keywords if call else []))
                    out.append((node.name, autouse))
    return out


def _python_files():
    return sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts[:1])


def test_no_test_module_imports_another_test_module():
    bad = []
    for path in _python_files():
        for line, name in imported_modules(path.read_text("utf-8"), _module_name(path), path.name == "__init__.py"):
            if is_test_module(name):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not bad, "\n".join(bad)


def test_fixtures_live_in_tests_fixtures_and_conftests_hold_only_autouse_switches():
    bad = []
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        in_fixtures = rel.startswith("tests/fixtures/")
        for name, autouse in _fixtures(path.read_text("utf-8")):
            if in_fixtures or (rel, name) in FIXTURES_ELSEWHERE:
                continue
            if rel.startswith("tests/factories/") or (path.name == "conftest.py" and not autouse):
                bad.append(f"{rel}: fixture {name} belongs in tests/fixtures/")
    assert not bad, "\n".join(bad)


def test_every_fixtures_module_is_registered_once():
    tree = ast.parse((TESTS / "conftest.py").read_text("utf-8"))
    [plugins] = [n.value for n in tree.body if isinstance(n, ast.Assign)
                 and any(getattr(t, "id", None) == "pytest_plugins" for t in n.targets)]
    registered = [e.value for e in plugins.elts]
    modules = [_module_name(p) for p in sorted((TESTS / "fixtures").glob("*.py")) if p.name != "__init__.py"]
    assert sorted(registered) == sorted(modules) and len(set(registered)) == len(registered)


def _uses_a_barrier(source: str) -> bool:
    return any((isinstance(n, ast.Attribute) and n.attr == "Barrier") or (isinstance(n, ast.Name) and n.id == "Barrier")
               for n in ast.walk(ast.parse(source)))


def test_races_go_through_the_one_helper():
    bad = [f"{p.relative_to(ROOT)}" for p in _python_files()
           if p != TESTS / "factories" / "races.py" and _uses_a_barrier(p.read_text("utf-8"))]
    assert not bad, "threads released together belong in tests/factories/races.py: " + ", ".join(bad)


@pytest.mark.parametrize("source,module,expected", [
    ("from tests.functional.subsidies.conftest import open_pool\n", "tests.unit.test_x", True),
    ("from .test_rules_table import CASES\n", "tests.unit.subsidies.test_x", True),
    ("from . import test_rules_table\n", "tests.unit.subsidies.test_x", True),
    ("import tests.integration.search.conftest\n", "tests.unit.test_x", True),
    ("from tests.factories.subsidies import open_pool\n", "tests.unit.test_x", False),
    ("from .helpers import thing\n", "tests.unit.subsidies.test_x", False),
])
def test_test_module_imports_are_recognised(source, module, expected):
    assert any(is_test_module(name) for _, name in imported_modules(source, module)) is expected
