"""Proportionate history for a scale database, by set-based SQL over its own listings and users.

`flask seed` makes a realistic catalogue but almost no history around it (no photo rows, no
trade-ins, no subsidy sales, three orders, two pickups). This module adds, in one `INSERT ...
SELECT` per table (plus a few UPDATEs of the counters those rows hold), history proportionate to
the listings of the database it runs on:

| rows | how many | from |
|---|---|---|
| listing_photos | 1-6 per listing (~3.5) | every listing |
| orders (cancelled: reservation expired unpaid, or by the buyer) | 1 per 20 published listings | the listing, its seller, a consumer buyer |
| tradeins + tradein_events | 1 per 25 listings; quoted, expired, cancelled, accepted, paid (every step an event) | the demo's platform price table and retailer campaign entries (`tradein_prices`) |
| subsidy_till_sales + subsidy_reservations + subsidy_applied | 1 per 100 listings of a subsidised kind (CN-2026-appliance / CN-2026-digital), reserved, redeemed, released, clawed back | the demo's budget pools (`subsidy_pools`, counters updated) |
| subsidy_claims | one per retailer, programme and month of redeemed lines: draft, submitted, approved, paid | those lines (`claim_id`) |
| organizations + pickup_recyclers + pickup_service_regions | 1,000 verified recyclers in Taiyuan (city-wide, three counties, or a radius) | fixed: the same 1,000 at every size |
| pickup_bookings + pickup_items + pickup_slots + pickup_status_changes | 1 per 10 listings over the last 60 and next 7 days: processed, failed, cancelled, confirmed, each with its status history | the recyclers' slot grids; slot counters within capacity |

Deterministic: every choice is a function of md5 of a row's id, and every id is `hid(...)`: an
md5 of its parent's id with the first 8 hex digits set to `b157b157` (HISTORY_PREFIX), so these
rows are recognisable (seed_scale.grow leaves them out of its copies and generates them per
database instead: slots and pools are shared rows, so copying bookings or reservations k times
would overbook them). Idempotent: every insert is `ON CONFLICT DO NOTHING` on those ids, and
every counter is raised only by the rows an insert actually returned, so a second run adds
nothing. Listings, users and search documents are read, never written (the Elasticsearch indexes
stay valid). Dates are relative to the day it runs (pickup slots in the next 7 days).
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

HISTORY_PREFIX = "b157b157"
RECYCLERS = 1000
CITY = "140100"  # Taiyuan: its counties below (GB/T 2260, services.regions)
COUNTIES = ["140105", "140106", "140107", "140108", "140109", "140110", "140121", "140122", "140123", "140181"]
HOURS = {str(d): [["08:00", "12:00"], ["13:00", "18:00"]] for d in range(1, 8)}
PAST_DAYS, FUTURE_DAYS = 60, 7
# One order per 20 published listings, one trade-in per 25 listings, one subsidised till sale per
# 100 listings of a subsidised kind, one pickup per 10 listings (tests ask for more, to see every state).
EVERY = {"order": 20, "tradein": 25, "sale": 100, "pickup": 10}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def hid(expr: str) -> str:
    """SQL: a deterministic UUID for a history row, marked by HISTORY_PREFIX."""
    return f"overlay(md5({expr}) placing '{HISTORY_PREFIX}' from 1)::uuid"


def h(expr: str, salt: str) -> str:
    """SQL: a deterministic non-negative integer (28 bits) from a value and a salt."""
    return f"(('x' || substr(md5(({expr})::text || '{salt}'), 1, 7))::bit(28)::int)"


def is_history(column: str = "id") -> str:
    """SQL predicate: the row was written by this module."""
    return f"{column}::text LIKE '{HISTORY_PREFIX}%'"


CONSUMERS = "(SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'consumer' AND is_active)"


def _pick(array: str, n: str) -> str:
    return f"{array}[1 + ({n}) % array_length({array}, 1)]"


PHOTOS = f"""
INSERT INTO listing_photos (id, listing_id, storage_key, content_type, size_bytes, width, height, position,
                            created_at, revision_id)
SELECT {hid("l.id::text || '/photo:' || p")}, l.id,
       'listings/' || l.id || '/' || {hid("l.id::text || '/photo:' || p")} || '.jpg', 'image/jpeg',
       80000 + {h("l.id::text || p", "/bytes")} % 320000,
       CASE WHEN p % 2 = 0 THEN 1280 ELSE 1080 END, CASE WHEN p % 2 = 0 THEN 960 ELSE 1440 END,
       p, l.created_at, NULL
FROM listings l CROSS JOIN LATERAL generate_series(0, {h("l.id", "/photos")} % 6) AS p
ON CONFLICT (id) DO NOTHING
"""

# Orders that ended before any money moved leave the listing as it was (published): the only
# orders a history may add without touching listings.
ORDERS = f"""
WITH c AS {CONSUMERS},
src AS (
  SELECT l.*, {h("l.id", "/order")} AS r FROM listings l
  WHERE l.status = 'published' AND {h("l.id", "/has-order")} % :every = 0)
