"""The quote engine: which programmes pay for a purchase, how much, and why the others do not."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Container, Iterable, Mapping, Sequence

from . import text
from .loader import ROUNDING as _MODES
from .model import Amount, Condition, Line, Predicate, Programme, Quote, Refusal, Rule, Window
from .reasons import LINES, NO_PROGRAMME_IN_FORCE, NO_PROGRAMME_TEXT, REFUSALS
from .request import FieldError, HistoryEntry, QuoteRequest, RequestError, parse_request
from .vocabulary import DERIVED_FROM, KIND_CATEGORY

_ONE = Decimal(1)
_ROUNDING_WORDS = {"half_up": ("四舍五入", "to the nearest"), "up": ("向上取整", "up to a multiple of")}


class Catalogue:
    """The programmes in force, indexed for quoting. Build once, quote many times."""

    def __init__(self, programmes: Iterable[Programme]):
        every = tuple(sorted(programmes, key=lambda p: (p.start, p.id)))
        # Programmes switched off in their file stay findable by id (a local file may implement
        # one) but are never quoted.
        self.programmes = tuple(p for p in every if p.enabled)
        self.disabled = tuple(p for p in every if not p.enabled)
        self.by_id = {p.id: p for p in every}
        cats = {c for p in self.programmes for c in p.categories}
        self.by_category = {c: tuple(p for p in self.programmes if c in p.categories) for c in cats}

        self._candidates: dict[tuple[str, str], tuple[Programme, ...]] = {}

    def candidates(self, category: str, region: str) -> tuple[Programme, ...]:
        key = (category, region)
        found = self._candidates.get(key)
        if found is None:
            found = tuple(p for p in self.by_category.get(category, ()) if p.covers_region(region))
            if len(self._candidates) < 100_000:  # region codes are finite; the bound is a guard
                self._candidates[key] = found
        return found


class _Missing(Exception):
    def __init__(self, field: str):
        self.field = field


def _holds(pred: Predicate, values: Mapping[str, Any]) -> bool:
    v = values.get(pred.field)
    if v is None:
        raise _Missing(pred.field)
    return pred.test(v)


def _condition_refusal(p: Programme, cond: Condition, values: Mapping[str, Any],
                       rule: str | None) -> Refusal:
    pred = cond.predicate
    params = {}
    for lang in ("zh", "en"):
        expected = (text.between(pred.field, pred.value, lang) if pred.op == "between"
                    else text.value(pred.field, pred.value, lang))
        params[lang] = text.Params(actual=text.value(pred.field, values.get(pred.field), lang),
                                   expected=expected, field=text.field_name(pred.field, lang))
    zh_t, en_t = (cond.zh, cond.en) if cond.zh is not None else REFUSALS[cond.code]
    return _refusal(p, cond.code, zh_t.format_map(params["zh"]), en_t.format_map(params["en"]), rule,
                     where=(cond.clause, cond.source), secondary=cond.basis == "secondary")


def _refusal(p: Programme, code: str, zh: str, en: str, rule: str | None = None, *,
             where: tuple[str | None, str | None] = (None, None), secondary: bool = False,
             home: Programme | None = None) -> Refusal:
    """A refusal by `p`, naming the clause (`where` = clause, cited source ref) of the file of
    `home` (default `p`) that decides it."""
    home = home or p
    clause, ref = where
    return Refusal(p.id, code, f"{p.name_zh}：{zh}", f"{p.name_en}: {en}", rule,
                   file=home.path or None, clause=clause, source=home.source(ref), secondary=secondary)


def _coded(p: Programme, code: str, rule: str | None = None, *,
           where: tuple[str | None, str | None] = (None, None), home: Programme | None = None,
           **kw: Any) -> Refusal:
    zh_t, en_t = REFUSALS[code]
    zh = zh_t.format_map(text.Params({k: v[0] if isinstance(v, tuple) else v for k, v in kw.items()}))
    en = en_t.format_map(text.Params({k: v[1] if isinstance(v, tuple) else v for k, v in kw.items()}))
    return _refusal(p, code, zh, en, rule, where=where, home=home)


def _check(p: Programme, conditions: Sequence[Condition], values: Mapping[str, Any],
           rule: str | None) -> Refusal | None:
    """The first failing condition's refusal, or None. Raises _Missing for a needed field."""
    for cond in conditions:
        if not cond.enabled:
            continue
        v = values.get(cond.predicate.field)
        # A condition that holds needs no look at its `when`: a quote then asks only for the
        # fields that can change its answer (Shanghai's price floor needs the old car's region
        # only below the floor).
        if v is not None and cond.predicate.test(v):
            continue
        if cond.when and not all(_holds(w, values) for w in cond.when):
            continue
        if v is None:
            if cond.missing == "skip":
                continue
            if cond.missing == "error":
                raise _Missing(cond.predicate.field)
            return _condition_refusal(p, cond, values, rule)
        return _condition_refusal(p, cond, values, rule)
    return None


