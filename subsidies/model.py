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
    # Where the condition sits in its file ("conditions[3]", "rules[1].require[0]") unless the
    # file names it with `id`: a refusal names it so that an auditor can find the rule.
    clause: str = ""
    # "secondary" marks a rule read only in secondary summaries of the notice (never guessed).
    basis: str = "primary"
    # A file may keep a rule on record but switch it off (`enabled = false`).
    enabled: bool = True


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
    source: str | None = None
    clause: str = ""


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
    url: str | None = None  # None when the notice was read only in reprints without a stable address
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class LocalStart:
    """A region that starts its own implementation of the programme later than `window.start`:
    purchases there before `start` are not subsidised (optionally only for `kinds`)."""

    region: str  # GB/T 2260 prefix
    start: dt.date
    kinds: frozenset[str] | None = None
    source: str | None = None
    clause: str = ""


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
    local_starts: tuple[LocalStart, ...] = ()
    # After a refund or return the buyer's per-person slot stays used unless the programme
    # says otherwise: the only rule found counts any return as using the slot [S33].
    return_frees_slot: bool = False
    # A programme kept on file but not quoted (`enabled = false`): a historical scheme such as
    # the 2015 以旧换再 pilot, which a region switches on by adding its own file that implements it.
    enabled: bool = True
    path: str = ""

    def covers_region(self, region: str) -> bool:
        return any(region.startswith(p) for p in self.jurisdiction)

    def local_start(self, region: str, kind: str) -> LocalStart | None:
        """The most specific later local start for a purchase of `kind` in `region`, if any."""
        found = None
        for ls in self.local_starts:
            if region.startswith(ls.region) and (ls.kinds is None or kind in ls.kinds):
                if found is None or len(ls.region) > len(found.region):
                    found = ls
        return found

    def start_for(self, region: str, kind: str) -> dt.date:
        """The first purchase date subsidised in `region` (the national start or a later local one)."""
        ls = self.local_start(region, kind)
        return max(self.start, ls.start) if ls else self.start

    def source(self, ref: str | None) -> Source | None:
        """The cited source `ref`, or the file's first source when a clause cites none."""
        for s in self.sources:
            if s.ref == ref:
                return s
        return self.sources[0] if self.sources and ref is None else None


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
    """Why a programme does not pay. `file` and `clause` locate the rule that refused in its
    programme file, `source` is the notice that rule rests on and `secondary` says whether
    that notice was read only in secondary summaries."""

    programme: str | None
    code: str
    zh: str
    en: str
    rule: str | None = None
    file: str | None = None
    clause: str | None = None
    source: Source | None = None
    secondary: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme, "rule": self.rule, "code": self.code,
                "explanation": {"zh": self.zh, "en": self.en},
                "file": self.file, "clause": self.clause,
                "source": self.source.as_dict() if self.source else None,
                "secondary": self.secondary}


@dataclass(frozen=True, slots=True)
class Window:
    """A programme's purchase window for the buyer's region (local start applied)."""

    programme: str
    name_zh: str
    name_en: str
    start: dt.date
    end: dt.date
    file: str
    relation: str  # "before" (ended before the date) | "after" (starts after it)

    def as_dict(self) -> dict[str, Any]:
        return {"programme": self.programme, "name": {"zh": self.name_zh, "en": self.name_en},
                "start": self.start.isoformat(), "end": self.end.isoformat(),
                "file": self.file, "relation": self.relation}


@dataclass(frozen=True, slots=True)
class Quote:
    lines: tuple[Line, ...]
    ineligible: tuple[Refusal, ...]
    # Set only when no programme is in force for the purchase: the closest windows either side.
    nearest: tuple[Window, ...] | None = None

    @property
    def eligible(self) -> bool:
        return bool(self.lines)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        """The response body of the quote contract."""
        body = {"eligible": self.eligible, "total_fen": self.total_fen,
                "lines": [line.as_dict() for line in self.lines],
                "ineligible": [r.as_dict() for r in self.ineligible]}
        if self.nearest is not None:
            body["nearest_windows"] = [w.as_dict() for w in self.nearest]
        return body
