"""Backend-neutral search query objects, their validation and the opaque cursor.

:func:`parse_params` turns request parameters into a :class:`SearchQuery` or raises
:class:`QueryError` whose ``errors`` name each offending parameter (the HTTP edge answers 422).
Free text is never handed to a query parser: it goes through :mod:`search.analysis`, so
``title:* OR (`` is just three words.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

MAX_Q_LENGTH = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_RADIUS_KM = 1000.0
MAX_VALUES = 20  # per multi-valued filter

SORTS = ("relevance", "price_asc", "price_desc", "newest", "distance")
KEYWORD_FILTERS = (
    "category", "kind", "condition", "energy_grade", "powertrain", "emission_standard", "seller_type",
    "legal_class", "cosmetic_grade",
)
RANGE_FILTERS = {"price": "price_fen", "year": "year", "mileage": "mileage_km"}
FACETS = ("category", "kind", "condition", "energy_grade", "legal_class", "cosmetic_grade", "region", "price")
# Price buckets in fen: under 500 yuan, 500-1k, 1k-2k, 2k-5k, 5k-10k, 10k-50k, 50k-100k, above.
PRICE_BUCKETS: tuple[tuple[int | None, int | None], ...] = (
    (None, 50_000), (50_000, 100_000), (100_000, 200_000), (200_000, 500_000),
    (500_000, 1_000_000), (1_000_000, 5_000_000), (5_000_000, 10_000_000), (10_000_000, None),
)
_KEYWORD_RE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
_REGION_RE = re.compile(r"^\d{2}(?:\d{2}(?:\d{2})?)?$")
_KNOWN = {
    "q", "near", "radius_km", "sort", "cursor", "limit", "region", "storage_gb", "certified",
    *KEYWORD_FILTERS, *(f"{name}_{end}" for name in RANGE_FILTERS for end in ("min", "max")),
}


class QueryError(ValueError):
    """Invalid search parameters; ``errors`` maps each parameter name to messages."""

    def __init__(self, errors: Mapping[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Range:
    low: int | None = None
    high: int | None = None

    @property
    def empty(self) -> bool:
        return self.low is None and self.high is None


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float | None = None


@dataclass(frozen=True)
class Filters:
    category: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    condition: tuple[str, ...] = ()
    energy_grade: tuple[str, ...] = ()
    powertrain: tuple[str, ...] = ()
    emission_standard: tuple[str, ...] = ()
    seller_type: tuple[str, ...] = ()
    legal_class: tuple[str, ...] = ()  # new, remanufactured, refurbished, used (issue 22)
    cosmetic_grade: tuple[str, ...] = ()  # premium, excellent, good, fair
    storage_gb: tuple[int, ...] = ()
    region: str | None = None  # code prefix: 2 (province), 4 (city) or 6 (county) digits
    price_fen: Range = field(default_factory=Range)
    year: Range = field(default_factory=Range)
    mileage_km: Range = field(default_factory=Range)
    certified: bool | None = None  # True: only devices with a valid wipe certificate; False: without

    def keywords(self) -> Iterable[tuple[str, tuple[str, ...]]]:
        """(document field, accepted values) for every keyword filter in use."""
        for name in KEYWORD_FILTERS:
            values = getattr(self, name)
            if values:
                yield name, values

    def ranges(self) -> Iterable[tuple[str, Range]]:
        for name in RANGE_FILTERS.values():
            rng = getattr(self, name)
            if not rng.empty:
                yield name, rng


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    near: Near | None = None
    sort: str = "relevance"
    after: tuple | None = None  # sort values of the last hit of the previous page
    limit: int = DEFAULT_LIMIT
    facets: tuple[str, ...] = FACETS
    count: bool = True  # count every match for ``total``; near matches (search.engine) need no total

    def fingerprint(self) -> str:
        """Identifies what is searched (not the page) so a cursor is bound to its query."""
        data = {"t": self.text, "f": asdict(self.filters), "n": asdict(self.near) if self.near else None,
                "s": self.sort}
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def region_prefix(code: str) -> str:
    """``440000`` -> ``44``, ``440100`` -> ``4401``, ``440106`` unchanged, ``44`` unchanged."""
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def region_levels(code: str | None) -> list[str]:
    """Every prefix a listing's 6-digit region code answers to."""
    if not code or len(code) != 6 or not code.isdigit():
        return []
    return list(dict.fromkeys([code[:2], region_prefix(code[:4] + "00"), region_prefix(code)]))