INSERT INTO orders (id, listing_id, buyer_id, seller_id, seller_org_id, offer_id, price_fen, subsidy_fen,
                    store_credit_fen, platform_credit_fen, fee_bps, payment_method, status, refunded_fen,
                    reserved_until, cancelled_at, cancel_reason, fulfilment, shipping_fee_fen, shipping_paid_by,
                    created_at, updated_at)
SELECT {hid("src.id::text || '/order'")}, src.id,
       CASE WHEN {_pick("c.ids", "src.r")} = src.seller_id THEN {_pick("c.ids", "src.r + 1")}
            ELSE {_pick("c.ids", "src.r")} END,
       src.seller_id, src.org_id, NULL, src.price_fen, 0, 0, 0, :fee_bps,
       (ARRAY['card', 'alipay', 'wechat_pay', 'cash'])[1 + src.r % 4], 'cancelled', 0,
       t.at + interval '30 minutes', t.at + CASE WHEN src.r % 3 = 0 THEN interval '10 minutes'
                                                ELSE interval '30 minutes' END,
       CASE WHEN src.r % 3 = 0 THEN 'cancelled by buyer' ELSE 'reservation expired unpaid' END,
       'meetup', 0, 'buyer', t.at, t.at + interval '30 minutes'
FROM src CROSS JOIN c
CROSS JOIN LATERAL (SELECT greatest(src.published_at, :now - interval '1 day' * (1 + src.r % 90)) AS at) t
WHERE array_length(c.ids, 1) > 1 AND src.published_at IS NOT NULL AND src.published_at < :now
ON CONFLICT (id) DO NOTHING
"""

# Terminal status -> the path of statuses that led to it (services/tradeins/states.py).
TRADEIN_PATHS = {"quoted": ["quoted"], "expired": ["quoted", "expired"], "cancelled": ["quoted", "cancelled"],
                 "accepted": ["quoted", "accepted"], "paid": ["quoted", "accepted", "received", "inspected", "paid"]}
# 20 buckets: 2 quoted, 4 expired, 2 cancelled, 2 accepted, 10 paid.
TRADEIN_BUCKETS = ["quoted"] * 2 + ["expired"] * 4 + ["cancelled"] * 2 + ["accepted"] * 2 + ["paid"] * 10

TRADEINS = f"""
WITH c AS {CONSUMERS},
prices AS (SELECT array_agg(id ORDER BY model_key) AS ids FROM tradein_prices WHERE org_id IS NULL AND active),
handlers AS (SELECT array_agg(id ORDER BY id) AS ids FROM organizations WHERE kind = 'recycler'
             AND NOT {is_history()}),
src AS (
  SELECT l.id AS lid, {h("l.id", "/ti")} AS r, (CAST(:buckets AS text[]))[1 + {h("l.id", "/ti-status")} % 20] AS status
  FROM listings l WHERE {h("l.id", "/has-ti")} % :every = 0),
q AS (
  SELECT src.*, {hid("src.lid::text || '/tradein'")} AS id, p.id AS price_id, p.category, p.kind, p.brand,
         p.model, p.base_price_fen, cmp.org_id AS campaign_org, cmp.campaign_bonus_fen,
         cmp.campaign_name, 6 + src.r % 54 AS age,
         CASE WHEN src.status = 'quoted' THEN :now - interval '1 hour' * (src.r % 96)
              ELSE :now - interval '1 day' * (8 + src.r % 170) END AS at
  FROM src CROSS JOIN prices
  JOIN tradein_prices p ON p.id = {_pick("prices.ids", "src.r")}
  LEFT JOIN LATERAL (SELECT e.org_id, e.campaign_bonus_fen, e.campaign_name FROM tradein_prices e
                     WHERE e.org_id IS NOT NULL AND e.active AND e.model_key = p.model_key AND src.r % 3 = 0
                     ORDER BY e.org_id LIMIT 1) cmp ON true),
v AS (
  SELECT q.*, (q.base_price_fen * greatest(30, 100 - q.age) / 100 / 100 * 100) AS value_fen,
         coalesce(q.campaign_bonus_fen, 0) AS bonus
  FROM q)
INSERT INTO tradeins (id, consumer_id, org_id, handler_org_id, status, category, kind, brand, model, age_months,
                      declared, price_entry_id, base_price_fen, bonus_fen, bonus_label, quoted_fen, quote_lines,
                      expires_at, accepted_at, handover_method, handover, payout_method, inspection, inspected_at,
                      final_fen, prepaid_fen, paid_fen, status_reason, created_at, updated_at)