def _round(amount: Decimal, a: Amount) -> Decimal:
    unit = a.rounding_unit_fen
    if unit == 1:
        return amount.quantize(_ONE, _MODES[a.rounding])
    return (amount / unit).quantize(_ONE, _MODES[a.rounding]) * unit


def _line(p: Programme, rule: Rule, values: Mapping[str, Any], price: int) -> Line | Refusal:
    a = rule.amount
    basis = values.get(a.base)
    if basis is None:
        raise _Missing(a.base)
    kw: dict[str, Any] = {}
    if a.type == "fixed":
        amount, code = a.amount_fen, "FIXED"
    else:
        raw = int(_round(Decimal(basis) * a.rate, a))
        amount, code = raw, "RATE"
        if a.cap_fen is not None and amount > a.cap_fen:
            amount, code = a.cap_fen, "RATE_CAPPED"
        elif a.floor_fen is not None and amount < a.floor_fen:
            amount, code = a.floor_fen, "RATE_FLOORED"
        kw = {"rate": text.rate(a.rate), "raw": raw}
    if amount > price:
        amount, code = price, "LIMITED_TO_PRICE"
    if amount <= 0:
        return _coded(p, "AMOUNT_ZERO", rule.id, where=(f"{rule.clause}.amount", rule.source))
    out = []
    for i, lang in enumerate(("zh", "en")):
        params = text.Params(amount=text.money(amount, lang), basis=text.money(basis, lang),
                             rate=kw.get("rate", ""),
                             raw=text.money(kw["raw"], lang) if "raw" in kw else "")
        label = rule.label_zh if i == 0 else rule.label_en
        detail = LINES[code][i].format_map(params)
        if a.type == "rate" and a.rounding_unit_fen > 1:
            unit = text.money(a.rounding_unit_fen, lang)
            how = _ROUNDING_WORDS.get(a.rounding, ("取整", "to a multiple of"))
            detail += f"（按{unit}{how[0]}）" if i == 0 else f" (rounded {how[1]} {unit})"
        out.append(f"{p.name_zh}（{label}）：{detail}" if i == 0 else f"{p.name_en} ({label}): {detail}")
    return Line(p.id, rule.id, code, amount, basis, out[0], out[1], p.scheme, p.group)


def _used(history: Sequence[HistoryEntry], kind: str, year: int, scheme: str | None) -> int:
    return sum(1 for h in history
               if h.kind == kind and h.date.year == year and (scheme is None or h.scheme == scheme))


