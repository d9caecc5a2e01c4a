"""The credit service on real PostgreSQL: events -> factors -> scores, history, overrides, batch."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from services import clock
from services.accounts.models import Role
from services.audit import AuditEntry
from services.credit import batch, honest, registry, service
from services.credit.events import record_event
from services.credit.models import CreditScore, CreditSubject
from services.credit.scorecard import Scorecard
from services.credit.synthetic import PARTICIPANT_CONFIG, dataset
from services.credit.training import fit_scorecard
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories.accounts import make_user


def _trades(session, subject_id, n, kind="order_completed_seller", **kw):
    for i in range(n):
        record_event(session, subject_id, kind, ref_type="order", ref_id=f"o{i}", **kw)


def _age(session, actor, days):
    actor.user.created_at = clock.now(session) - timedelta(days=days)
    session.commit()


def test_a_new_participant_is_a_thin_file_capped_at_fair(session, consumer):
    row = service.score_for(session, consumer.id)
    assert 350 <= row.score <= 950
    assert row.thin_file is True
    assert row.band in ("poor", "fair")
    assert row.scorecard_version == registry.DEFAULT_VERSION
    # Every card factor and every conduct factor (what each kind of negative record costs).
    assert set(row.factors) == {f.name for f in registry.active(session).features} | set(honest.CONDUCT_FACTORS)
    assert all(row.factors[f]["points"] == 0 for f in honest.CONDUCT_FACTORS)
    if registry.active(session).band_for(row.score).name not in ("poor", "fair"):
        assert row.reasons[0]["code"] == "THIN_FILE"


def test_recording_an_event_marks_the_score_stale_and_the_next_read_recomputes(session, consumer):
    _age(session, consumer, 400)
    first = service.score_for(session, consumer.id)
    assert service.score_for(session, consumer.id).id == first.id  # fresh: no new row
    _trades(session, consumer.id, 10)
    assert session.get(CreditSubject, consumer.id).stale is True
    second = service.score_for(session, consumer.id)
    assert second.id != first.id and second.trigger == "event"
    assert second.factors["trades_completed"]["value"] == 10
    assert session.get(CreditSubject, consumer.id).stale is False
    assert second.score > first.score


def test_history_is_append_only(session, consumer):
    row = service.score_for(session, consumer.id)
    session.commit()
    row.score = 900
    with pytest.raises(Conflict, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.get(CreditScore, row.id))
    with pytest.raises(Conflict):
        session.flush()
    session.rollback()


def test_history_is_append_only_in_the_database_too(session, consumer):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    service.score_for(session, consumer.id)
    session.commit()
    for stmt in ("UPDATE credit_scores SET score = 900", "DELETE FROM credit_scores"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(stmt))
        session.rollback()


def test_bad_records_cost_points_and_name_the_reason(session, consumer):
    _age(session, consumer, 400)
    _trades(session, consumer.id, 20)
    clean = service.score_for(session, consumer.id)
    for i in range(3):
        record_event(session, consumer.id, "chargeback", ref_type="payment", ref_id=f"p{i}")
        record_event(session, consumer.id, "payment_failed", ref_type="payment", ref_id=f"f{i}")
    hit = service.score_for(session, consumer.id)
    assert hit.score < clean.score
    codes = [r["code"] for r in hit.reasons]
    assert "CHARGEBACKS" in codes and "PAYMENT_FAILURES" in codes
    assert len(hit.reasons) <= 4
    assert all(r["en"] and r["zh"] for r in hit.reasons)


def test_negative_records_older_than_five_years_no_longer_count(session, consumer):
    _age(session, consumer, 3000)
    _trades(session, consumer.id, 20)
    old = clock.now(session) - timedelta(days=5 * 365 + 10)
    for i in range(3):
        record_event(session, consumer.id, "chargeback", ref_id=f"old{i}", occurred_at=old)
    row = service.score_for(session, consumer.id)
    assert row.factors["chargebacks"]["value"] == 0
    record_event(session, consumer.id, "chargeback", ref_id="recent", occurred_at=clock.now(session) - timedelta(days=30))
    assert service.score_for(session, consumer.id).factors["chargebacks"]["value"] == 1
    views = service.describe_records(session, list(session.scalars(service.records_query(service.subjects.resolve(session, consumer.id)))))
    assert sorted(v.status for v in views if v.kind == "chargeback") == ["counts", "expired", "expired", "expired"]


def test_one_lost_dispute_does_not_sink_a_small_seller(session, consumer):
    _age(session, consumer, 400)
    _trades(session, consumer.id, 4)
    record_event(session, consumer.id, "dispute_lost", ref_id="d1")
    assert service.score_for(session, consumer.id).factors["dispute_loss_rate"]["value"] == 0.0
    record_event(session, consumer.id, "dispute_lost", ref_id="d2")
    # From the second case, over at least 20 trades: 2 / 20, not 2 / 4.
    assert service.score_for(session, consumer.id).factors["dispute_loss_rate"]["value"] == pytest.approx(0.1)


def test_retailers_are_scored_as_their_organisation(session, retailer):
    row = service.score_for(session, retailer.id)  # a staff user's id resolves to the org
    assert row.subject_id == retailer.org_id
    assert service.score_for(session, retailer.org_id).id == row.id


def test_events_recorded_against_staff_count_for_their_organisation(session, retailer):
    first = service.score_for(session, retailer.id)
    _trades(session, retailer.id, 5)  # an order's seller is the staff user, not the org
    assert session.get(CreditSubject, retailer.org_id).stale is True
    row = service.score_for(session, retailer.org_id)
    assert row.id != first.id and row.factors["trades_completed"]["value"] == 5
    subject = service.subjects.resolve(session, retailer.org_id)
    assert len(list(session.scalars(service.records_query(subject)))) == 5
    assert batch.recompute_many(session, [retailer.org_id]) == 1
    assert service.latest(session, retailer.org_id).factors == row.factors


def test_unknown_participants_and_operators_have_no_score(session, operator):
    import uuid
    with pytest.raises(NotFound):
        service.score_for(session, uuid.uuid4())
    with pytest.raises(NotFound):
        service.score_for(session, operator.id)


def test_participants_see_only_their_own_score(session, consumer, other_consumer, operator):
    assert service.visible_subject(session, consumer.user, consumer.id).id == consumer.id
    assert service.visible_subject(session, operator.user, consumer.id).id == consumer.id
    with pytest.raises(Forbidden):
        service.visible_subject(session, other_consumer.user, consumer.id)


def test_score_override_needs_a_reason_is_audited_and_can_be_revoked(session, consumer, operator):
    base = service.score_for(session, consumer.id)
    with pytest.raises(ValidationFailed) as e:
        service.add_override(session, operator.user, consumer.id, kind="score", score=800, reason=" ")
    assert "reason" in e.value.fields
    o, row = service.add_override(session, operator.user, consumer.id, kind="score", score=800,
                                  reason="identity fraud victim, records under review")
    assert row.score == 800 and row.band == "excellent" and row.override_id == o.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "credit.override.score"))
    assert entry.actor_id == operator.id and entry.reason.startswith("identity fraud")
    # The override survives recomputation until revoked.
    record_event(session, consumer.id, "order_completed_buyer")
    assert service.score_for(session, consumer.id).score == 800
    _, after = service.revoke_override(session, operator.user, o.id, reason="review finished")
    assert after.override_id is None and after.score != 800
    assert after.score >= base.score  # one more completed trade than before the override
    with pytest.raises(Conflict):
        service.revoke_override(session, operator.user, o.id, reason="again please")


def test_voiding_a_record_removes_it_and_explanations_are_kept(session, consumer, other_consumer, operator):
    _age(session, consumer, 400)
    _trades(session, consumer.id, 20)
    evs = [record_event(session, consumer.id, "chargeback", ref_id=f"c{i}") for i in range(2)]
    session.flush()
    assert service.score_for(session, consumer.id).factors["chargebacks"]["value"] == 2
    view = service.explain(session, consumer.user, evs[0].id, "The bank reversed this by mistake.")
    assert view.explanation == "The bank reversed this by mistake." and view.counts
    with pytest.raises(Forbidden):
        service.explain(session, other_consumer.user, evs[0].id, "not mine")
    _, row = service.add_override(session, operator.user, consumer.id, kind="void_record",
                                  event_id=evs[0].id, reason="bank confirmed its error")
    assert row.factors["chargebacks"]["value"] == 1
    view = service.describe_records(session, [evs[0]])[0]
    assert view.status == "voided" and not view.counts and view.explanation


def test_batch_recompute_matches_the_one_subject_path(session, operator):
    actors = [make_user(session, Role.CONSUMER) for _ in range(6)]
    for n, a in enumerate(actors):
        _age(session, a, 30 + 200 * n)
        _trades(session, a.id, 3 * n)
        for i in range(n % 3):
            record_event(session, a.id, "pickup_no_show", ref_id=f"p{i}")
            record_event(session, a.id, "review_received", value=1 + n % 5)
    service.add_override(session, operator.user, actors[2].id, kind="score", score=420, reason="manual check")
    singles = {a.id: service.recompute(session, a.id) for a in actors}
    assert batch.recompute_many(session, [a.id for a in actors]) == len(actors)
    for a in actors:
        b = service.latest(session, a.id)
        assert b.trigger == "batch"
        s = singles[a.id]
        assert (b.score, b.band, b.reasons, b.factors, b.thin_file, b.override_id) == \
            (s.score, s.band, s.reasons, s.factors, s.thin_file, s.override_id)


def test_the_stale_job_rescores_subjects_with_new_events(session, consumer, other_consumer):
    service.score_for(session, consumer.id)
    service.score_for(session, other_consumer.id)
    record_event(session, consumer.id, "order_completed_buyer")
    assert service.recompute_stale(session) == 1
    assert service.latest(session, consumer.id).factors["trades_completed"]["value"] == 1


def test_privileges_follow_the_band(session, consumer):
    view = service.privileges_for(session, consumer.id)
    assert view.band in ("poor", "fair")
    assert view.privileges.tradein_prepayment is False
    assert view.privileges.manual_review_new_listings is True


def _candidate(session, version="cand-v2"):
    card = fit_scorecard(dataset(3000, seed=5), version, PARTICIPANT_CONFIG)
    return registry.register_candidate(session, card)


def test_a_candidate_scores_nobody_until_an_operator_promotes_it(session, consumer, operator):
    before = service.score_for(session, consumer.id)
    _candidate(session)
    assert service.score_for(session, consumer.id).id == before.id
    with pytest.raises(ValidationFailed):
        registry.promote(session, operator.id, "cand-v2", "")
    registry.promote(session, operator.id, "cand-v2", "better held-out AUC")
    assert session.get(CreditSubject, consumer.id).stale is True
    after = service.score_for(session, consumer.id)
    assert after.scorecard_version == "cand-v2" and after.trigger == "promotion"
    assert registry.get(session, registry.DEFAULT_VERSION).status == "retired"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "credit.scorecard.promote"))
    assert entry.before == {"active": registry.DEFAULT_VERSION} and entry.after == {"active": "cand-v2"}
    with pytest.raises(Conflict):
        registry.promote(session, operator.id, "cand-v2", "twice")
    with pytest.raises(NotFound):
        registry.promote(session, operator.id, "no-such-version", "whatever")


def test_the_shipped_default_card_is_valid_data():
    card = Scorecard.from_dict(registry.load_scorecard(registry.DEFAULT_VERSION).to_dict())
    assert card.version == registry.DEFAULT_VERSION
    assert all(f.coefficient > 0 for f in card.features)
    assert card.metadata["metrics"]["test"]["auc"] > 0.7


def test_a_file_bureau_feeds_the_bureau_factor_of_a_card_that_has_it(session, consumer, operator, tmp_path):
    import numpy as np

    from services.credit import bureau
    from services.credit.training import Dataset
    data = dataset(6000, seed=2)
    rng = np.random.default_rng(0)
    score = np.where(data.y == 1, rng.normal(520, 60, len(data)), rng.normal(680, 60, len(data))).round()
    cols = dict(data.columns, bureau_score=np.array([int(s) for s in score], dtype=object))
    registry.register_candidate(session, fit_scorecard(Dataset(cols, data.kinds, data.y), "bureau-v1", PARTICIPANT_CONFIG))
    registry.promote(session, operator.id, "bureau-v1", "adds the bureau factor")
    f = tmp_path / "bureau.csv"
    f.write_text(f"subject_id,score\n{consumer.id},430\n")
    # This session's app, but with the file bureau (an app with CREDIT_BUREAU_FILE set).
    app_deps = session.info["deps"]
    session.info["deps"] = dataclasses.replace(app_deps, bureau=bureau.build(str(f)))
    try:
        row = service.recompute(session, consumer.id)
        batch.recompute_many(session, [consumer.id])
    finally:
        session.info["deps"] = app_deps
    assert row.factors["bureau_score"]["value"] == 430
    assert service.latest(session, consumer.id).factors["bureau_score"] == row.factors["bureau_score"]
    assert service.recompute(session, consumer.id).factors["bureau_score"]["bin"] == "(missing)"