SELECT v.id, {_pick("c.ids", "v.r")}, v.campaign_org,
       CASE WHEN v.status IN ('accepted', 'paid') THEN {_pick("h.ids", "v.r")} END,
       v.status, v.category, v.kind, v.brand, v.model, v.age,
       CASE v.category
         WHEN 'electronics' THEN json_build_object('powers_on', true, 'screen', 'flawless', 'body', 'flawless',
                                                   'battery_health_pct', 70 + v.r % 30, 'activation_lock_off', true)
         WHEN 'appliance' THEN json_build_object('works', 'fully', 'damage', 'none')
         ELSE json_build_object('mileage_km', 10000 + v.r % 150000, 'accident_history', 'none',
                                'emission_standard', 'china_6b') END,
       v.price_id, v.base_price_fen, v.bonus, v.campaign_name, v.value_fen + v.bonus,
       json_build_array(
         json_build_object('code', 'BASE', 'zh', '基准价', 'en', 'base price', 'factor', NULL,
                           'amount_fen', v.base_price_fen, 'running_fen', v.base_price_fen),
         json_build_object('code', 'AGE', 'zh', '使用年限', 'en', 'age', 'factor',
                           (greatest(30, 100 - v.age) / 100.0)::text, 'amount_fen', NULL, 'running_fen', v.value_fen),
         json_build_object('code', 'BONUS', 'zh', '商家补贴', 'en', 'campaign bonus', 'factor', NULL,
                           'amount_fen', v.bonus, 'running_fen', v.value_fen + v.bonus)),
       v.at + interval '7 days',
       CASE WHEN v.status IN ('accepted', 'paid') THEN v.at + interval '1 day' END,
       CASE WHEN v.status IN ('accepted', 'paid') THEN (ARRAY['pickup', 'dropoff'])[1 + v.r % 2] END,
       CASE WHEN v.status IN ('accepted', 'paid') THEN json_build_object('region_code', CAST(:city AS text)) END,
       CASE WHEN v.status IN ('accepted', 'paid') THEN 'cash' END,
       CASE WHEN v.status = 'paid' THEN json_build_object('matches_quote', true, 'grade', 'B') END,
       CASE WHEN v.status = 'paid' THEN v.at + interval '4 days' END,
       CASE WHEN v.status = 'paid' THEN v.value_fen + v.bonus END, 0,
       CASE WHEN v.status = 'paid' THEN v.value_fen + v.bonus ELSE 0 END,
       CASE v.status WHEN 'expired' THEN 'quote expired' WHEN 'cancelled' THEN 'cancelled by consumer' END,
       v.at, v.at + CASE v.status WHEN 'paid' THEN interval '5 days' WHEN 'expired' THEN interval '7 days'
                                  WHEN 'quoted' THEN interval '0' ELSE interval '1 day' END
FROM v CROSS JOIN c CROSS JOIN handlers h
ON CONFLICT (id) DO NOTHING
RETURNING id, status, created_at
"""

# The statuses each trade-in went through, one event per step, a day apart (the last at updated_at).
TRADEIN_EVENTS = f"""
INSERT INTO tradein_events (id, tradein_id, from_status, to_status, actor_id, note, at)
SELECT {hid("t.id::text || '/event:' || s.n")}, t.id, lag(s.status) OVER (PARTITION BY t.id ORDER BY s.n),
       s.status, CASE WHEN s.n = 1 THEN t.consumer_id END, NULL,
       least(t.created_at + interval '1 day' * (s.n - 1), t.updated_at)
FROM tradeins t
CROSS JOIN LATERAL json_array_elements_text(CAST(:paths AS json) -> t.status) WITH ORDINALITY AS s(status, n)
WHERE {is_history("t.id")} AND t.id = ANY(CAST(:ids AS uuid[]))
ON CONFLICT (id) DO NOTHING
"""

# Programmes of the demo's pools that pay for a kind, with their rate and cap (policy files).
PROGRAMMES = {"CN-2026-appliance": (["refrigerator", "washing_machine", "television", "air_conditioner",
                                     "water_heater"], 150000, "grade-1", "一级能效/水效", "grade 1"),
              "CN-2026-digital": (["mobile_phone", "tablet", "smartwatch"], 50000, "standard", "15%", "15%")}
# 20 buckets: 2 reserved, 2 released, 1 clawed back, 15 redeemed.
RESERVATION_BUCKETS = ["reserved"] * 2 + ["released"] * 2 + ["clawed_back"] + ["redeemed"] * 15

# The quote a till sale was reserved with, in the shape of POST /subsidies/quote (services/subsidies/
# sales.py QUOTE_FIELDS): the old item of the same kind handed in, as the programmes require.
QUOTE_REQUEST = """json_build_object(
         'region', {t}.region_code, 'date', {sold_on}::text, 'application_date', {sold_on}::text,
         'purchase', json_build_object('kind', {t}.kind, 'price_fen', {t}.price_fen, 'list_price_fen', {t}.price_fen,
                                       'discounts_fen', 0,
                                       'energy_grade', CASE WHEN CAST(:programme AS text) LIKE '%appliance' THEN 1 END,
                                       'water_grade', NULL),
         'trade_in', json_build_object('kind', {t}.kind, 'handed_in', true))"""

SALES = f"""
WITH retailers AS (
  SELECT array_agg(o.id ORDER BY o.id) AS orgs, array_agg(m.user_id ORDER BY o.id) AS owners
  FROM organizations o JOIN LATERAL (SELECT user_id FROM memberships WHERE org_id = o.id ORDER BY role, user_id
                                     LIMIT 1) m ON true
  WHERE o.kind = 'retailer'),