def _evaluate(p: Programme, req: QuoteRequest, history: Sequence[HistoryEntry],
              closed: Container[str]) -> Line | Refusal:
    values, kind, day = req.values, req.kind, req.date
    if kind not in p.kinds:
        return _coded(p, "KIND_NOT_COVERED", where=("kinds", None), kind=text.KIND_NAMES[kind])
    if day < p.start:
        return _coded(p, "NOT_STARTED", where=("window.start", None), actual=day.isoformat(),
                      start=p.start.isoformat())
    local = p.local_start(req.region, kind)
    if local is not None and day < local.start:
        return _coded(p, "NOT_STARTED_LOCALLY", where=(local.clause, local.source),
                      actual=day.isoformat(), start=local.start.isoformat())
    if day > p.end:
        return _coded(p, "ENDED", where=("window.end", None), actual=day.isoformat(),
                      end=p.end.isoformat())
    if p.application_start is not None:
        applied: dt.date = values["application_date"]
        if not p.application_start <= applied <= p.application_end:
            return _coded(p, "APPLICATION_OUT_OF_WINDOW", where=("application_window", None),
                          actual=applied.isoformat(), start=p.application_start.isoformat(),
                          end=p.application_end.isoformat())
    refusal = _check(p, p.conditions, values, None)
    if refusal:
        return refusal
    rule = next((r for r in p.rules if all(_holds(w, values) for w in r.when)), None)
    if rule is None:
        first = p.rules[0].when[0].field if p.rules[0].when else "purchase.kind"
        return _coded(p, "CONDITION_NOT_MET", where=("rules", None),
                      field=(text.field_name(first, "zh"), first))
    refusal = _check(p, rule.require, values, rule.id)
    if refusal:
        return refusal
    if rule.amount.type == "local":
        cap = rule.amount.cap_fen
        return _coded(p, "LOCAL_STANDARD_REQUIRED", rule.id, where=(f"{rule.clause}.amount", rule.source),
                      cap=(text.money(cap, "zh"), text.money(cap, "en")))
    for i, limit in enumerate(p.limits):
        if limit.kinds is not None and kind not in limit.kinds:
            continue
        most = limit.max_by_kind.get(kind, limit.max)
        count = _used(history, kind, day.year, limit.scheme)
        if count >= most:
            return _coded(p, "PER_PERSON_LIMIT_REACHED", rule.id, where=(f"limits[{i}]", limit.source),
                          kind=text.KIND_NAMES[kind], count=count, max=most, year=day.year)
    if p.id in closed:
        # Fund exhaustion is the region's budget pool, not a rule of the file (no source).
        refusal = _coded(p, "BUDGET_CLOSED", rule.id, where=("budget_pool", None))
        return dataclasses.replace(refusal, source=None)
    return _line(p, rule, values, req.price_fen)


