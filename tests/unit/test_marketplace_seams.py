"""The edges inside marketplace/ are ordinary imports a tool can follow: no import hidden inside a
function and no "module:function" string naming code to load. Registries (CLI groups, periodic
jobs, blueprints, init hooks) list the objects themselves (docs/CONVENTIONS.md)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("marketplace", "services", "search", "subsidies")

# (file, module imported inside a function) -> why it may stay lazy. Nothing else may.
LAZY_IMPORTS = {
    ("marketplace/api/credit/cli.py", "services.credit"): "training loads numpy, pandas and plotting (seconds)",
    ("marketplace/api/credit/cli.py", "services.credit.synthetic"): "training data: the same numerical stack",
    ("marketplace/api/credit/cli.py", "services.credit.training"): "training: the same numerical stack",
    ("marketplace/api/credit/routes.py", "services.credit"): "the operator's train action: the same stack",
    ("marketplace/api/search/wiring.py", "search.backends.elasticsearch"):
        "the Elasticsearch client loads only for apps configured to use it",
}

# "package.module:attribute", the shape of a string registry entry.
_REFERENCE = re.compile(r"\b(?:%s)(?:\.\w+)*:\w+" % "|".join(PROJECT))
_DYNAMIC = {"import_module", "__import__", "find_spec"}


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield node


def hidden_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import inside a function or lambda body."""
    found = set()
    for fn in _functions(ast.parse(source)):
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                found.update((node.lineno, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.add((node.lineno, "." * node.level + (node.module or "")))
    return sorted(found)


def string_references(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant or f-string holding a "module:function" reference to
    project code, and every dynamic import call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, m) for m in _REFERENCE.findall(node.value)]
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
            found += [(node.lineno, m) for m in _REFERENCE.findall(text)]
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in _DYNAMIC:
                found.append((node.lineno, f"{name}(...)"))
    return found


def _sources():
    return sorted((ROOT / "marketplace").rglob("*.py"))


def test_no_function_level_imports_in_marketplace_but_the_listed_heavy_ones():
    bad = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for line, module in hidden_imports(path.read_text("utf-8")):
            if (rel, module) not in LAZY_IMPORTS:
                bad.append(f"{rel}:{line} imports {module} inside a function")
    assert not bad, "\n".join(bad)


def test_every_listed_lazy_import_still_exists():
    seen = {(p.relative_to(ROOT).as_posix(), m) for p in _sources() for _, m in hidden_imports(p.read_text("utf-8"))}
    assert set(LAZY_IMPORTS) <= seen, set(LAZY_IMPORTS) - seen


def test_no_module_function_strings_or_dynamic_imports_in_marketplace():
    bad = [f"{p.relative_to(ROOT)}:{line}: {text}" for p in _sources()
           for line, text in string_references(p.read_text("utf-8"))]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("source,expected", [
    ("def f():\n    from services import demo\n", [(2, "services")]),
    ("def f():\n    import redis\n", [(2, "redis")]),
    ("class C:\n    def m(self):\n        from . import x\n", [(3, ".")]),
    ("g = lambda: __import__('x')\n", []),
    ("from services import demo\n\ndef f():\n    return demo\n", []),
])
def test_hidden_imports_are_found(source, expected):
    assert hidden_imports(source) == expected


@pytest.mark.parametrize("source,found", [
    ('JOBS = ["services.pickups.jobs:send_reminders"]\n', True),
    ('P = Periodic("marketplace.api.search.wiring:relay_job", 15)\n', True),
    ('x = [f"marketplace.api.orders.jobs:{fn}" for fn in names]\n', True),
    ('import importlib\nm = importlib.import_module(name)\n', True),
    ('URL = "https://example.com:8080/x"\nT = "12:30"\nD = "search: a query"\n', False),
])
def test_string_references_are_found(source, found):
    assert bool(string_references(source)) is found


def test_periodic_jobs_are_domain_functions_not_edge_adapters():
    from marketplace.jobs import PERIODIC_JOBS
    edge = [j.name for j in PERIODIC_JOBS if j.run.__module__.startswith("marketplace.api")]
    assert not edge, edge


def test_every_route_module_is_listed_by_its_resource():
    """A module that declares routes on a blueprint it imports is listed in its package's
    ROUTE_MODULES, never pulled in by another module's import for its side effect."""
    import importlib
    unlisted = []
    for path in sorted((ROOT / "marketplace" / "api").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        declares = any(isinstance(n, ast.Attribute) and n.attr == "route" and getattr(n.value, "id", "") == "blp"
                       for n in ast.walk(tree))
        defines = any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "blp" for t in n.targets)
                      for n in tree.body)
        if declares and not defines:
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            package = importlib.import_module(module.rpartition(".")[0])
            if module not in {m.__name__ for m in getattr(package, "ROUTE_MODULES", ())}:
                unlisted.append(module)
    assert not unlisted, unlisted
