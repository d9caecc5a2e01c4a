"""No module-level mutable state in services/, search/ and marketplace/ (one composition root: two
apps in one process share nothing; collaborators and their caches live in the app's
`services.deps.Deps` / `marketplace.container.Container`).

Each module-level assignment is looked at with `ast`; a dict/list/set literal (or comprehension) and
the result of a call are mutable unless:
- the value the module holds at run time is immutable (numbers, strings, tuples and frozensets of
  immutables, frozen dataclasses, enums, classes, functions, compiled patterns, SQLAlchemy
  statements, `lru_cache`-wrapped pure functions, ...) or of a type in TYPES_ALLOWED;
- it is a constant table: an UPPER_CASE literal that no code in the project mutates (checked here:
  item assignment, `del`, augmented assignment or a mutating method call on it fails the test);
- it is in ALLOWED ("path:NAME" -> why), for what is shared by the process on purpose.
"""
from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import decimal
import enum
import functools
import importlib
import logging
import re
import types
import typing
from pathlib import Path, PurePath

import click
import flask
import marshmallow.validate
import pytest
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from marketplace.container import build_deps
from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "search", "marketplace")
MUTATORS = {"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault",
            "add", "discard", "sort", "reverse", "difference_update", "intersection_update",
            "symmetric_difference_update", "__setitem__", "__delitem__"}
LITERALS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)

# Types whose module-level instances are declarations, not state, with the reason.
TYPES_ALLOWED: dict[type, str] = {
    logging.Logger: "the standard library keeps loggers per process; configured once by the edge, they hold no app data",
    flask.Blueprint: "Flask's design: a blueprint records its routes once and is registered on each app",
    click.Command: "a CLI declaration (a click group or command), registered on each app's CLI",
    marshmallow.validate.Validator: "keeps only its construction arguments",
}