def encode_cursor(query: SearchQuery, values: Iterable[Any]) -> str:
    payload = {"v": 1, "h": query.fingerprint(), "k": list(values)}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, query: SearchQuery) -> tuple:
    """Sort values stored in ``token``; QueryError('cursor') when foreign or malformed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        values = payload["k"]
        ok = payload.get("v") == 1 and isinstance(values, list) and 1 <= len(values) <= 3
        ok = ok and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values)
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise QueryError({"cursor": ["Not a cursor returned by this endpoint."]})
    if payload.get("h") != query.fingerprint():
        raise QueryError({"cursor": ["The cursor belongs to a different query."]})
    return tuple(values)


class _Params:
    """Collects per-parameter errors while reading raw request values."""

    def __init__(self, raw: Mapping[str, Any]):
        self.raw = {k: (v if isinstance(v, (list, tuple)) else [v]) for k, v in raw.items()}
        self.errors: dict[str, list[str]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def one(self, name: str) -> str | None:
        values = [v for v in self.raw.get(name, []) if v is not None]
        if len(values) > 1:
            self.fail(name, "Give this parameter once.")
            return None
        return str(values[0]).strip() if values else None

    def many(self, name: str) -> list[str]:
        out: list[str] = []
        for value in self.raw.get(name, []):
            out.extend(p.strip() for p in str(value).split(",") if p.strip())
        if len(out) > MAX_VALUES:
            self.fail(name, f"At most {MAX_VALUES} values.")
            return []
        return list(dict.fromkeys(out))

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.one(name)
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(name, "Must be an integer.")
            return None
        if not low <= number <= high:
            self.fail(name, f"Must be between {low} and {high}.")
            return None
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.one(name)
        if value is None or value == "":
            return None
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        self.fail(name, "Must be true or false.")
        return None

    def range(self, name: str, low: int, high: int) -> Range:
        rng = Range(self.integer(f"{name}_min", low, high), self.integer(f"{name}_max", low, high))
        if rng.low is not None and rng.high is not None and rng.low > rng.high:
            self.fail(f"{name}_min", f"Must not be greater than {name}_max.")
        return rng


def parse_params(raw: Mapping[str, Any], vocabularies: Mapping[str, Iterable[str]] | None = None,
                 ) -> SearchQuery:
    """Validate request parameters into a SearchQuery (QueryError names each bad parameter).

    ``vocabularies`` maps keyword filters to their allowed values (the domain's enums); filters
    without one accept short identifiers.
    """
    p = _Params(raw)
    for name in raw:
        if name not in _KNOWN:
            p.fail(name, "Unknown parameter.")
    text = p.one("q") or ""
    if len(text) > MAX_Q_LENGTH:
        p.fail("q", f"At most {MAX_Q_LENGTH} characters.")
    keywords: dict[str, tuple[str, ...]] = {}
    for name in KEYWORD_FILTERS:
        values = p.many(name)
        allowed = set(vocabularies[name]) if vocabularies and name in vocabularies else None
        bad = [v for v in values if (v not in allowed if allowed is not None else not _KEYWORD_RE.match(v))]
        if bad:
            hint = f" Allowed: {', '.join(sorted(allowed))}." if allowed is not None else ""
            p.fail(name, f"Unknown value(s): {', '.join(bad[:5])}.{hint}")
        keywords[name] = tuple(values)
    storage: list[int] = []
    for value in p.many("storage_gb"):
        if value.isdigit() and 0 < int(value) <= 65536:
            storage.append(int(value))
        else:
            p.fail("storage_gb", "Each value must be a whole number of gigabytes.")
    region = p.one("region")
    if region is not None and not _REGION_RE.match(region):
        p.fail("region", "Must be a region code or prefix of 2, 4 or 6 digits.")
        region = None
    certified = p.boolean("certified")
    filters = Filters(
        **keywords, storage_gb=tuple(storage), certified=certified,
        region=region_prefix(region) if region else None,
        price_fen=p.range("price", 0, 10**12),
        year=p.range("year", 1900, 2100),
        mileage_km=p.range("mileage", 0, 10**7),
    )
    near = _parse_near(p)
    sort = p.one("sort") or ("relevance" if text.strip() else "newest")
    if sort not in SORTS:
        p.fail("sort", f"Must be one of: {', '.join(SORTS)}.")
    elif sort == "distance" and near is None and "near" not in p.errors:
        p.fail("sort", "Sorting by distance needs near=lat,lon.")
    limit = p.integer("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
    if p.errors:
        raise QueryError(p.errors)
    query = SearchQuery(text=text, filters=filters, near=near, sort=sort, limit=limit)
    cursor = p.one("cursor")
    if cursor:
        query = SearchQuery(text=text, filters=filters, near=near, sort=sort, limit=limit,
                            after=decode_cursor(cursor, query))
    return query


def _parse_near(p: _Params) -> Near | None:
    near, radius_raw = p.one("near"), p.one("radius_km")
    radius: float | None = None
    if radius_raw:
        try:
            radius = float(radius_raw)
        except ValueError:
            radius = math.nan
        if not (0 < radius <= MAX_RADIUS_KM):  # also rejects NaN
            p.fail("radius_km", f"Must be a number above 0 and at most {MAX_RADIUS_KM:g}.")
            radius = None
        elif not near:
            p.fail("radius_km", "Needs near=lat,lon.")
    if not near:
        return None
    try:
        lat_s, lon_s = near.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        p.fail("near", "Must be lat,lon in decimal degrees.")
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also rejects NaN
        p.fail("near", "Latitude must be within -90..90 and longitude within -180..180.")
        return None
    return Near(lat, lon, radius)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; every backend reports hit distances with this one formula."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Hit:
    id: str
    score: float | None = None
    distance_km: float | None = None
    sort: tuple = ()
    accessory: bool = False  # an accessory or part (search.intent), whatever the query
    # The listing's summary as the index holds it at its indexed revision (es_dsl.HIT_SOURCE), when
    # the backend returns one: the search page shows it without reading PostgreSQL (docs/search.md).
    source: dict | None = field(default=None, compare=False, repr=False)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    related: list[Hit] = field(default_factory=list)  # near matches after a short first page (search.engine)

    def next_after(self, query: SearchQuery) -> tuple | None:
        """Sort values to continue from, or None on the last page."""
        if len(self.hits) < query.limit or not self.hits:
            return None
        return self.hits[-1].sort


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "title", "brand" or "model"
