"""Parsing and validation of a quote request (the JSON body of the quote contract).

`parse_request` turns the contract's JSON-shaped dict into a `QuoteRequest` or raises
`RequestError` listing every bad field by its dotted path, so the HTTP edge can answer 422
without knowing the rules.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from collections.abc import Mapping
from typing import Any, Callable

from .vocabulary import (
    DISPOSALS, EMISSION_STANDARDS, KINDS, NEV_POWERTRAINS, POWERTRAINS, PROVINCE_PREFIXES,
    SCHEMES,
)

# China has no daylight saving time, so a fixed offset is exact and needs no tz database.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class RequestError(ValueError):
    """The request cannot be quoted; `errors` names each offending field."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))

    def as_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(e.field, []).append(e.message)
        return out


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An earlier subsidised purchase by the same person."""

    date: dt.date
    kind: str
    scheme: str | None = None
    amount_fen: int | None = None


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    region: str
    date: dt.date
    kind: str
    price_fen: int
    values: Mapping[str, Any]  # dotted field path -> parsed value (None when absent)
    history: tuple[HistoryEntry, ...] = field(default=())


def today_in_china() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


# --- field parsers: each returns the parsed value or raises ValueError(message) ---

def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("must be an integer")
    return v


def _fen(v: Any) -> int:
    v = _int(v)
    if v < 0:
        raise ValueError("must not be negative")
    return v


def _grade(v: Any) -> int:
    v = _int(v)
    if not 1 <= v <= 5:
        raise ValueError("must be a grade from 1 (best) to 5")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError("must be true or false")
    return v


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if not isinstance(v, str):
        raise ValueError("must be a date YYYY-MM-DD")
    try:
        if len(v) != 10:
            raise ValueError
        return dt.date.fromisoformat(v)
    except ValueError:
        raise ValueError("must be a date YYYY-MM-DD") from None


def _decimal(v: Any) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, float, str, Decimal)):
        raise ValueError("must be a number")
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not d.is_finite() or d <= 0:
        raise ValueError("must be a positive number")
    return d


def _enum(name: str, allowed: frozenset[str] | tuple[str, ...]) -> Callable[[Any], str]:
    listing = ", ".join(sorted(allowed))

    def parse(v: Any) -> str:
        if not isinstance(v, str) or v not in allowed:
            raise ValueError(f"unknown {name}; one of: {listing}")
        return v
    return parse


def _region(v: Any) -> str:
    if not isinstance(v, str) or len(v) != 6 or not v.isdigit():
        raise ValueError("must be a 6-digit GB/T 2260 region code")
    if v[:2] not in PROVINCE_PREFIXES:
        raise ValueError("unknown region: no mainland province has this prefix")
    return v


_kind = _enum("kind", KINDS)
_powertrain = _enum("powertrain", POWERTRAINS)

PURCHASE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "kind": _kind,
    "price_fen": _fen,
    "list_price_fen": _fen,
    "discounts_fen": _fen,
    "energy_grade": _grade,
    "water_grade": _grade,
    "powertrain": _powertrain,
    "displacement_l": _decimal,
    "in_purchase_tax_exemption_catalog": _bool,
    "bare_price_fen": _fen,
    "registration_date": _date,
    "registered_in": _region,
    "remanufactured": _bool,
    "new_price_fen": _fen,
    "in_remanufacturing_pilot_catalogue": _bool,
    "has_cma_test_report": _bool,
    "warranty_months": _fen,
    "new_warranty_months": _fen,
}
TRADE_IN_FIELDS: dict[str, Callable[[Any], Any]] = {
    "kind": _kind,
    "handed_in": _bool,
    "disposal": _enum("disposal", DISPOSALS),
    "powertrain": _powertrain,
    "emission_standard": _enum("emission standard", EMISSION_STANDARDS),
    "first_registration_date": _date,
    "registered_to_applicant_since": _date,
    "registered_in": _region,
    "scrap_certificate_date": _date,
    "deregistration_date": _date,
    "transfer_date": _date,
    "core_recovery_price_fen": _fen,
}
HISTORY_FIELDS: dict[str, Callable[[Any], Any]] = {
    "date": _date,
    "kind": _kind,
    "scheme": _enum("scheme", SCHEMES),
    "amount_fen": _fen,
}
TOP_FIELDS = frozenset({"region", "date", "application_date", "purchase", "trade_in", "history"})


_PATHS: dict[tuple[str, str], str] = {}


def _section(obj: Any, prefix: str, parsers: Mapping[str, Callable[[Any], Any]],
             values: dict[str, Any], errors: list[FieldError]) -> None:
    if not isinstance(obj, (dict, Mapping)):
        errors.append(FieldError(prefix.rstrip("."), "must be an object"))
        return
    for key in parsers:
        path = _PATHS.get((prefix, key)) or _PATHS.setdefault((prefix, key), prefix + key)
        values[path] = None
    for key, raw in obj.items():
        parse = parsers.get(key)
        if parse is None:
            errors.append(FieldError(prefix + str(key), "unknown field"))
            continue
        if raw is None:
            continue
        path = _PATHS[(prefix, key)]
        try:
            values[path] = parse(raw)
        except ValueError as exc:
            errors.append(FieldError(path, str(exc)))


def _history(raw: Any, errors: list[FieldError]) -> tuple[HistoryEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(FieldError("history", "must be a list"))
        return ()
    out = []
    for i, item in enumerate(raw):
        vals: dict[str, Any] = {}
        before = len(errors)
        _section(item, f"history.{i}.", HISTORY_FIELDS, vals, errors)
        for req in ("date", "kind"):
            if isinstance(item, Mapping) and item.get(req) is None:
                errors.append(FieldError(f"history.{i}.{req}", "is required"))
        if len(errors) == before:
            out.append(HistoryEntry(vals[f"history.{i}.date"], vals[f"history.{i}.kind"],
                                    vals[f"history.{i}.scheme"], vals[f"history.{i}.amount_fen"]))
    return tuple(out)


def _remanufacturing(values: dict[str, Any]) -> None:
    """Derived fields of 以旧换再: the exchange price (置换价 = price minus the old part's
    recovery price), its share of the new part's price and whether the warranty matches new."""
    price, core = values.get("purchase.price_fen"), values.get("trade_in.core_recovery_price_fen")
    exchange = None if price is None or core is None else max(price - core, 0)
    values["purchase.exchange_price_fen"] = exchange
    new = values.get("purchase.new_price_fen")
    values["purchase.exchange_share_of_new"] = (
        None if exchange is None or not new else Decimal(exchange) / Decimal(new))
    months, new_months = values.get("purchase.warranty_months"), values.get("purchase.new_warranty_months")
    values["purchase.warranty_at_least_new"] = (
        None if months is None or new_months is None else months >= new_months)