src AS (
  SELECT l.*, {h("l.id", "/sale")} AS r FROM listings l
  WHERE l.kind = ANY(CAST(:kinds AS text[])) AND l.price_fen <= :ceiling
    AND {h("l.id", "/has-sale")} % :every = 0),
pool AS (
  SELECT DISTINCT ON (src.id) src.id AS lid, p.id AS pool_id FROM src
  JOIN subsidy_pools p ON p.programme_id = :programme AND NOT p.closed AND src.region_code LIKE p.region_prefix || '%'
  ORDER BY src.id, length(p.region_prefix) DESC)
INSERT INTO subsidy_till_sales (id, org_id, created_by, invoice_no, sold_on, region_code, buyer_id_hash,
                                buyer_id_last4, kind, brand, model, price_fen, quote_request, created_at)
SELECT {hid("src.id::text || '/sale'")}, {_pick("retailers.orgs", "src.r")}, {_pick("retailers.owners", "src.r")},
       'BENCH-' || upper(substr(md5(src.id::text || '/invoice'), 1, 12)), :today - (src.r % 120),
       src.region_code, encode(sha256(convert_to(src.id::text || '/buyer', 'UTF8')), 'hex'),
       lpad((src.r % 10000)::text, 4, '0'), src.kind, coalesce(src.brand, ''), coalesce(src.model, ''),
       src.price_fen,
       {QUOTE_REQUEST.format(t="src", sold_on="(:today - (src.r % 120))")},
       (:today - (src.r % 120))::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '11 hours'
FROM src JOIN pool ON pool.lid = src.id CROSS JOIN retailers
WHERE array_length(retailers.orgs, 1) > 0
ON CONFLICT (id) DO NOTHING
RETURNING id
"""

RESERVATIONS = f"""
WITH s AS (
  SELECT t.*, {h("t.id", "/res")} AS r,
         (CAST(:buckets AS text[]))[1 + {h("t.id", "/res-status")} % 20] AS status,
         least(:cap, t.price_fen * 15 / 100) AS amount
  FROM subsidy_till_sales t WHERE t.id = ANY(CAST(:ids AS uuid[]))),
ins AS (
  INSERT INTO subsidy_reservations (id, source, order_id, sale_id, org_id, buyer_user_id, buyer_id_hash, buyer_id_last4,
                                    region_code, purchase_date, kind, status, total_fen, slot_consumed, evidence,
                                    quote_request, reserved_at, redeemed_at, released_at, clawed_back_at,
                                    clawback_reason)
  SELECT {hid("s.id::text || '/reservation'")}, 'till_sale', NULL, s.id, s.org_id, NULL, s.buyer_id_hash,
         s.buyer_id_last4, s.region_code, s.sold_on, s.kind, s.status, s.amount, s.status <> 'released',
         json_build_object('invoice_no', s.invoice_no, 'brand', s.brand, 'model', s.model, 'device_last4', NULL,
                           'recycler_name', NULL, 'recycling_voucher_no', NULL, 'old_device_last4', NULL,
                           'old_device_hash', NULL, 'wipe_certificate_id', NULL, 'channel', 'offline'),
         s.quote_request, s.created_at,
         CASE WHEN s.status IN ('redeemed', 'clawed_back') THEN s.created_at + interval '10 minutes' END,
         CASE WHEN s.status = 'released' THEN s.created_at + interval '2 hours' END,
         CASE WHEN s.status = 'clawed_back' THEN s.created_at + interval '6 days' END,
         CASE WHEN s.status = 'clawed_back' THEN 'item returned within 7 days' END
  FROM s
  ON CONFLICT (id) DO NOTHING
  RETURNING id, sale_id, status, total_fen, region_code)
INSERT INTO subsidy_applied (id, reservation_id, position, programme_id, programme_version, campaign_id, pool_id,
                             rule, code, scheme, basis_fen, amount_fen, explanation_zh, explanation_en, claim_id)
SELECT {hid("ins.id::text || '/line'")}, ins.id, 0, :programme, 1, NULL, pool.id, :rule,
       CASE WHEN ins.total_fen = :cap THEN 'RATE_CAPPED' ELSE 'RATE' END, NULL, t.price_fen, ins.total_fen,
       CAST(:name_zh AS text) || '（' || CAST(:label_zh AS text) || '）：按' || t.price_fen / 100 || '元的15%补贴' || ins.total_fen / 100 || '元',
       CAST(:programme AS text) || ' (' || CAST(:label_en AS text) || '): 15% of ¥' || t.price_fen / 100 || ' = ¥' || ins.total_fen / 100,
       NULL
