"""A description for every enum in the OpenAPI document that its schema left without one.

Kept in one table rather than scattered over the resources' schemas: a field name means the same
thing wherever it appears (`condition`, `powertrain`), and where it does not (`status`, `kind`,
`action`) the schema or path names it. tests/functional/test_enum_docs.py walks the document and
fails on any enum without a description, so a new enum gets one here or in its own schema.
"""
from __future__ import annotations

from flask import Flask

from marketplace.extensions import api_of

# By field or parameter name.
BY_NAME = {
    "category": "What is sold or collected: vehicle, appliance (家电), electronics (数码) or other.",
    "condition": "Condition: new, like_new, good, fair, for_parts (sold for its parts) or remanufactured "
                 "(再制造, needs a catalogue entry `reman_entry_id` and `warranty_months`).",
    "powertrain": "Powertrain: gasoline, diesel, hybrid, bev (battery electric), phev (plug-in hybrid), erev "
                  "(extended-range electric), fcev (fuel cell), other_fuel (natural gas, LPG).",
    "emission_standard": "China emission standard of the car, 国1 (china_1) to 国6b (china_6b).",
    "disposal": "What happens to the old car: scrap (报废) or transfer (转让).",
    "scheme": "Subsidy scheme: scrappage (报废更新) or replacement (置换更新).",
    "method": "How the device changes hands: pickup at the seller's, dropoff at the buyer's "
              "(or a facility), or with_delivery.",
    "dispatch": "How a pickup finds its recycler: direct (the one named), nearest, or pool (offered to every "
                "recycler serving the area).",
    "action": "The transition to apply; the answer names the allowed ones when this one is not.",
    "side": "Who did not turn up: the consumer or the recycler.",
    "tier": "Facility tier: collection_point (回收网点), transfer_station (中转站), sorting_centre "
            "(分拣中心) or dismantler (报废机动车回收拆解企业, vehicles only).",
    "to": "The pickup state to move to.",
    "media_type": "Storage medium: magnetic (HDD), flash_ssd (SATA/SAS/NVMe SSD), flash_embedded (eMMC, "
                  "UFS of phones and tablets) or flash_removable (SD cards, USB sticks).",
    "level": "Sanitisation level (NIST SP 800-88): clear, purge or destroy.",
    "technique": "Sanitisation technique used on the medium.",
    "hidden_areas": "Hidden areas of the medium (HPA/DCO, over-provisioning): not_applicable, none, removed, "
                    "present or unknown.",
    "activation_lock": "Activation lock (Find My and the like) at hand-over.",
    "frp": "Factory reset protection (Android) at hand-over.",
    "mdm": "Mobile device management enrolment at hand-over.",
    "destination": "Where the device goes after the wipe: resale, recycling or destruction.",
    "mode": "How the device reaches the recycler: drop_off or pickup.",
    "format": "Export format: json, csv (UTF-8 with BOM) or xlsx.",
    "headers": "Column headers: code (field names), zh (Chinese) or en (English).",
    "as": "Which side you are on: buyer or seller.",
    "result": "Result of the verification.",
    "kinds": "Subsidy kinds (the quote vocabulary).",
    "recipient_type": "Who may take a removed NEV traction battery: oem_collection_point (车企回收服务网点), "
                      "cascade_use (梯次利用企业) or recycling (再生利用企业).",
}

