"""The trade-ins blueprint, shared by the route modules of this resource."""
from marketplace.openapi import Blueprint

blp = Blueprint("tradeins", __name__, description="Trade-ins: instant valuation, handover, inspection, "
                                                  "counter-offer, payout, prepayment; the trade-in price table")