FROM ins JOIN subsidy_till_sales t ON t.id = ins.sale_id
JOIN LATERAL (SELECT p.id FROM subsidy_pools p WHERE p.programme_id = :programme AND NOT p.closed
              AND ins.region_code LIKE p.region_prefix || '%' ORDER BY length(p.region_prefix) DESC LIMIT 1) pool ON true
RETURNING id, reservation_id
"""

# A pool holds what is reserved and what was redeemed (a claw-back or a release gives it back).
POOL_COUNTERS = """
UPDATE subsidy_pools p SET reserved_fen = p.reserved_fen + coalesce(d.reserved, 0),
                           redeemed_fen = p.redeemed_fen + coalesce(d.redeemed, 0),
                           updated_at = :now
FROM (SELECT a.pool_id, sum(a.amount_fen) FILTER (WHERE r.status = 'reserved') AS reserved,
             sum(a.amount_fen) FILTER (WHERE r.status = 'redeemed') AS redeemed
      FROM subsidy_applied a JOIN subsidy_reservations r ON r.id = a.reservation_id
      WHERE a.id = ANY(CAST(:lines AS uuid[])) GROUP BY a.pool_id) d
WHERE p.id = d.pool_id AND (d.reserved IS NOT NULL OR d.redeemed IS NOT NULL)
"""

# Redeemed lines not yet claimed, one claim per retailer, programme and month; older months further on.
CLAIMS = f"""
WITH lines AS (
  SELECT a.id, a.amount_fen, a.programme_id, r.org_id, date_trunc('month', r.purchase_date)::date AS month
  FROM subsidy_applied a JOIN subsidy_reservations r ON r.id = a.reservation_id
  WHERE {is_history("a.id")} AND a.claim_id IS NULL AND r.status = 'redeemed'),
g AS (
  SELECT org_id, programme_id, month, sum(amount_fen) AS total, count(*) AS n,
         {hid("org_id::text || programme_id || month::text || '/claim'")} AS id,
         (date_part('year', age(date_trunc('month', CAST(:today AS date)), month)) * 12
          + date_part('month', age(date_trunc('month', CAST(:today AS date)), month)))::int AS months_ago
  FROM lines GROUP BY org_id, programme_id, month),
upsert AS (
  INSERT INTO subsidy_claims (id, org_id, created_by, programme_id, period_start, period_end, status, total_fen,
                              items_count, submitted_at, decided_at, paid_at, created_at, updated_at)
  SELECT g.id, g.org_id,
         (SELECT user_id FROM memberships WHERE org_id = g.org_id ORDER BY role, user_id LIMIT 1),
         g.programme_id, g.month, (g.month + interval '1 month' - interval '1 day')::date,
         CASE WHEN g.months_ago = 0 THEN 'draft' WHEN g.months_ago = 1 THEN 'submitted'
              WHEN g.months_ago = 2 THEN 'approved' ELSE 'paid' END,
         g.total, g.n,
         CASE WHEN g.months_ago >= 1 THEN g.month + interval '1 month' + interval '3 days' END,
         CASE WHEN g.months_ago >= 2 THEN g.month + interval '1 month' + interval '20 days' END,
         CASE WHEN g.months_ago >= 3 THEN g.month + interval '2 months' + interval '5 days' END,
         least(g.month + interval '1 month', :now), :now
  FROM g
  ON CONFLICT (id) DO UPDATE SET total_fen = subsidy_claims.total_fen + excluded.total_fen,
                                 items_count = subsidy_claims.items_count + excluded.items_count
  RETURNING id)
UPDATE subsidy_applied a SET claim_id = {hid("l.org_id::text || l.programme_id || l.month::text || '/claim'")}
FROM lines l WHERE a.id = l.id AND EXISTS (SELECT 1 FROM upsert)
"""

RECYCLER_ORGS = f"""
INSERT INTO organizations (id, kind, name, licence_no, verification_status, verified_at, created_at, updated_at)
SELECT {hid("'recycler-org:' || i")}, 'recycler', '太原回收 ' || lpad(i::text, 4, '0') || ' Taiyuan Recycling (bench)',
       NULL, 'verified', :now, :now, :now
FROM generate_series(1, :n) AS i
ON CONFLICT (id) DO NOTHING
"""

RECYCLER_OFFERS = f"""
INSERT INTO pickup_recyclers (id, org_id, kinds, authorised_dismantler, dismantler_licence_no, depot_lat, depot_lon,
                              radius_km, working_hours, holidays, slot_minutes, slot_capacity, slot_volume_l,
                              slot_weight_kg, accepts_pool, active, created_at, updated_at)