def quote(request: Mapping[str, Any] | QuoteRequest,
          programmes: Catalogue | Iterable[Programme],
          history: Iterable[HistoryEntry] = (), *,
          today: dt.date | None = None,
          closed: Container[str] = frozenset(),
          region_exists: Callable[[str], bool] | None = None) -> Quote:
    """Quote the subsidies for one purchase.

    `request` is the quote contract's JSON body (or an already parsed `QuoteRequest`);
    `history` adds subsidised purchases known to the caller to those in the request;
    `closed` holds the ids of programmes whose budget for the buyer's region has run out.
    Returns every paying line and one refusal (stable code, zh and en, and the file, clause
    and source of the rule that decides it) per programme that does not pay. When no programme
    is in force for the purchase's kind in the buyer's region on its date (a local start
    counts), the quote is ineligible with the refusal `no_programme_in_force` first and
    `nearest` holding the closest windows before and after the date.
    Raises `RequestError` naming the field when the request is invalid or when a programme
    needs a field that is absent. The result depends only on the arguments: same input, same quote.
    """
    req = request if isinstance(request, QuoteRequest) else parse_request(
        request, today=today, region_exists=region_exists)
    catalogue = programmes if isinstance(programmes, Catalogue) else Catalogue(programmes)
    hist = req.history + tuple(history) if history else req.history
    category = KIND_CATEGORY[req.kind]
    candidates = catalogue.candidates(category, req.region)
    superseding = {s: p for p in candidates if req.kind in p.kinds for s in p.supersedes}
    results: list[Line | Refusal] = []
    missing: list[FieldError] = []
    for p in candidates:
        if not p.start <= req.date <= p.end and not p.start.year <= req.date.year <= p.end.year:
            continue  # another year's programme: listing it would only be noise
        if p.id in superseding and p.start <= req.date <= p.end:
            other = superseding[p.id]
            results.append(_coded(p, "SUPERSEDED_BY_LOCAL", where=("stacking.supersedes", None),
                                  home=other, other=(other.name_zh, other.name_en)))
            continue
        try:
            results.append(_evaluate(p, req, hist, closed))
        except _Missing as exc:
            name = _source_field(exc.field, req)
            if not any(e.field == name for e in missing):
                hint = " (or purchase.water_grade)" if exc.field == "purchase.grade" else ""
                missing.append(FieldError(name, f"is required by programme {p.id}{hint}"))
    if missing:
        raise RequestError(missing)
    applicable = [p for p in candidates if req.kind in p.kinds and p.id not in superseding]
    if any(p.start_for(req.region, req.kind) <= req.date <= p.end for p in applicable):
        return _stack(results, catalogue)
    # Nothing in force can pay, so every result is a refusal (window, local start, kind, ...).
    refusals = tuple(r for r in results if isinstance(r, Refusal))
    return Quote((), (_no_programme(req),) + refusals, _nearest(applicable, req))


def _source_field(field: str, req: QuoteRequest) -> str:
    """The contract field the client must send for `field` (a derived one names its missing input)."""
    source = DERIVED_FROM.get(field, field)
    if isinstance(source, tuple):
        return next((f for f in source if req.values.get(f) is None), source[0])
    return source


def _no_programme(req: QuoteRequest) -> Refusal:
    zh_t, en_t = NO_PROGRAMME_TEXT
    kind = text.KIND_NAMES[req.kind]
    return Refusal(None, NO_PROGRAMME_IN_FORCE,
                   zh_t.format(date=req.date.isoformat(), region=req.region, kind=kind[0]),
                   en_t.format(date=req.date.isoformat(), region=req.region, kind=kind[1]))


def _nearest(applicable: Sequence[Programme], req: QuoteRequest) -> tuple[Window, ...]:
    """The windows that ended last before the date and that start first after it."""
    spans = [(p, p.start_for(req.region, req.kind)) for p in applicable]
    before = [(p, start) for p, start in spans if p.end < req.date]
    after = [(p, start) for p, start in spans if start > req.date]
    out: list[Window] = []
    if before:
        last = max(p.end for p, _ in before)
        out += [_window(p, start, "before") for p, start in before if p.end == last]
    if after:
        first = min(start for _, start in after)
        out += [_window(p, start, "after") for p, start in after if start == first]
    return tuple(out)


def _window(p: Programme, start: dt.date, relation: str) -> Window:
    return Window(p.id, p.name_zh, p.name_en, start, p.end, p.path, relation)


def _stack(results: list[Line | Refusal], catalogue: Catalogue) -> Quote:
    """Within a stacking group only the highest line pays; the others become refusals."""
    best: dict[str, Line] = {}
    for r in results:
        if isinstance(r, Line) and r.group is not None:
            held = best.get(r.group)
            if held is None or r.amount_fen > held.amount_fen:
                best[r.group] = r
    lines, refusals = [], []
    for r in results:
        if isinstance(r, Refusal):
            refusals.append(r)
        elif r.group is None or best[r.group] is r:
            lines.append(r)
        else:
            winner = catalogue.by_id[best[r.group].programme]
            refusals.append(_coded(catalogue.by_id[r.programme], "EXCLUSIVE_WITH", r.rule,
                                   where=("stacking.group", None), other=(winner.name_zh, winner.name_en)))
    return Quote(tuple(lines), tuple(refusals))
