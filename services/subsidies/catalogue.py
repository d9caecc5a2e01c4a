"""The programmes in force, loaded once from the engine's data files."""
from __future__ import annotations

from functools import lru_cache

from subsidies import Catalogue, Programme, load_programmes


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Every shipped programme, validated (an invalid file fails loudly at first use)."""
    return Catalogue(load_programmes())


def programme(programme_id: str) -> Programme | None:
    return catalogue().by_id.get(programme_id)
