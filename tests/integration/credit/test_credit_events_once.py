"""record_event_once on real PostgreSQL: one event per (subject, kind, ref), even when two
transactions record it at the same time."""
from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select, text

from services.credit.events import CreditEvent, record_event_once

KIND, REF = "wipe_certificate_refused", "certificate_report"


def _count(session, subject_id) -> int:
    return session.scalar(select(func.count()).select_from(CreditEvent)
                          .where(CreditEvent.subject_id == subject_id))


def test_the_same_ref_counts_once_other_refs_and_kinds_count(session):
    subject = uuid.uuid4()
    first = record_event_once(session, subject, KIND, ref_type=REF, ref_id="r1")
    assert record_event_once(session, subject, KIND, ref_type=REF, ref_id="r1").id == first.id
    record_event_once(session, subject, KIND, ref_type=REF, ref_id="r2")
    record_event_once(session, subject, "wipe_certificate_ok", ref_type="certificate", ref_id="r1")
    record_event_once(session, uuid.uuid4(), KIND, ref_type=REF, ref_id="r1")
    session.commit()
    assert _count(session, subject) == 3


def test_a_concurrent_retry_waits_for_the_first_and_finds_its_event(app, session):
    subject = uuid.uuid4()
    first = record_event_once(session, subject, KIND, ref_type=REF, ref_id="r1")
    session.flush()  # recorded, not committed: the other transaction cannot see the row yet
    other, found, failed = app.extensions["db"].factory(), {}, []

    def retry():
        try:
            other.execute(text("SET LOCAL lock_timeout = '20s'"))
            found["id"] = record_event_once(other, subject, KIND, ref_type=REF, ref_id="r1").id
            other.commit()
        except Exception as exc:  # surfaced by the assertion below
            failed.append(exc)
            other.rollback()
        finally:
            other.close()

    thread = threading.Thread(target=retry)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive(), "the retry should wait for the first transaction"
    session.commit()
    thread.join(20)
    assert not thread.is_alive() and not failed
    assert found["id"] == first.id
    assert _count(session, subject) == 1
