"""Hypothesis strategies for the hand-written listing serialisers' tests, drawn from a response
schema's own fields (not a fixed key list): a field added to ListingSchema or ListingSummarySchema
(through services/listings/fields.py) is in every drawn row at once, so a serialiser that forgets it
fails its test. Bounds come from the declaration where the field is declared."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import marshmallow as ma
from hypothesis import strategies as st

from services.listings import attributes, fields as decl
from services.standing.service import SellerSummary

text = st.text(max_size=30)
maybe_text = st.none() | text
when = st.datetimes(timezones=st.just(dt.timezone.utc))
# Every category with each of its kinds: rows are always a kind their category has.
KINDS = [(category, kind) for category, kinds in attributes.KINDS.items() for kind in kinds]

# The denormalised certificate summary (services/certificates/summary.py), or none.
certificates = st.none() | st.fixed_dictionaries({
    "id": st.uuids().map(str), "status": st.sampled_from(["valid", "superseded", "revoked"]),
    "level": st.sampled_from(["clear", "purge", "destroy"]), "organisation": maybe_text,
    "issued_at": when.map(lambda w: w.strftime("%Y-%m-%dT%H:%M:%SZ"))})
# The seller's standing (services/standing), or none (an unknown seller).
sellers = st.none() | st.builds(
    SellerSummary, id=st.uuids(), display_name=text, real_name_verified=st.booleans(),
    organisation_verified=st.booleans(), rating_average=st.none() | st.floats(1, 5).map(lambda f: round(f, 2)),
    rating_count=st.integers(0, 10**6), completed_trades=st.integers(0, 10**6),
    credit_band=st.none() | st.sampled_from(["A", "B", "C", "D", "E"]))
photos = st.lists(st.builds(SimpleNamespace, id=st.uuids(), content_type=st.sampled_from(["image/jpeg", "image/webp"]),
                            width=st.integers(1, 8000), height=st.integers(1, 8000),
                            size_bytes=st.integers(1, 10**7)), max_size=3)
stored_attributes = st.none() | st.dictionaries(st.sampled_from(["brand", "model", "year", "storage_gb"]),
                                                st.integers(0, 5000) | text, max_size=4)

# Fields the edge shapes (a function of other keys, or a nested object): the row key(s) they read
# and what to draw for each. `labels` reads the coded fields that are drawn anyway.
SHAPED = {
    "thumbnail_url": {"thumbnail_id": st.none() | st.uuids()},
    "device_masked": {"device_last4": st.none() | st.from_regex(r"\A[0-9]{4}\Z")},
    "serial_masked": {"serial_last4": st.none() | st.from_regex(r"\A[A-Z0-9]{4}\Z")},
    "labels": {},
    "class_words": {}, "grade_words": {},  # read legal_class and cosmetic_grade, drawn anyway
}
# A grade's inspection facts (services/remanufacturing/grading.py), or none.
inspections = st.none() | st.fixed_dictionaries({"battery_health_pct": st.integers(0, 100), "screen": text})
NESTED = {"inspection": inspections, "certificate": certificates, "seller": sellers, "photos": photos, "attributes": stored_attributes}
# Plain strings whose values mean something.
NAMED = {"region_code": st.sampled_from(["140100", "141100", "310000"]),
         "seller_type": st.sampled_from(["consumer", "retailer", "recycler"])}
# Coded strings declared with their allowed values (legal_class, cosmetic_grade).
NAMED.update({f.name: st.sampled_from(f.values) for f in decl.FIELDS if f.values})


def _plain(name: str, field: ma.fields.Field) -> st.SearchStrategy:
    """What to draw for a plain schema field, by its marshmallow type and the declared bounds."""
    declared = decl.BY_NAME.get(name)
    lo = declared.minimum if declared and declared.minimum is not None else None
    hi = declared.maximum if declared and declared.maximum is not None else None
    if name in NAMED:
        value = NAMED[name]
    elif isinstance(field, ma.fields.Enum):
        value = st.sampled_from(list(field.enum))
    elif isinstance(field, ma.fields.UUID):
        value = st.uuids()
    elif isinstance(field, ma.fields.DateTime):
        value = when
    elif isinstance(field, ma.fields.Boolean):
        value = st.booleans()
    elif isinstance(field, ma.fields.Integer):
        value = st.integers(int(lo) if lo is not None else 0, int(hi) if hi is not None else 10**11)
    elif isinstance(field, ma.fields.Float):
        value = st.floats(lo if lo is not None else -1e6, hi if hi is not None else 1e6)
    elif isinstance(field, ma.fields.String):
        value = text
    else:
        raise TypeError(f"no strategy for {name}: {type(field).__name__}; add it to tests/factories/listing_rows.py")
    return st.none() | value if field.allow_none else value


def row_strategies(schema: type[ma.Schema], category=None, kind=None) -> dict[str, st.SearchStrategy]:
    """{row key: strategy} for every field of `schema`: what a row must hold for it to dump."""
    out: dict[str, st.SearchStrategy] = {}
    for name, field in schema().fields.items():
        if name in SHAPED:
            out.update(SHAPED[name])
        elif name in NESTED:
            out[field.attribute or name] = NESTED[name]
        elif name not in ("category", "kind"):
            out[field.attribute or name] = _plain(name, field)
    pair = st.sampled_from(KINDS) if category is None else st.just((category, kind))
    return {**out, "_pair": pair}


def _with_kind(values: dict) -> dict:
    values["category"], values["kind"] = values.pop("_pair")
    return values


def rows(schema: type[ma.Schema], category=None, kind=None) -> st.SearchStrategy[dict]:
    """Summary rows (mappings) for `schema` (ListingSummarySchema)."""
    return st.fixed_dictionaries(row_strategies(schema, category, kind)).map(_with_kind)


def listings(schema: type[ma.Schema], category=None, kind=None) -> st.SearchStrategy[SimpleNamespace]:
    """Listing-like objects for `schema` (ListingSchema), attributes instead of keys."""
    return rows(schema, category, kind).map(lambda values: SimpleNamespace(**values))