SELECT {hid("'recycler:' || i")}, {hid("'recycler-org:' || i")},
       CASE WHEN i % 10 = 0 THEN '["appliance", "electronics", "other", "vehicle"]'::json
            ELSE '["appliance", "electronics", "other"]'::json END,
       i % 10 = 0, CASE WHEN i % 10 = 0 THEN 'BENCH-' || i END,
       37.70 + {h("i", "/lat")} % 25000 / 100000.0, 112.40 + {h("i", "/lon")} % 30000 / 100000.0,
       CASE WHEN i % 3 = 2 THEN 8 + {h("i", "/radius")} % 18 END,
       CAST(:hours AS json), '[]'::json, CASE WHEN {h("i", "/minutes")} % 2 = 0 THEN 60 ELSE 120 END,
       4 + {h("i", "/cap")} % 5, (ARRAY[2000, 3000, 4000])[1 + {h("i", "/vol")} % 3],
       (ARRAY[400, 600, 800])[1 + {h("i", "/kg")} % 3], true, true, :now, :now
FROM generate_series(1, :n) AS i
ON CONFLICT (id) DO NOTHING
"""

# A third city-wide, a third three counties each, a third only their radius around the depot.
RECYCLER_AREAS = f"""
INSERT INTO pickup_service_regions (recycler_id, region_code)
SELECT {hid("'recycler:' || i")}, CASE WHEN i % 3 = 0 THEN :city
                                       ELSE (CAST(:counties AS text[]))[1 + ({h("i", "/county")} + j) % :n_counties] END
FROM generate_series(1, :n) AS i CROSS JOIN generate_series(0, 2) AS j
WHERE i % 3 = 0 AND j = 0 OR i % 3 = 1
ON CONFLICT DO NOTHING
"""

# One candidate booking per 10 listings, on a slot of the recyclers' grid (08:00-12:00 and
# 13:00-18:00 local, `slot_minutes` long: services/pickups/schedule.local_day_slots), a day in the
# last 60 or the next 7; a candidate that would overfill its slot (count, litres or kilograms,
# counting what the slot already holds) is dropped.
BOOKING_CANDIDATES = f"""
CREATE TEMP TABLE history_bookings ON COMMIT DROP AS
WITH c AS {CONSUMERS},
src AS (
  SELECT l.id AS lid, {h("l.id", "/pk")} AS r, {h("l.id", "/pk-day")} % ({PAST_DAYS} + {FUTURE_DAYS}) - {PAST_DAYS} AS d,
         {hid("'recycler:' || (1 + " + h("l.id", "/pk-recycler") + " % :n)")} AS recycler_id
  FROM listings l WHERE {h("l.id", "/has-pk")} % :every = 0),
placed AS (
  SELECT src.*, {hid("src.lid::text || '/pickup'")} AS id, rc.slot_minutes AS m, rc.slot_capacity, rc.slot_volume_l,
         rc.slot_weight_kg, rc.depot_lat, rc.depot_lon, _pick_item.*,
         CASE WHEN src.d >= 0 THEN src.d + 1 ELSE src.d END AS day_offset,
         (src.r / 7) % (240 / rc.slot_minutes + 300 / rc.slot_minutes) AS k
  FROM src JOIN pickup_recyclers rc ON rc.id = src.recycler_id
  CROSS JOIN LATERAL (SELECT (ARRAY['refrigerator', 'washing_machine', 'television', 'mobile_phone'])[1 + src.r % 4] AS kind,
                             (ARRAY[450, 300, 120, 0])[1 + src.r % 4] AS volume_l,
                             (ARRAY[70, 65, 20, 0])[1 + src.r % 4] AS weight_kg) _pick_item
  WHERE NOT EXISTS (SELECT 1 FROM pickup_bookings b WHERE b.id = {hid("src.lid::text || '/pickup'")})),
timed AS (
  SELECT placed.*,
         ((CAST(:today AS date) + placed.day_offset)
          + CASE WHEN placed.k < 240 / placed.m THEN time '08:00' + interval '1 minute' * placed.m * placed.k
                 ELSE time '13:00' + interval '1 minute' * placed.m * (placed.k - 240 / placed.m) END)
           AT TIME ZONE 'Asia/Shanghai' AS starts_at,
         CASE WHEN placed.day_offset > 0 THEN 'confirmed'
              WHEN placed.r % 20 < 2 THEN 'cancelled' WHEN placed.r % 20 = 2 THEN 'failed'
              ELSE 'processed' END AS status
  FROM placed),
held AS (  -- the bookings that hold a share of their slot, in a fixed order, after what it holds already
  SELECT timed.*, s.id AS slot_row, coalesce(s.booked_count, 0) AS had_count,
         coalesce(s.booked_volume_l, 0) AS had_volume, coalesce(s.booked_weight_kg, 0) AS had_weight,
         row_number() OVER w AS n, sum(timed.volume_l) OVER w AS vol, sum(timed.weight_kg) OVER w AS kg
  FROM timed LEFT JOIN pickup_slots s ON s.recycler_id = timed.recycler_id AND s.starts_at = timed.starts_at
  WHERE timed.status <> 'cancelled'
  WINDOW w AS (PARTITION BY timed.recycler_id, timed.starts_at ORDER BY timed.id))
