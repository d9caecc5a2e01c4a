"""Load programme files (TOML) into compiled `Programme` objects, reporting every problem.

Each problem is an `Issue` naming the file and the dotted field, e.g.
`cn-2025-appliance.toml: rules[1].amount.rate: must be a decimal string such as "0.15"`.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable

from .model import Amount, Condition, Limit, LocalStart, Predicate, Programme, Rule, Source
from .reasons import REFUSALS
from .text import check_template
from .vocabulary import (
    CATEGORIES, EMISSION_RANK, ENUMS, FIELD_TYPES, KIND_CATEGORY, KINDS, SCHEMES,
)

POLICY_DIR = Path(__file__).with_name("policies")
# "up" rounds away from zero, i.e. up for an amount: Shenzhen's 向上取整至整元.
ROUNDING = {"half_up": ROUND_HALF_UP, "down": ROUND_DOWN, "half_even": ROUND_HALF_EVEN, "up": ROUND_UP}
ORDERED = {"fen", "grade", "date", "decimal", "emission"}
OPS = {"eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "between", "prefix", "not_prefix"}
TOP_KEYS = {"id", "version", "name", "level", "jurisdiction", "categories", "kinds", "scheme",
            "window", "application_window", "conditions", "rules", "limits", "stacking",
            "implements", "sources", "returns", "notes", "open_questions", "local_starts",
            "enabled"}


@dataclass(frozen=True, slots=True)
class Issue:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class ProgrammeError(ValueError):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(map(str, issues)))


class _Bad(Exception):
    """Internal: one field is invalid; caught where the field is read."""


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []

    def fail(self, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, path, message))

    def get(self, obj: dict, key: str, path: str, kind: type | tuple, *, required: bool = True,
            default: Any = None) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in obj:
            if required:
                self.fail(full, "is required")
                raise _Bad
            return default
        value = obj[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.fail(full, f"must be {_type_name(kind)}")
            raise _Bad
        if not isinstance(value, kind):
            self.fail(full, f"must be {_type_name(kind)}")
            raise _Bad
        return value

    def unknown_keys(self, obj: dict, allowed: Iterable[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.fail(f"{path}.{key}" if path else key, "unknown field")


def _type_name(kind: type | tuple) -> str:
    names = {str: "a string", int: "an integer", list: "a list", dict: "a table", bool: "a boolean",
             dt.date: "a date", float: "a number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


# --- predicates -----------------------------------------------------------------------------

def _coerce(ftype: str, value: Any) -> Any:
    """Check one literal against a field type; return the comparable form or raise ValueError."""
    if ftype in ("fen", "grade"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be an integer")
        return value
    if ftype == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        raise ValueError("must be a TOML date such as 2025-01-01")
    if ftype == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("must be a number")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError("must be a number") from None
    if ftype == "bool":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if ftype == "region":
        if not isinstance(value, str) or not value.isdigit() or len(value) not in (2, 4, 6):
            raise ValueError("must be a GB/T 2260 prefix of 2, 4 or 6 digits")
        return value
    if ftype == "emission":
        if value not in EMISSION_RANK:
            raise ValueError(f"must be one of {', '.join(EMISSION_RANK)}")
        return EMISSION_RANK[value]
    if value not in ENUMS[ftype]:
        raise ValueError(f"must be one of {', '.join(sorted(ENUMS[ftype]))}")
    return value


def compile_predicate(field: str, op: str, value: Any) -> Predicate:
    """Compile `field op value` into a test; raises ValueError naming the bad part."""
    ftype = FIELD_TYPES.get(field)
    if ftype is None:
        raise ValueError(("field", f"unknown field {field!r}"))
    if op not in OPS:
        raise ValueError(("op", f"unknown op {op!r}; one of {', '.join(sorted(OPS))}"))
    rank: Callable[[Any], Any] = EMISSION_RANK.__getitem__ if ftype == "emission" else (lambda v: v)
    try:
        if op in ("in", "not_in", "between", "prefix", "not_prefix") and isinstance(value, list):
            if not value:
                raise ValueError("must not be empty")
            items = [_coerce(ftype, v) for v in value]
        else:
            items = None
            single = _coerce(ftype, value)
    except ValueError as exc:
        raise ValueError(("value", str(exc))) from None
    if op in ("lt", "le", "gt", "ge", "between") and ftype not in ORDERED:
        raise ValueError(("op", f"{op} needs an ordered field; {field} is {ftype}"))
    if op in ("prefix", "not_prefix") and ftype != "region":
        raise ValueError(("op", f"{op} applies to region fields only"))
    if op in ("in", "not_in", "between") and items is None:
        raise ValueError(("value", f"{op} needs a list"))
    if op == "between" and (len(items) != 2 or items[0] > items[1]):
        raise ValueError(("value", "between needs [low, high] with low <= high"))

    if op == "eq":
        test = lambda v: rank(v) == single  # noqa: E731
    elif op == "ne":
        test = lambda v: rank(v) != single  # noqa: E731
    elif op == "in":
        pool = frozenset(items)
        test = lambda v: rank(v) in pool  # noqa: E731
    elif op == "not_in":
        pool = frozenset(items)
        test = lambda v: rank(v) not in pool  # noqa: E731
    elif op == "lt":
        test = lambda v: rank(v) < single  # noqa: E731
    elif op == "le":
        test = lambda v: rank(v) <= single  # noqa: E731
    elif op == "gt":
        test = lambda v: rank(v) > single  # noqa: E731
    elif op == "ge":
        test = lambda v: rank(v) >= single  # noqa: E731
    elif op == "between":
        lo, hi = items
        test = lambda v: lo <= rank(v) <= hi  # noqa: E731
    elif op == "prefix":
        prefixes = tuple(items) if items is not None else (single,)
        test = lambda v: v.startswith(prefixes)  # noqa: E731
    else:  # not_prefix
        prefixes = tuple(items) if items is not None else (single,)
        test = lambda v: not v.startswith(prefixes)  # noqa: E731
    return Predicate(field, op, value, test)


def _predicate(r: _Reader, obj: Any, path: str, extra: set[str] = frozenset()) -> Predicate:
    if not isinstance(obj, dict):
        r.fail(path, "must be a table")
        raise _Bad
    r.unknown_keys(obj, {"field", "op", "value"} | extra, path)
    field = r.get(obj, "field", path, str)
    op = r.get(obj, "op", path, str)
    if "value" not in obj:
        r.fail(f"{path}.value", "is required")
        raise _Bad
    try:
        return compile_predicate(field, op, obj["value"])
    except ValueError as exc:
        part, message = exc.args[0]
        r.fail(f"{path}.{part}", message)
        raise _Bad from None


def _when(r: _Reader, obj: dict, path: str) -> tuple[Predicate, ...]:
    raw = r.get(obj, "when", path, list, required=False, default=[])
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(_predicate(r, item, f"{path}.when[{i}]"))
        except _Bad:
            pass
    return tuple(out)


def _condition(r: _Reader, obj: Any, path: str) -> Condition:
    pred = _predicate(r, obj, path, {"code", "when", "missing", "zh", "en", "source", "id", "basis",
                                     "enabled"})
    code = r.get(obj, "code", path, str)
    if code not in REFUSALS:
        r.fail(f"{path}.code", f"unknown reason code {code!r} (see subsidies/reasons.py)")
        raise _Bad
    missing = r.get(obj, "missing", path, str, required=False, default="error")
    if missing not in ("error", "skip", "fail"):
        r.fail(f"{path}.missing", "must be error, skip or fail")
        raise _Bad
    zh = r.get(obj, "zh", path, str, required=False)
    en = r.get(obj, "en", path, str, required=False)
    if (zh is None) != (en is None):
        r.fail(f"{path}.{'en' if en is None else 'zh'}", "zh and en explanations come in pairs")
        raise _Bad
    for lang, template in (("zh", zh), ("en", en)):
        problem = template is not None and check_template(template)
        if problem:
            r.fail(f"{path}.{lang}", problem)
            raise _Bad
    cid = r.get(obj, "id", path, str, required=False)
    source = r.get(obj, "source", path, str, required=False)
    basis = r.get(obj, "basis", path, str, required=False, default="primary")
    if basis not in ("primary", "secondary"):
        r.fail(f"{path}.basis", "must be primary or secondary")
        raise _Bad
    if basis == "secondary" and (cid is None or source is None):
        # A rule resting on secondary summaries must be findable and switchable by name.
        r.fail(f"{path}.{'id' if cid is None else 'source'}", "is required for a secondary rule")
        raise _Bad
    enabled = r.get(obj, "enabled", path, bool, required=False, default=True)
    return Condition(pred, code, _when(r, obj, path), missing, zh, en, source,
                     clause=cid or path, basis=basis, enabled=enabled)


def _conditions(r: _Reader, raw: Any, path: str) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        r.fail(path, "must be a list of tables")
        return ()
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(_condition(r, item, f"{path}[{i}]"))
        except _Bad:
            pass
    return tuple(out)


# --- amounts, rules, limits -----------------------------------------------------------------

def _amount(r: _Reader, obj: Any, path: str) -> Amount:
    if not isinstance(obj, dict):
        r.fail(path, "must be a table")
        raise _Bad
    typ = r.get(obj, "type", path, str)
    allowed = {"rate": {"type", "rate", "base", "cap_fen", "floor_fen", "rounding_unit_fen", "rounding"},
               "fixed": {"type", "amount_fen"}, "local": {"type", "cap_fen"}}
    if typ not in allowed:
        r.fail(f"{path}.type", "must be rate, fixed or local")
        raise _Bad
    r.unknown_keys(obj, allowed[typ], path)

    def money(key: str, required: bool) -> int | None:
        v = r.get(obj, key, path, int, required=required)
        if v is not None and v <= 0:
            r.fail(f"{path}.{key}", "must be a positive number of fen")
            raise _Bad
        return v

    if typ == "fixed":
        return Amount("fixed", amount_fen=money("amount_fen", True))
    if typ == "local":
        return Amount("local", cap_fen=money("cap_fen", True))
    raw_rate = obj.get("rate")
    try:
        if not isinstance(raw_rate, str):  # a TOML float would not be exact
            raise InvalidOperation
        rate = Decimal(raw_rate)
        if not rate.is_finite() or not 0 < rate <= 1:
            raise InvalidOperation
    except InvalidOperation:
        r.fail(f"{path}.rate", 'must be a decimal string in (0, 1] such as "0.15"')
        raise _Bad from None
    base = r.get(obj, "base", path, str, required=False, default="purchase.price_fen")
    if FIELD_TYPES.get(base) != "fen":
        r.fail(f"{path}.base", "must be a fen field such as purchase.price_fen")
        raise _Bad
    cap, floor = money("cap_fen", False), money("floor_fen", False)
    if cap is not None and floor is not None and floor > cap:
        r.fail(f"{path}.floor_fen", "must not exceed cap_fen")
        raise _Bad
    unit = money("rounding_unit_fen", False) or 1
    mode = r.get(obj, "rounding", path, str, required=False, default="half_up")
    if mode not in ROUNDING:
        r.fail(f"{path}.rounding", f"must be one of {', '.join(ROUNDING)}")
        raise _Bad
    return Amount("rate", rate=rate, base=base, cap_fen=cap, floor_fen=floor,
                  rounding_unit_fen=unit, rounding=mode)


def _rule(r: _Reader, obj: Any, path: str) -> Rule:
    if not isinstance(obj, dict):
        r.fail(path, "must be a table")
        raise _Bad
    r.unknown_keys(obj, {"id", "label", "when", "require", "amount", "implements_rule", "source"}, path)
    rid = r.get(obj, "id", path, str)
    label = r.get(obj, "label", path, dict)
    zh = r.get(label, "zh", f"{path}.label", str)
    en = r.get(label, "en", f"{path}.label", str)
    when = _when(r, obj, path)
    require = _conditions(r, obj.get("require", []), f"{path}.require")
    amount = _amount(r, r.get(obj, "amount", path, dict), f"{path}.amount")
    return Rule(rid, zh, en, amount, when, require,
                r.get(obj, "implements_rule", path, str, required=False),
                r.get(obj, "source", path, str, required=False), path)


def _limit(r: _Reader, obj: Any, path: str) -> Limit:
    if not isinstance(obj, dict):
        r.fail(path, "must be a table")
        raise _Bad
    r.unknown_keys(obj, {"max", "max_by_kind", "scheme", "kinds", "source"}, path)
    mx = r.get(obj, "max", path, int)
    if mx < 1:
        r.fail(f"{path}.max", "must be at least 1")
        raise _Bad
    by_kind = r.get(obj, "max_by_kind", path, dict, required=False, default={})
    for k, v in by_kind.items():
        if k not in KINDS:
            r.fail(f"{path}.max_by_kind.{k}", "unknown kind")
            raise _Bad
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            r.fail(f"{path}.max_by_kind.{k}", "must be an integer of at least 1")
            raise _Bad
    scheme = r.get(obj, "scheme", path, str, required=False)
    if scheme is not None and scheme not in SCHEMES:
        r.fail(f"{path}.scheme", f"must be one of {', '.join(sorted(SCHEMES))}")
        raise _Bad
    kinds = r.get(obj, "kinds", path, list, required=False)
    if kinds is not None and not set(kinds) <= KINDS:
        r.fail(f"{path}.kinds", f"unknown kinds {sorted(set(map(str, kinds)) - KINDS)}")
        raise _Bad
    return Limit(mx, dict(by_kind), scheme, frozenset(kinds) if kinds is not None else None,
                 r.get(obj, "source", path, str, required=False))


def _local_start(r: _Reader, obj: Any, path: str) -> LocalStart:
    if not isinstance(obj, dict):
        r.fail(path, "must be a table")
        raise _Bad
    r.unknown_keys(obj, {"region", "start", "kinds", "source"}, path)
    region = r.get(obj, "region", path, str)
    if not (region.isdigit() and len(region) in (2, 4, 6)):
        r.fail(f"{path}.region", "must be a GB/T 2260 prefix of 2, 4 or 6 digits")
        raise _Bad
    start = r.get(obj, "start", path, dt.date)
    kinds = r.get(obj, "kinds", path, list, required=False)
    if kinds is not None and (not kinds or not set(kinds) <= KINDS):
        r.fail(f"{path}.kinds", "must be a non-empty list of known kinds")
        raise _Bad
    return LocalStart(region, start, frozenset(kinds) if kinds is not None else None,
                      r.get(obj, "source", path, str), path)


def _list_of(r: _Reader, raw: list, path: str, parse: Callable) -> tuple:
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(parse(r, item, f"{path}[{i}]"))
        except _Bad:
            pass
    return tuple(out)


def _window(r: _Reader, data: dict, key: str, required: bool) -> tuple[dt.date | None, dt.date | None]:
    win = r.get(data, key, "", dict, required=required)
    if win is None:
        return None, None
    r.unknown_keys(win, {"start", "end"}, key)
    start = r.get(win, "start", key, dt.date)
    end = r.get(win, "end", key, dt.date)
    if start > end:
        r.fail(f"{key}.end", "must not be before start")
        raise _Bad
    return start, end


# --- programme ------------------------------------------------------------------------------

def _attempt(fn: Callable[[], Any], default: Any = None) -> Any:
    try:
        return fn()
    except _Bad:
        return default


def _header(r: _Reader, data: dict) -> dict[str, Any]:
    h: dict[str, Any] = {}
    h["id"] = _attempt(lambda: r.get(data, "id", "", str))
    h["version"] = _attempt(lambda: r.get(data, "version", "", int))
    name = _attempt(lambda: r.get(data, "name", "", dict), {})
    h["name_zh"] = _attempt(lambda: r.get(name, "zh", "name", str))
    h["name_en"] = _attempt(lambda: r.get(name, "en", "name", str))
    level = h["level"] = _attempt(lambda: r.get(data, "level", "", str))
    if level not in (None, "national", "local"):
        r.fail("level", "must be national or local")
    juris = _attempt(lambda: r.get(data, "jurisdiction", "", (str, list)), [])
    juris = [juris] if isinstance(juris, str) else juris
    for i, p in enumerate(juris):
        if level == "national" and p != "":
            r.fail(f"jurisdiction[{i}]", 'a national programme has jurisdiction ""')
        elif level == "local" and not (isinstance(p, str) and p.isdigit() and len(p) in (2, 4, 6)):
            r.fail(f"jurisdiction[{i}]", "must be a GB/T 2260 prefix of 2, 4 or 6 digits")
    h["jurisdiction"] = tuple(juris)
    categories = _attempt(lambda: r.get(data, "categories", "", list), [])
    if not categories or not set(categories) <= CATEGORIES:
        r.fail("categories", f"must be a non-empty list drawn from {sorted(CATEGORIES)}")
    h["categories"] = frozenset(categories)
    kinds = _attempt(lambda: r.get(data, "kinds", "", list), [])
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        r.fail("kinds", f"unknown kinds {bad}" if bad else "must not be empty")
    elif any(KIND_CATEGORY[k] not in categories for k in kinds):
        r.fail("kinds", "every kind must belong to one of the programme's categories")
    h["kinds"] = frozenset(kinds)
    scheme = h["scheme"] = _attempt(lambda: r.get(data, "scheme", "", str, required=False))
    if scheme is not None and scheme not in SCHEMES:
        r.fail("scheme", f"must be one of {sorted(SCHEMES)}")
    h["start"], h["end"] = _attempt(lambda: _window(r, data, "window", True), (None, None))
    h["application_start"], h["application_end"] = _attempt(
        lambda: _window(r, data, "application_window", False), (None, None))
    h["implements"] = _attempt(lambda: r.get(data, "implements", "", str, required=False))
    h["enabled"] = _attempt(lambda: r.get(data, "enabled", "", bool, required=False, default=True), True)
    returns = _attempt(lambda: r.get(data, "returns", "", dict, required=False), {}) or {}
    r.unknown_keys(returns, {"frees_quota_slot"}, "returns")
    h["return_frees_slot"] = _attempt(
        lambda: r.get(returns, "frees_quota_slot", "returns", bool, required=False, default=False), False)
    return h


def _sources(r: _Reader, data: dict) -> tuple[Source, ...]:
    sources = []
    for i, s in enumerate(_attempt(lambda: r.get(data, "sources", "", list), [])):
        path = f"sources[{i}]"
        if not isinstance(s, dict):
            r.fail(path, "must be a table")
            continue
        r.unknown_keys(s, {"ref", "title", "url", "note"}, path)
        ref = _attempt(lambda: r.get(s, "ref", path, str))
        title = _attempt(lambda: r.get(s, "title", path, str))
        # A notice read only in reprints may have no stable address: then say where it was read.
        note = _attempt(lambda: r.get(s, "note", path, str, required=False))
        url = _attempt(lambda: r.get(s, "url", path, str, required=note is None))
        if url is not None and not url.startswith(("http://", "https://")):
            r.fail(f"{path}.url", "must be an http(s) URL")
        elif None not in (ref, title) and (url is not None or note is not None):
            sources.append(Source(ref, title, url, note))
    if not sources:
        r.fail("sources", "must name at least one source with ref, title and url (or note)")
    return tuple(sources)


def parse_programme(data: dict, file: str) -> tuple[Programme | None, list[Issue]]:
    """Validate one parsed programme file. Returns the programme (or None) and the issues."""
    r = _Reader(file)
    r.unknown_keys(data, TOP_KEYS, "")
    h = _header(r, data)
    sources = _sources(r, data)
    conditions = _conditions(r, data.get("conditions", []), "conditions")
    rules = _list_of(r, _attempt(lambda: r.get(data, "rules", "", list), []), "rules", _rule)
    if not rules:
        r.fail("rules", "must contain at least one rule")
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        r.fail("rules", "rule ids must be unique")
    limits = _list_of(r, _attempt(lambda: r.get(data, "limits", "", list, required=False), []) or [],
                      "limits", _limit)
    local_starts = _list_of(
        r, _attempt(lambda: r.get(data, "local_starts", "", list, required=False), []) or [],
        "local_starts", _local_start)
    stacking = _attempt(lambda: r.get(data, "stacking", "", dict, required=False), {}) or {}
    r.unknown_keys(stacking, {"group", "supersedes"}, "stacking")
    group = _attempt(lambda: r.get(stacking, "group", "stacking", str, required=False))
    supersedes = _attempt(lambda: r.get(stacking, "supersedes", "stacking", list, required=False), []) or []
    _cross_check(r, h, sources, conditions, rules, limits, local_starts)
    if r.issues:
        return None, r.issues
    return Programme(conditions=conditions, rules=rules, limits=limits, group=group,
                     supersedes=tuple(supersedes), sources=sources, local_starts=local_starts,
                     path=file, **h), []


def _cross_check(r: _Reader, h: dict, sources: tuple[Source, ...], conditions: tuple[Condition, ...],
                 rules: tuple[Rule, ...], limits: tuple[Limit, ...],
                 local_starts: tuple[LocalStart, ...]) -> None:
    """Checks within one file: every cited source is listed, clause ids are unique, local
    starts fall inside the window and the jurisdiction."""
    refs = {s.ref for s in sources}
    every = list(conditions) + [c for rule in rules for c in rule.require]
    cited = [(c.clause, c.source) for c in every] + [(rule.clause, rule.source) for rule in rules]
    cited += [(f"limits[{i}]", lim.source) for i, lim in enumerate(limits)]
    cited += [(ls.clause, ls.source) for ls in local_starts]
    for clause, ref in cited:
        if ref is not None and sources and ref not in refs:
            r.fail(f"{clause}.source", f"cites {ref!r}, which the file's sources do not list")
    ids = [c.clause for c in every if not c.clause.startswith(("conditions[", "rules["))]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        r.fail(dup, "condition ids must be unique in a file")
    start, end = h.get("start"), h.get("end")
    for ls in local_starts:
        if start is not None and not start < ls.start <= end:
            r.fail(f"{ls.clause}.start", "must fall after window.start and not after window.end")
        if h.get("jurisdiction") and not any(ls.region.startswith(j) for j in h["jurisdiction"]):
            r.fail(f"{ls.clause}.region", "must lie inside the programme's jurisdiction")
        if ls.kinds is not None and not ls.kinds <= h.get("kinds", frozenset()):
            r.fail(f"{ls.clause}.kinds", "must be kinds of this programme")


def check_set(programmes: Iterable[Programme]) -> list[Issue]:
    """Checks across files: unique ids, references, local amounts within national caps."""
    issues: list[Issue] = []
    by_id: dict[str, Programme] = {}
    for p in programmes:
        if p.id in by_id:
            issues.append(Issue(p.path, "id", f"duplicate programme id {p.id!r} (also in {by_id[p.id].path})"))
        by_id[p.id] = p
    for p in by_id.values():
        for i, other in enumerate(p.supersedes):
            if other not in by_id:
                issues.append(Issue(p.path, f"stacking.supersedes[{i}]", f"unknown programme {other!r}"))
        if p.implements is None:
            if any(rule.implements_rule for rule in p.rules):
                issues.append(Issue(p.path, "implements", "rules name implements_rule but the programme implements nothing"))
            continue
        frame = by_id.get(p.implements)
        if frame is None:
            issues.append(Issue(p.path, "implements", f"unknown programme {p.implements!r}"))
            continue
        caps = {rule.id: rule.amount.cap_fen for rule in frame.rules}
        for i, rule in enumerate(p.rules):
            path = f"rules[{i}]"
            if rule.implements_rule not in caps:
                issues.append(Issue(p.path, f"{path}.implements_rule",
                                    f"must name a rule of {frame.id}: {sorted(caps)}"))
                continue
            cap = caps[rule.implements_rule]
            most = rule.amount.amount_fen if rule.amount.type == "fixed" else rule.amount.cap_fen
            if cap is not None and (most is None or most > cap):
                issues.append(Issue(p.path, f"{path}.amount",
                                    f"may exceed the national cap of {cap} fen set by {frame.id}"))
    return issues


def load_file(path: Path) -> tuple[Programme | None, list[Issue]]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        return None, [Issue(path.name, "(syntax)", str(exc))]
    except OSError as exc:
        return None, [Issue(str(path), "(file)", exc.strerror or str(exc))]
    return parse_programme(data, path.name)


def load_programmes(directory: Path | str | None = None) -> tuple[Programme, ...]:
    """Load and validate every `*.toml` programme in `directory` (default: the shipped ones).

    Raises `ProgrammeError` listing every issue when any file is invalid.
    """
    folder = Path(directory) if directory is not None else POLICY_DIR
    programmes, issues = [], []
    for path in sorted(folder.glob("*.toml")):
        programme, found = load_file(path)
        issues.extend(found)
        if programme is not None:
            programmes.append(programme)
    issues.extend(check_set(programmes))
    if issues:
        raise ProgrammeError(issues)
    return tuple(programmes)
