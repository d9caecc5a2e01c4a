"""Compiled programme objects (built by `loader`) and quote results (built by `engine`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable


@dataclass(frozen=True, slots=True)
class Predicate:
    """A test of one request field, compiled from a programme file."""

    field: str
    op: str
    value: Any
    test: Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Condition:
    """An eligibility condition: when it fails the programme refuses with `code`.

    `missing` says what an absent field means: "error" (the request is incomplete: 422),
    "skip" (check the field only when given) or "fail" (refuse with `code`).
    """

    predicate: Predicate
    code: str
    when: tuple[Predicate, ...] = ()
    missing: str = "error"
    zh: str | None = None
    en: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Amount:
    type: str  # "rate" | "fixed" | "local"
    rate: Decimal | None = None
    base: str = "purchase.price_fen"
    cap_fen: int | None = None
    floor_fen: int | None = None
    amount_fen: int | None = None
    rounding_unit_fen: int = 1
    rounding: str = "half_up"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    label_zh: str
    label_en: str
    amount: Amount
    when: tuple[Predicate, ...] = ()
    require: tuple[Condition, ...] = ()
    implements_rule: str | None = None


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `max` subsidies per person per calendar year for the purchase's kind."""

    max: int
    max_by_kind: dict[str, int] = field(default_factory=dict)
    scheme: str | None = None
    kinds: frozenset[str] | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    ref: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Programme:
    id: str
    version: int
    name_zh: str
    name_en: str
    level: str
    jurisdiction: tuple[str, ...]  # GB/T 2260 prefixes; ("",) is the whole mainland
    categories: frozenset[str]
    kinds: frozenset[str]
    start: dt.date
    end: dt.date
    conditions: tuple[Condition, ...]
    rules: tuple[Rule, ...]
    scheme: str | None = None
    application_start: dt.date | None = None
    application_end: dt.date | None = None
    limits: tuple[Limit, ...] = ()
    group: str | None = None
    supersedes: tuple[str, ...] = ()
    implements: str | None = None
    sources: tuple[Source, ...] = ()
    # After a refund or return the buyer's per-person slot stays used unless the programme
    # says otherwise: the only rule found counts any return as using the slot [S33].
    return_frees_slot: bool = False
    path: str = ""

    def covers_region(self, region: str) -> bool:
        return any(region.startswith(p) for p in self.jurisdiction)


@dataclass(frozen=True, slots=True)
class Line:
    programme: str
    rule: str
    code: str
    amount_fen: int
    basis_fen: int
    zh: str
    en: str
    scheme: str | None = None
    group: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme, "rule": self.rule, "code": self.code,
                "amount_fen": self.amount_fen, "basis_fen": self.basis_fen,
                "explanation": {"zh": self.zh, "en": self.en}}


@dataclass(frozen=True, slots=True)
class Refusal:
    programme: str
    code: str
    zh: str
    en: str
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme, "rule": self.rule, "code": self.code,
                "explanation": {"zh": self.zh, "en": self.en}}


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[Line, ...]
    ineligible: tuple[Refusal, ...]

    @property
    def eligible(self) -> bool:
        return bool(self.lines)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        """The response body of the quote contract."""
        return {"eligible": self.eligible, "total_fen": self.total_fen,
                "lines": [line.as_dict() for line in self.lines],
                "ineligible": [r.as_dict() for r in self.ineligible]}