SELECT held.*, coalesce(held.slot_row, {hid("held.recycler_id::text || '/slot:' || held.starts_at::text")}) AS slot_id
FROM held
WHERE held.had_count + held.n <= held.slot_capacity AND held.had_volume + held.vol <= held.slot_volume_l
  AND held.had_weight + held.kg <= held.slot_weight_kg
UNION ALL
SELECT timed.*, NULL, 0, 0, 0, 0, 0, 0, NULL FROM timed WHERE timed.status = 'cancelled'
"""

SLOTS = """
INSERT INTO pickup_slots (id, recycler_id, starts_at, ends_at, capacity_count, booked_count, capacity_volume_l,
                          booked_volume_l, capacity_weight_kg, booked_weight_kg)
SELECT b.slot_id, b.recycler_id, b.starts_at, b.starts_at + interval '1 minute' * min(b.m), min(b.slot_capacity),
       count(*), min(b.slot_volume_l), sum(b.volume_l), min(b.slot_weight_kg), sum(b.weight_kg)
FROM history_bookings b WHERE b.slot_id IS NOT NULL
GROUP BY b.slot_id, b.recycler_id, b.starts_at
ON CONFLICT (recycler_id, starts_at) DO UPDATE
SET booked_count = pickup_slots.booked_count + excluded.booked_count,
    booked_volume_l = pickup_slots.booked_volume_l + excluded.booked_volume_l,
    booked_weight_kg = pickup_slots.booked_weight_kg + excluded.booked_weight_kg
"""

BOOKINGS = f"""
WITH c AS {CONSUMERS}
INSERT INTO pickup_bookings (id, consumer_id, booked_by_id, booked_by_org_id, source, order_id, trade_in_id, dispatch,
                             recycler_id, slot_id, starts_at, ends_at, region_code, lat, lon, address_line, status,
                             failure_reason, note, collector_id, volume_l, weight_kg, created_at, updated_at)
SELECT b.id, {_pick("c.ids", "b.r")}, {_pick("c.ids", "b.r")}, NULL, 'consumer', NULL, NULL, 'direct',
       b.recycler_id, b.slot_id, b.starts_at, b.starts_at + interval '1 minute' * b.m,
       (CAST(:counties AS text[]))[1 + b.r % :n_counties],
       b.depot_lat + (b.r % 1000 - 500) / 10000.0, b.depot_lon + (b.r / 1000 % 1000 - 500) / 10000.0,
       '', b.status, CASE WHEN b.status = 'failed' THEN 'consumer_no_show' END, NULL, NULL,
       b.volume_l, b.weight_kg, least(b.starts_at - interval '2 days', :now), least(b.starts_at, :now)
FROM history_bookings b CROSS JOIN c
ON CONFLICT (id) DO NOTHING
"""

ITEMS = f"""
INSERT INTO pickup_items (id, booking_id, position, category, kind, description, listing_id, volume_l, weight_kg)
SELECT {hid("b.id::text || '/item'")}, b.id, 0, CASE WHEN b.kind = 'mobile_phone' THEN 'electronics' ELSE 'appliance' END,
       b.kind, '', NULL, b.volume_l, b.weight_kg
FROM history_bookings b
ON CONFLICT (id) DO NOTHING
"""

# Final status -> the statuses a booking went through (services/pickups/lifecycle.py).
PICKUP_PATHS = {"confirmed": ["requested", "confirmed"],
                "cancelled": ["requested", "confirmed", "cancelled"],
                "failed": ["requested", "confirmed", "failed"],
                "processed": ["requested", "confirmed", "assigned", "en_route", "arrived", "collected",
                              "delivered_to_facility", "processed"]}

# Every history booking's status history (also for bookings an earlier run wrote without it).
STATUS_CHANGES = f"""
INSERT INTO pickup_status_changes (id, booking_id, from_status, to_status, actor_id, reason, at)
SELECT {hid("b.id::text || '/status:' || s.n")}, b.id, lag(s.status) OVER (PARTITION BY b.id ORDER BY s.n), s.status,
       CASE WHEN s.status IN ('requested', 'cancelled') THEN b.consumer_id END,
       CASE s.status WHEN 'failed' THEN b.failure_reason WHEN 'cancelled' THEN 'cancelled by consumer' END,
       CASE s.status WHEN 'requested' THEN b.created_at - interval '1 minute' WHEN 'confirmed' THEN b.created_at
            WHEN 'assigned' THEN b.starts_at - interval '12 hours' WHEN 'en_route' THEN b.starts_at
            WHEN 'arrived' THEN b.starts_at + interval '20 minutes' WHEN 'collected' THEN b.starts_at + interval '40 minutes'
            WHEN 'delivered_to_facility' THEN b.starts_at + interval '2 hours'
            WHEN 'processed' THEN b.starts_at + interval '4 hours'
            WHEN 'cancelled' THEN b.created_at + interval '1 day'
            WHEN 'failed' THEN b.starts_at + interval '30 minutes' END
