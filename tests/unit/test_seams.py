"""No hidden edges between domains in services/ and search/ (docs/CONVENTIONS.md, "Cross-domain
hooks"): import-linter sees module-level imports only, so an import inside a function, a
"module:function" string resolved at run time or an importlib call would let a cycle back in
unseen. This walks the source with `ast` and fails on each of them."""
from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "search")
PROJECT = ("services", "search", "subsidies", "marketplace")
DOTTED_REF = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")

# "path:line" -> why. Only for lazily loading a heavy third-party stack; none needed today.
ALLOWED: dict[str, str] = {}


def domain(module: str) -> str:
    """services.<domain> (a package or a kernel module such as services.audit); search and
    the other top-level packages are one domain each."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "services" and len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _target(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[:len(anchor) - node.level + 1]
        base = ".".join(anchor + ([base] if base else []))
    # `from services import pickups` names a domain through its parent package.
    return [f"{base}.{a.name}" if base in PROJECT else base for a in node.names]


def hidden_edges(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, what) for every hidden edge in one module's source."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    nested: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            nested.update(id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) in nested:
            for target in _target(node, module, is_package):
                if target.split(".")[0] in PROJECT and domain(target) != domain(module):
                    found.append((node.lineno, f"function-level import of {target}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_REF.fullmatch(node.value):
            if node.value.split(".")[0] in PROJECT:
                found.append((node.lineno, f'"module:function" string {node.value!r}'))
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in ("import_module", "__import__"):
                found.append((node.lineno, f"{name}() call"))
    return found


def _sources():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            yield path


def test_no_hidden_edges_between_domains():
    problems = []
    for path in _sources():
        rel = path.relative_to(ROOT)
        for line, what in hidden_edges(path.read_text(encoding="utf-8"), module_name(path),
                                       path.name == "__init__.py"):
            if f"{rel}:{line}" not in ALLOWED:
                problems.append(f"{rel}:{line}: {what}")
    assert not problems, "hidden edges (see docs/CONVENTIONS.md, Cross-domain hooks):\n" + "\n".join(problems)


def test_the_allowlist_names_real_lines_with_reasons():
    for where, why in ALLOWED.items():
        path, line = where.rsplit(":", 1)
        assert (ROOT / path).is_file() and int(line) > 0 and why.strip(), where


@pytest.mark.parametrize("source, expected", [
    ("def f():\n    from services.orders import service\n", "function-level import of services.orders"),
    ("def f():\n    from services import pickups\n", "function-level import of services.pickups"),
    ("def f():\n    import search.labels\n", "function-level import of search.labels"),
    ("def f():\n    from ..tradeins import handling\n", "function-level import of services.tradeins"),
    ('GATES = ["services.blocklist.gates:refuse_blocked_listing"]\n', '"module:function" string'),
    ("import importlib\nfn = importlib.import_module('services.orders')\n", "import_module() call"),
])
def test_each_kind_of_hidden_edge_is_caught(source, expected):
    found = hidden_edges(source, "services.subsidies.evidence")
    assert found and expected in found[0][1], found


@pytest.mark.parametrize("source", [
    "from services.orders import service\n",                     # module level: import-linter sees it
    "def f():\n    from services.subsidies import models\n",      # the same domain
    "def f():\n    from sqlalchemy.dialects.postgresql import insert\n",   # not the project
    'TIME = "12:30"\nURL = "http://example.com"\n',
])
def test_visible_or_internal_imports_pass(source):
    assert hidden_edges(source, "services.subsidies.evidence") == []


def test_the_services_layers_contract_covers_every_domain():
    """A new package or module under services/ must take its place in the layers, or a cycle
    through it would go unchecked."""
    ini = configparser.ConfigParser()
    ini.read(ROOT / ".importlinter", encoding="utf-8")
    layers = ini["importlinter:contract:services-domains"]["layers"]
    listed = set(re.findall(r"services\.\w+", layers))
    present = {f"services.{p.stem if p.is_file() else p.name}" for p in (ROOT / "services").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert present - listed == set(), f"not in the services layers of .importlinter: {sorted(present - listed)}"


# ---- public surfaces ---------------------------------------------------------------------------
# A module of one services domain imports another domain as `services.<domain>` (its curated
# __init__), `services.<domain>.interface` (functions and frozen dataclasses) or
# `services.<domain>.models` (the rows other domains join on). services.models (the registry of
# every model module and session hook) and services.demo (which runs each domain's seed) sit above
# all domains and may name any module. Target module -> why it is still reached directly (none
# left since the buying knot was untied by services.flows.settlement; keep it empty):
REACHED_DIRECTLY: dict[str, str] = {}
REGISTRIES = {"services.models", "services.demo"}


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def reached_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for each module-level import of another services domain that names more
    than its surface."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(anchor[:len(anchor) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names]
        else:
            continue
        for target in targets:
            d = domain(target)
            if (not target.startswith("services.") or d == domain(module) or not (ROOT / d.replace(".", "/")).is_dir()
                    or target in (d, f"{d}.interface", f"{d}.models")):
                continue
            found.append((node.lineno, target))
    return found


def test_other_domains_are_reached_through_their_surface():
    problems = []
    for path in sorted((ROOT / "services").rglob("*.py")):
        module = module_name(path)
        if module in REGISTRIES:
            continue
        for line, target in reached_modules(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            if target not in REACHED_DIRECTLY:
                problems.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    assert not problems, ("import another domain's interface.py, __init__ or models (or list the module in "
                          "REACHED_DIRECTLY with the reason):\n" + "\n".join(problems))


def test_each_module_reached_directly_exists_and_is_still_reached():
    reached = set()
    for path in sorted((ROOT / "services").rglob("*.py")):
        if module_name(path) not in REGISTRIES:
            reached |= {t for _, t in reached_modules(path.read_text(encoding="utf-8"), module_name(path),
                                                      path.name == "__init__.py")}
    assert set(REACHED_DIRECTLY) <= reached, f"no longer reached directly, drop: {sorted(set(REACHED_DIRECTLY) - reached)}"
    assert all(why.strip() for why in REACHED_DIRECTLY.values())


@pytest.mark.parametrize("source, reached", [
    ("from services.orders import service\n", ["services.orders.service"]),
    ("from services.orders.service import place\n", ["services.orders.service"]),
    ("import services.credit.events\n", ["services.credit.events"]),
    ("from services.credit.interface import record_event\n", []),
    ("from services.orders.models import Order\n", []),
    ("from services import pickups\n", []),
    ("from services.subsidies import pools\n", []),            # its own domain
    ("from services import audit, clock\n", []),               # the kernel
    ("from ..orders import service\n", ["services.orders.service"]),
    ("from .pools import snapshot\n", []),
])
def test_what_counts_as_reaching_past_a_surface(source, reached):
    assert [t for _, t in reached_modules(source, "services.subsidies.evidence")] == reached
