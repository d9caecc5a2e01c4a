"""Schemas of retailer trade-in campaigns."""
from __future__ import annotations

import marshmallow as ma

from marketplace.pagination import PageArgs
from marshmallow import validate

from subsidies.vocabulary import KINDS

KIND = validate.OneOf(sorted(KINDS))
REGION = validate.Regexp(r"^\d{6}$", error="Must be a 6-digit GB/T 2260 region code.")


class CampaignCreateSchema(ma.Schema):
    org_id = ma.fields.UUID()
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    regions = ma.fields.List(ma.fields.String(validate=REGION), required=True,
                             validate=validate.Length(min=1, max=200))
    kinds = ma.fields.List(ma.fields.String(validate=KIND), required=True, validate=validate.Length(min=1),
                           metadata={"description": "Kinds of the new item the campaign applies to."})
    bonuses = ma.fields.Dict(keys=ma.fields.String(validate=KIND),
                             values=ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=10_000_000)),
                             required=True, validate=validate.Length(min=1), metadata={
                                 "description": "Bonus in fen per kind of old item handed in; any category "
                                                "(cross-category trade-in), e.g. {\"television\": 20000}."})
    requires_handed_in = ma.fields.Boolean(load_default=True)
    stacking = ma.fields.String(load_default="discount", validate=validate.OneOf(["discount", "exclusive"]),
                                metadata={"description": "discount: the bonus is a merchant discount, so the "
                                          "government subsidy is computed on the price after it; exclusive: the "
                                          "bonus is paid only when no government subsidy applies."})
    budget_fen = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class CampaignUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=validate.Length(min=2, max=120))
    ends_on = ma.fields.Date()
    budget_fen = ma.fields.Integer(strict=True, validate=validate.Range(min=1))
    closed = ma.fields.Boolean()


class CampaignSchema(ma.Schema):
    id = ma.fields.UUID()
    org_id = ma.fields.UUID()
    name = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    regions = ma.fields.List(ma.fields.String())
    kinds = ma.fields.List(ma.fields.String())
    bonuses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    requires_handed_in = ma.fields.Boolean()
    stacking = ma.fields.Function(lambda c: c.stacking.value)
    budget_fen = ma.fields.Integer()
    reserved_fen = ma.fields.Integer()
    redeemed_fen = ma.fields.Integer()
    closed = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


class CampaignListArgs(PageArgs):
    org_id = ma.fields.UUID(load_default=None)
    active_on = ma.fields.Date(load_default=None)
