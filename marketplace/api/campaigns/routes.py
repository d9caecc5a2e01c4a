"""Retailer trade-in campaigns: a bonus per old-item kind, own budget, stacking with the
government subsidy. Quoted (POST /subsidies/quote with retailer_id), reserved and redeemed
like subsidies."""
from __future__ import annotations

from marketplace.api.campaigns import schemas as s
from marketplace.auth import public, require_user
from marketplace.extensions import db
from marketplace.idempotency import idempotent
from marketplace.openapi import Blueprint
from marketplace.pagination import page, page_of
from marketplace.uow import unit_of_work
from services import pagination
from services.accounts.models import Role
from services.subsidies import campaigns
from services.subsidies.models import Campaign

blp = Blueprint("campaigns", __name__, description="Retailers' own trade-in campaigns")


@blp.route("/campaigns", methods=["POST"])
@idempotent
@blp.arguments(s.CampaignCreateSchema)
@blp.response(201, s.CampaignSchema)
def create_campaign(data):
    """Create a campaign for your retailer organisation."""
    user = require_user(Role.RETAILER)
    with unit_of_work() as session:
        c = campaigns.create_campaign(session, user, data)
    return c, 201, {"Location": f"/api/v1/campaigns/{c.id}"}


@blp.route("/campaigns", methods=["GET"])
@public
@blp.arguments(s.CampaignListArgs, location="query")
@blp.response(200, page_of(s.CampaignSchema))
def list_campaigns(args):
    """Campaigns, newest first; filter by retailer and by the day they are active on."""
    stmt = campaigns.list_campaigns(db.session, org_id=args["org_id"], active_on=args["active_on"])
    rows, nxt = pagination.page(db.session, stmt, Campaign, args["cursor"], args["limit"])
    return page(rows, nxt)


@blp.route("/campaigns/<uuid:campaign_id>", methods=["GET"])
@public
@blp.response(200, s.CampaignSchema)
def get_campaign(campaign_id):
    """One campaign (campaigns are public offers)."""
    return campaigns.get_campaign(db.session, campaign_id)


@blp.route("/campaigns/<uuid:campaign_id>", methods=["PATCH"])
@blp.arguments(s.CampaignUpdateSchema)
@blp.response(200, s.CampaignSchema)
def update_campaign(data, campaign_id):
    """Rename, extend, top up or close your campaign (never below what is committed)."""
    user = require_user()
    with unit_of_work() as session:
        return campaigns.update_campaign(session, user, campaign_id, data)