def parse_request(payload: Mapping[str, Any], *, today: dt.date | None = None,
                  region_exists: Callable[[str], bool] | None = None) -> QuoteRequest:
    """Validate the contract body and return a `QuoteRequest`.

    Raises `RequestError` naming every bad field: unknown kind or region, a price that is
    not positive, `price_fen` that disagrees with `list_price_fen - discounts_fen`, bad dates
    or enum values. `region_exists` lets the caller check codes against the full GB/T 2260
    table; the engine itself only knows province prefixes.
    """
    errors: list[FieldError] = []
    if not isinstance(payload, Mapping):
        raise RequestError([FieldError("body", "must be a JSON object")])
    for key in payload:
        if key not in TOP_FIELDS:
            errors.append(FieldError(str(key), "unknown field"))
    values: dict[str, Any] = {}

    region = payload.get("region")
    if region is None:
        errors.append(FieldError("region", "is required"))
    else:
        try:
            region = _region(region)
            if region_exists is not None and not region_exists(region):
                raise ValueError("unknown region code")
        except ValueError as exc:
            errors.append(FieldError("region", str(exc)))
            region = None
    values["region"] = region

    for key in ("date", "application_date"):
        raw = payload.get(key)
        try:
            values[key] = None if raw is None else _date(raw)
        except ValueError as exc:
            errors.append(FieldError(key, str(exc)))
            values[key] = None
    if values["date"] is None and payload.get("date") is None:
        values["date"] = today or today_in_china()
    if values["application_date"] is None and payload.get("application_date") is None:
        # Assume the buyer applies on the day of purchase unless told otherwise.
        values["application_date"] = values["date"]

    purchase = payload.get("purchase")
    if purchase is None:
        errors.append(FieldError("purchase", "is required"))
    _section(purchase if purchase is not None else {}, "purchase.", PURCHASE_FIELDS, values, errors)
    if isinstance(purchase, Mapping):
        for req in ("kind", "price_fen"):
            if purchase.get(req) is None:
                errors.append(FieldError(f"purchase.{req}", "is required"))
    price = values.get("purchase.price_fen")
    if price is not None and price <= 0:
        errors.append(FieldError("purchase.price_fen", "must be greater than zero"))
    listed, discounts = values.get("purchase.list_price_fen"), values.get("purchase.discounts_fen")
    if price is not None and listed is not None and listed - (discounts or 0) != price:
        errors.append(FieldError(
            "purchase.price_fen",
            f"must equal list_price_fen - discounts_fen ({listed - (discounts or 0)})"))
    grades = [g for g in (values.get("purchase.energy_grade"), values.get("purchase.water_grade"))
              if g is not None]
    values["purchase.grade"] = min(grades) if grades else None
    pt = values.get("purchase.powertrain")
    values["purchase.is_nev"] = None if pt is None else pt in NEV_POWERTRAINS
    where = values.get("purchase.registered_in")
    values["purchase.registered_in_same_province"] = (
        None if where is None or region is None else where[:2] == region[:2])

    trade_in = payload.get("trade_in")
    values["trade_in.present"] = trade_in is not None
    _section(trade_in if trade_in is not None else {}, "trade_in.", TRADE_IN_FIELDS, values, errors)
    if trade_in is not None and isinstance(trade_in, Mapping) and trade_in.get("kind") is None:
        errors.append(FieldError("trade_in.kind", "is required when something is traded in"))
    pt = values.get("trade_in.powertrain")
    values["trade_in.is_nev"] = None if pt is None else pt in NEV_POWERTRAINS

    _remanufacturing(values)

    history = _history(payload.get("history"), errors)
    if errors:
        raise RequestError(errors)
    return QuoteRequest(region=values["region"], date=values["date"],
                        kind=values["purchase.kind"], price_fen=price,
                        values=values, history=history)
