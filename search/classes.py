"""Brands, product lines and models by class (``search/classes.txt``), read once.

One file gives three things the query side needs for a name: its equivalents (小天鹅 =
littleswan, a synonym group), the broader class its near matches fall back to (小天鹅 -> 洗衣机)
and the listing kind it names (埃尔法 -> passenger_car; "~kind" only when the query names no
kind itself). ``search.analysis`` reads the first two, ``search.intent`` the third.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from search import text as tx

DATA_DIR = Path(__file__).parent


@dataclass(frozen=True)
class NameGroup:
    names: tuple[str, ...]  # normalised equivalents, as written
    broader: str | None  # the class near matches fall back to
    kind: str | None  # the listing kind the names name
    weak: bool = False  # the kind counts only when the query names none itself


@lru_cache(maxsize=4)
def name_groups(path: Path = DATA_DIR / "classes.txt") -> tuple[NameGroup, ...]:
    """Every group of ``classes.txt`` with the class and kind of its section."""
    out: list[NameGroup] = []
    broader = kind = None
    weak = False
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            cls, _, knd = line.strip("[]").partition(" ")
            knd = knd.strip()
            broader = None if cls == "-" else tx.normalize(cls)
            weak = knd.startswith("~")
            kind = None if knd in ("-", "") else knd.lstrip("~")
            continue
        for group in line.split(";"):
            names = tuple(dict.fromkeys(tx.normalize(n).strip() for n in group.split(",") if n.strip()))
            if names:
                out.append(NameGroup(names, broader, kind, weak))
    return tuple(out)