# "path:NAME" -> why it is shared by every app of the process.
ALLOWED: dict[str, str] = {
    "search/sync.py:_sqlite_lock": "SQLite has no SKIP LOCKED: one relay per process and database file at a time",
    "search/pinyin.py:_LOCK": "the pinyin library's dictionaries are process-global and not thread-safe to load",
    "search/analysis.py:_JIEBA_LOCK": "jieba's tokenizer is one process-global object, initialised lazily",
    "search/analysis.py:_JIEBA": "jieba's one process-global tokenizer, built once under _JIEBA_LOCK, read-only after",
    "search/pinyin.py:_CONVERT": "pypinyin's converter, imported once under _LOCK (its dictionaries are process-global)",
    "services/listings/service.py:_BROWSE": "pagination.Prepared memoises statements built from immutable inputs "
                                           "(an lru_cache of a pure function, by another name)",
    "marketplace/pagination.py:_pages": "page schema classes memoised by name (apispec needs one class per name); "
                                        "declarations built from declarations, like an lru_cache",
    "marketplace/extensions.py:db": "_CurrentDatabase holds nothing: it looks up the current app's Database",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def immutable(value, depth: int = 0) -> bool:
    """Whether `value` (as a module holds it at run time) cannot change."""
    if depth > 6:
        return False
    if isinstance(value, (type(None), bool, int, float, complex, str, bytes, decimal.Decimal, range,
                          dt.date, dt.time, dt.timedelta, dt.tzinfo, re.Pattern, PurePath, enum.Enum,
                          type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType,
                          functools._lru_cache_wrapper, typing.TypeVar, Executable, ClauseElement)):
        return True
    if type(value) is object:  # a sentinel
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(immutable(v, depth + 1) for v in value)
    if isinstance(value, types.MappingProxyType):
        return all(immutable(v, depth + 1) for v in value.values())
    if dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:
        return all(immutable(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return False


def _root_name(node: ast.AST) -> str | None:
    """The name a chain such as `A[k].b` or `mod.A` starts from the left (its last attribute for
    `mod.A`, so that `other_module.TABLE.update(...)` counts against TABLE)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.isupper():
            return node.attr
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def mutated_names(source: str) -> set[str]:
    """The names this source mutates in place (item assignment/deletion, augmented assignment,
    a mutating method call or a `global` declaration)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, ast.Subscript) or (isinstance(node, ast.AugAssign) and not isinstance(t, ast.Name)):
                    out.add(_root_name(t))
                elif isinstance(node, ast.AugAssign):
                    out.add(t.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            out.add(_root_name(node.func.value))
        elif isinstance(node, ast.Global):
            out.update(node.names)
    out.discard(None)
    return out


def module_level_values(source: str) -> list[tuple[int, str, str]]:
    """(line, name, "literal" | "call") for each module-level assignment that may be mutable."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        kind = "literal" if isinstance(node.value, LITERALS) else "call" if isinstance(node.value, ast.Call) else None
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            if kind and isinstance(t, ast.Name):
                found.append((node.lineno, t.id, kind))
    return found


def _project_sources():
    for top in ("services", "search", "marketplace", "subsidies", "wsgi.py"):
        base = ROOT / top
        yield from ([base] if base.is_file() else sorted(base.rglob("*.py")))


def test_no_module_level_mutable_state():
    mutated: set[str] = set()
    for path in _project_sources():
        mutated |= mutated_names(path.read_text(encoding="utf-8"))
    problems = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            found = module_level_values(path.read_text(encoding="utf-8"))
            if not found:
                continue
            module = importlib.import_module(_module_name(path))
            for line, name, kind in found:
                if f"{rel}:{name}" in ALLOWED or (name.startswith("__") and name.endswith("__")):  # __all__
                    continue
                value = getattr(module, name, None)
                if immutable(value) or isinstance(value, tuple(TYPES_ALLOWED)):
                    continue
                if kind == "literal" and name.isupper() and name not in mutated:
                    continue  # a constant table: nothing mutates it
                why = ("is mutated in place somewhere" if kind == "literal" and name in mutated
                       else f"holds a mutable {type(value).__name__}")
                problems.append(f"{rel}:{line}: {name} {why}")
    assert not problems, ("module-level mutable state (move it into the app's Deps/Container, make it "
                          "immutable, or allow it in ALLOWED with the reason):\n" + "\n".join(problems))


def test_the_allowlist_names_real_module_attributes_with_reasons():
    for where, why in ALLOWED.items():
        path, name = where.rsplit(":", 1)
        assert why.strip(), where
        assert name in {n for _, n, _ in module_level_values((ROOT / path).read_text(encoding="utf-8"))}, where


@pytest.mark.parametrize("source, name", [
    ("CACHE = {}\ndef f(k):\n    CACHE[k] = 1\n", "CACHE"),
    ("SEEN = set()\ndef f(k):\n    SEEN.add(k)\n", "SEEN"),
    ("ROWS = []\ndef f():\n    ROWS.append(1)\n", "ROWS"),
    ("TABLE = {'a': []}\ndef f():\n    TABLE['a'].append(1)\n", "TABLE"),
    ("import m\ndef f():\n    m.TABLE.update(x=1)\n", "TABLE"),
    ("N = 0\ndef f():\n    global N\n    N += 1\n", "N"),
    ("TABLE = {}\ndel TABLE['x']\n", "TABLE"),
])
def test_mutations_are_found(source, name):
    assert name in mutated_names(source)


@pytest.mark.parametrize("value, expected", [
    ({}, False), ([], False), (set(), False), ((1, []), False), (logging.getLogger("x"), False),
    ((1, "a", frozenset({2})), True), (types.MappingProxyType({"a": (1,)}), True),
    (types.MappingProxyType({"a": []}), False), (object(), True), (re.compile("x"), True),
])
def test_immutable(value, expected):
    assert immutable(value) is expected


def test_a_non_frozen_instance_is_mutable():
    @dataclasses.dataclass
    class Loose:
        x: int = 1

    @dataclasses.dataclass(frozen=True)
    class Tight:
        x: int = 1
        y: tuple = ()

    assert not immutable(Loose()) and immutable(Tight())
    assert [(1, "CACHE", "literal"), (2, "STATE", "call")] == module_level_values("CACHE = {}\nSTATE = Loose()\n")


def test_two_apps_share_no_collaborator(tmp_path):
    """Each app's container builds its own collaborators: caches and switches never leak between
    apps in one process (the settings objects may be equal, never the same stateful object)."""
    s = Settings(id_hash_key="k", storage_dir=str(tmp_path))
    one, two = build_deps(s), build_deps(s)
    shared = [f.name for f in dataclasses.fields(one)
              if getattr(one, f.name) is getattr(two, f.name) and not immutable(getattr(one, f.name))]
    assert shared == []
    assert one.scorecards is not two.scorecards and one.passwords is not two.passwords