FROM pickup_bookings b
CROSS JOIN LATERAL json_array_elements_text(CAST(:paths AS json) -> b.status) WITH ORDINALITY AS s(status, n)
WHERE {is_history("b.id")}
ON CONFLICT (id) DO NOTHING
"""


def _run(conn: Connection, sql: str, **params) -> int:
    return conn.execute(text(sql), params).rowcount


def _step(engine: Engine, report: dict, name: str, fn) -> None:
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        rows = fn(conn)
    report[name] = {**rows, "s": round(time.perf_counter() - start, 1)}
    print(json.dumps({"history": name, **report[name]}), flush=True)


def add_history(engine: Engine, *, now: datetime | None = None, fee_bps: int = 500, every: dict | None = None) -> dict:
    """Add the history above to the database of `engine`; returns rows added per table and seconds
    per step. Running it again adds nothing; it never writes listings, users or search documents."""
    now = now or datetime.now(timezone.utc)
    every = {**EVERY, **(every or {})}
    today = now.astimezone(SHANGHAI).date()
    report: dict = {}
    _step(engine, report, "photos", lambda c: {"listing_photos": _run(c, PHOTOS)})
    _step(engine, report, "orders", lambda c: {"orders": _run(c, ORDERS, now=now, fee_bps=fee_bps, every=every["order"])})

    def tradeins(c):
        rows = c.execute(text(TRADEINS), {"now": now, "buckets": TRADEIN_BUCKETS, "city": CITY,
                                       "every": every["tradein"]}).all()
        events = _run(c, TRADEIN_EVENTS, paths=json.dumps(TRADEIN_PATHS), ids=[r.id for r in rows]) if rows else 0
        return {"tradeins": len(rows), "tradein_events": events}
    _step(engine, report, "tradeins", tradeins)

    def subsidies(c):
        out = {"subsidy_till_sales": 0, "subsidy_reservations": 0, "subsidy_applied": 0}
        for programme, (kinds, cap, rule, label_zh, label_en) in PROGRAMMES.items():
            ids = [r.id for r in c.execute(text(SALES), {"kinds": kinds, "programme": programme, "today": today,
                                                        "ceiling": 600000 if cap == 50000 else 10**12,
                                                        "every": every["sale"]})]
            if not ids:
                continue
            lines = c.execute(text(RESERVATIONS), {
                "ids": ids, "buckets": RESERVATION_BUCKETS, "cap": cap, "programme": programme, "rule": rule,
                "label_zh": label_zh, "label_en": label_en,
                "name_zh": "2026年家电以旧换新(全国)" if "appliance" in programme else "2026年数码和智能产品购新补贴(全国)"}).all()
            _run(c, POOL_COUNTERS, now=now, lines=[r.id for r in lines])
            out["subsidy_till_sales"] += len(ids)
            out["subsidy_reservations"] += len({r.reservation_id for r in lines})
            out["subsidy_applied"] += len(lines)
        out["subsidy_applied_claimed"] = _run(c, CLAIMS, today=today, now=now)
        out["subsidy_claims_total"] = c.execute(text(f"SELECT count(*) FROM subsidy_claims WHERE {is_history()}")).scalar()
        return out
    _step(engine, report, "subsidies", subsidies)

    def recyclers(c):
        common = {"now": now, "n": RECYCLERS}
        return {"organizations": _run(c, RECYCLER_ORGS, **common),
                "pickup_recyclers": _run(c, RECYCLER_OFFERS, **common, hours=json.dumps(HOURS)),
                "pickup_service_regions": _run(c, RECYCLER_AREAS, **common, city=CITY, counties=COUNTIES,
                                               n_counties=len(COUNTIES))}
    _step(engine, report, "recyclers", recyclers)

    def pickups(c):
        _run(c, BOOKING_CANDIDATES, today=today, n=RECYCLERS, every=every["pickup"])
        slots = _run(c, SLOTS)
        return {"pickup_slots_touched": slots,
                "pickup_bookings": _run(c, BOOKINGS, now=now, counties=COUNTIES, n_counties=len(COUNTIES)),
                "pickup_items": _run(c, ITEMS),
                "pickup_status_changes": _run(c, STATUS_CHANGES, paths=json.dumps(PICKUP_PATHS))}
    _step(engine, report, "pickups", pickups)
    return report


def history_counts(engine: Engine) -> dict:
    """Rows written by this module, per table (for the benchmark's record)."""
    tables = ("listing_photos", "orders", "tradeins", "tradein_events", "subsidy_till_sales", "subsidy_reservations",
              "subsidy_applied", "subsidy_claims", "organizations", "pickup_recyclers", "pickup_slots",
              "pickup_bookings", "pickup_items", "pickup_status_changes")
    with engine.connect() as c:
        out = {t: c.execute(text(f"SELECT count(*) FROM {t} WHERE {is_history()}")).scalar() for t in tables}
        out["pickup_service_regions"] = c.execute(text(
            f"SELECT count(*) FROM pickup_service_regions WHERE {is_history('recycler_id')}")).scalar()
    return out

