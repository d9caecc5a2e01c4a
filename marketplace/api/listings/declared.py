"""Marshmallow fields of a listing built from its declaration (services/listings/fields.py): the
request fields with the declared bounds as validators, and response schemas with exactly the
declared fields in their order. Nothing here restates a field or a rule."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.api.listings import attributes as listing_attrs
from services.listings import fields as decl


class Code(ma.fields.Enum):
    """An enum documented with its values that also dumps a plain code (a listing just created holds
    the string its request carried until it is refreshed)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else getattr(value, "value", value)


TYPES = {"uuid": ma.fields.UUID, "string": ma.fields.String, "integer": ma.fields.Integer,
          "number": ma.fields.Float, "boolean": ma.fields.Boolean, "datetime": ma.fields.DateTime}


def _doc(f: decl.ListingField) -> dict:
    text = f.description + (f" (in {f.unit})" if f.unit and f.description else f"In {f.unit}." if f.unit else "")
    if f.owner_only:
        text = (text + " " if text else "") + "Shown to the seller and operators only."
    return {"metadata": {"description": text}} if text else {}


def _request_field(f: decl.ListingField, required: bool) -> ma.fields.Field:
    """A writable field with the declaration's bounds as its validators (services/listings/fields.py)."""
    r = {"required": True} if required and f.required else {}
    if f.name == "attributes":
        return listing_attrs.field(stored=False, **r)
    if f.type == "object":
        return ma.fields.Dict(allow_none=f.nullable, **r, **_doc(f))
    checks = []
    if f.choices:
        checks.append(validate.OneOf(f.choices))
    if f.min_length is not None or f.max_length is not None:
        checks.append(validate.Length(min=f.min_length, max=f.max_length))
    if f.minimum is not None or f.maximum is not None:
        checks.append(validate.Range(min=f.minimum, max=f.maximum))
    if f.pattern:
        checks.append(validate.Regexp(f.pattern, error=f.pattern_error))
    kind = ma.fields.String if f.choices else TYPES[f.type]
    extra = {"strict": True} if kind is ma.fields.Integer else {}
    if f.type == "uuid":
        extra["load_default"] = None
    elif f.nullable:
        extra["allow_none"] = True
    return kind(validate=checks, **extra, **r, **_doc(f))


def request_fields(required: bool, writes: tuple[str, ...]) -> dict:
    """The request fields of a listing: `writes` picks create-only and/or editable ones."""
    return {f.name: _request_field(f, required) for f in decl.WRITABLE if f.write in writes}


def response_schema(name: str, declared: tuple[decl.ListingField, ...], shaped: dict) -> type[ma.Schema]:
    """A response schema with exactly the declared fields, in their order: plain ones from their type
    and column, the ones the edge shapes (nested objects, URLs, masks, labels) from `shaped`."""
    names = [f.name for f in declared]
    unshaped = [f.name for f in declared if f.name not in shaped and (f.type in ("object", "list") or not f.column)]
    if unshaped or set(shaped) - set(names):
        raise RuntimeError(f"{name}: no field for {unshaped}; not declared: {sorted(set(shaped) - set(names))}")

    def field(f: decl.ListingField) -> ma.fields.Field:
        if f.name in shaped:
            return shaped[f.name]
        kw = {"allow_none": True} if f.nullable else {}
        if f.column != f.name:
            kw["attribute"] = f.column
        if f.name == "id":
            kw["required"] = True  # every object carries its id
        if f.enum:
            return Code(f.enum, by_value=True, **kw, **_doc(f))
        return TYPES[f.type](**kw, **_doc(f))
    return ma.Schema.from_dict({f.name: field(f) for f in declared}, name=name)