# By schema (or path) and name, where one name means different things.
BY_PLACE = {
    ("BlockCreate", "kind"): "Which identifier is blocked: imei, vin or serial (hashed on arrival).",
    ("BlockCheck", "kind"): "Which identifier is checked: imei, vin or serial.",
    ("/api/v1/blocklist", "kind"): "Which identifier: imei, vin or serial.",
    ("BlockCreate", "reason"): "Why the device is blocked: lost, stolen or fraud.",
    ("QuotePurchase", "kind"): "Kind of product bought (the subsidy vocabulary, shared with listings).",
    ("QuoteTradeIn", "kind"): "Kind of product traded in (the subsidy vocabulary, shared with listings).",
    ("QuoteHistoryEntry", "kind"): "Kind of product bought with a subsidy.",
    ("QuoteBudgetProgramme", "status"): "Whether the programme's budget can pay: available, exhausted or no_pool.",
    ("QuoteBudget", "status"): "Whether the quote can be reserved now: available, exhausted, no_pool or "
                               "not_applicable (nothing eligible).",
    ("CustodyCreate", "kind"): "Custody event: intake, returned, transfer, wipe, qc_sample or dispatch.",
    ("CreditOverrideCreate", "kind"): "What the operator overrides: the score, or one record voided.",
    ("Verification", "status"): "The certificate's state: valid, superseded, revoked or invalid (signature).",
    ("ListingSummary", "status"): "Listing state: draft, pending_review, published, reserved, sold, withdrawn, "
                                  "rejected.",
    ("Revision", "status"): "Review state of the revision: pending, approved, rejected or withdrawn.",
    ("ReportCreate", "reason"): "What the report is about.",
    ("DisputeCreate", "reason"): "not_received or not_as_described.",
    ("IdentityReview", "decision"): "The reviewer's decision on the identity check: verified or rejected.",
    ("VerificationReview", "decision"): "The reviewer's decision on the organisation's registration: verified "
                                        "or rejected.",
    ("ReportDecision", "decision"): "uphold (act on the report) or dismiss.",
    ("MediumIn", "outcome"): "What the wipe of this medium achieved: erased, erased_with_exceptions or failed.",
    ("Resolve", "outcome"): "How the dispute ends: release (the seller is paid), refund or partial_refund.",
    ("Invite", "role"): "The member's role in the organisation: owner or staff.",
    ("Register", "role"): "Account type: consumer, retailer or recycler.",
    ("/api/v1/orders", "role"): "Only orders where you are the buyer, or the seller.",
    ("/api/v1/offers", "role"): "Only offers you made as buyer, or received as seller.",
    ("/api/v1/listings", "status"): "Only listings in this state (operators; yours with mine=true).",
    ("/api/v1/listing-revisions", "status"): "Only revisions in this review state.",
    ("/api/v1/tradeins", "status"): "Only trade-ins in this state.",
    ("/api/v1/pickups", "status"): "Only pickups in this state.",
    ("/api/v1/wipe-requests", "status"): "Only wipe requests in this state.",
    ("/api/v1/orders", "status"): "Only orders in this state.",
    ("/api/v1/offers", "status"): "Only offers in this state.",
    ("/api/v1/disputes", "status"): "Only disputes in this state: open or resolved.",
    ("/api/v1/accounts/identity-reviews", "status"): "Only identity checks in this state.",
    ("/api/v1/organizations/verification-reviews", "status"): "Only organisation checks in this state.",
}


def _fill(schema: dict, place: str, name: str) -> None:
    if isinstance(schema.get("enum"), list) and not schema.get("description"):
        text = BY_PLACE.get((place, name)) or BY_NAME.get(name)
        if text:
            schema["description"] = text
    items = schema.get("items")
    if isinstance(items, dict):
        _fill(items, place, name)


def describe(spec: dict) -> None:
    """Give every enum property and parameter without a description the one this module has."""
    for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
        for name, prop in (schema.get("properties") or {}).items():
            _fill(prop, schema_name, name)
    for path, ops in spec.get("paths", {}).items():
        for op in ops.values():
            for param in (op.get("parameters") or []) if isinstance(op, dict) else []:
                if isinstance(param, dict) and "schema" in param:
                    if param.get("description") and not param["schema"].get("description"):
                        param["schema"]["description"] = param["description"]
                    _fill(param["schema"], path, param["name"])
                    if param["schema"].get("description") and not param.get("description"):
                        param["description"] = param["schema"]["description"]


def init_app(app: Flask) -> None:
    # Blueprints are registered before the init hooks: the document holds every operation now.
    api = api_of(app)
    describe(api.spec.to_dict())
