"""Listing attributes at the edge, built from the domain's declarations
(services/listings/attributes.py): the marshmallow schema that checks each category's shape, and
the OpenAPI schemas that document them, one per category and kind. Nothing here restates a rule."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.extensions import api_of

from services.listings import attributes as domain
from services.listings.models import Category

_FIELD = {"string": ma.fields.String, "integer": ma.fields.Integer, "number": ma.fields.Float,
          "boolean": ma.fields.Boolean, "date": ma.fields.Date}


def _field(a: domain.Attr) -> ma.fields.Field:
    checks = []
    if a.choices:
        checks.append(validate.OneOf(a.choices))
    if a.min_length is not None or a.max_length is not None:
        checks.append(validate.Length(min=a.min_length, max=a.max_length))
    if a.minimum is not None or a.maximum is not None:
        checks.append(validate.Range(min=a.minimum, max=a.maximum))
    if a.pattern:
        checks.append(validate.Regexp(a.pattern))
    presence = {"required": True} if a.required else {"load_default": a.default}
    return _FIELD[a.type](validate=checks, metadata={"description": a.description}, **presence)


def marshmallow_schema(category: Category) -> type[ma.Schema]:
    """The shape check of one category's `attributes` (unknown fields refused)."""
    name = f"{category.value.title()}Attrs"
    return ma.Schema.from_dict({a.name: _field(a) for a in domain.FIELDS[category]}, name=name)


def _camel(*words: str) -> str:
    return "".join(part.title() for w in words for part in w.split("_"))


def _property(a: domain.Attr, kind: str | None, nullable: bool) -> dict:
    p: dict = {"type": "string", "format": "date"} if a.type == "date" else {"type": a.type}
    p["description"] = a.description
    if a.name == "kind" and kind is not None:
        p["enum"] = [kind]
    elif a.choices:
        p["enum"] = list(a.choices)
    for key, value in (("minimum", a.minimum), ("maximum", a.maximum), ("minLength", a.min_length),
                       ("maxLength", a.max_length), ("pattern", a.pattern)):
        if value is not None:
            p[key] = value
    if nullable:
        p["nullable"] = True
    return p


def kind_schema(category: Category, kind: str, *, stored: bool) -> dict:
    """The OpenAPI schema of one kind's attributes; `stored` is what a listing shows (identifiers
    are kept hashed, never echoed)."""
    fixed_kind = kind if category in (Category.APPLIANCE, Category.ELECTRONICS) else None
    props, required = {}, []
    for a in domain.for_kind(category, kind):
        if stored and a.identifier:
            continue
        must = domain.required(category, kind, a)
        props[a.name] = _property(a, fixed_kind, nullable=not must)
        if must:
            required.append(a.name)
    schema = {"type": "object", "properties": props,
              "description": f"Attributes of a listing in {category.value}, kind {kind}."}
    if required:
        schema["required"] = required
    return schema


def component_name(category: Category, kind: str | None = None, *, stored: bool = False) -> str:
    return _camel(category.value, kind or "", "stored" if stored else "", "attributes")


def components(*, stored: bool) -> dict[str, dict]:
    """Every kind's schema, each category's union (oneOf with a discriminator on `kind` where a
    category has several kinds) and the union of the categories, by component name."""
    out: dict[str, dict] = {}
    by_category = []
    for category, kinds in domain.KINDS.items():
        refs = {}
        for kind in kinds:
            name = component_name(category, kind, stored=stored)
            out[name] = kind_schema(category, kind, stored=stored)
            refs[kind] = f"#/components/schemas/{name}"
        cat_name = component_name(category, stored=stored)
        if len(kinds) > 1:
            out[cat_name] = {"oneOf": [{"$ref": r} for r in refs.values()],
                             "discriminator": {"propertyName": "kind", "mapping": refs},
                             "description": f"Attributes of a listing in {category.value}, by kind."}
        else:
            out[cat_name] = {"allOf": [{"$ref": next(iter(refs.values()))}]}
        by_category.append({"$ref": f"#/components/schemas/{cat_name}"})
    out["Listing" + ("Stored" if stored else "") + "Attributes"] = {
        "anyOf": by_category,
        "description": "The schema of the listing's `category` applies"
                       + (" (identifiers are never echoed)." if stored else ".")}
    return out


def field(*, stored: bool, **kwargs) -> ma.fields.Dict:
    """The `attributes` field of listing requests (stored=False) and responses (stored=True)."""
    name = "Listing" + ("Stored" if stored else "") + "Attributes"
    return ma.fields.Dict(metadata={"allOf": [{"$ref": f"#/components/schemas/{name}"}],
                                    "description": "Category attributes; see " + name}, **kwargs)


def init_app(app) -> None:
    api = api_of(app)
    for stored in (False, True):
        for name, schema in components(stored=stored).items():
            api.spec.components.schema(name, component=schema)
