"""Trade-ins: instant valuation, acceptance and handover, inspection and counter-offer, payout, prepayment."""
