"""Slot grids in Beijing time from working hours, holidays and slot length."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.clock import SHANGHAI
from services.pickups.schedule import (Hours, is_slot_start, local_day_slots, parse_windows, slot_containing,
                                       slot_starts)

WEEKDAYS = {str(d): [["08:00", "12:00"], ["13:30", "17:30"]] for d in range(1, 6)}


def hours(**kw):
    return Hours.parse(kw.get("wh", WEEKDAYS), kw.get("holidays", []), kw.get("slot", 90))


def test_slots_fill_each_window_and_are_utc():
    monday = date(2026, 11, 30)
    slots = local_day_slots(hours(), monday)
    local = [s.astimezone(SHANGHAI).strftime("%H:%M") for s in slots]
    assert local == ["08:00", "09:30", "13:30", "15:00"]  # 11:00+90 min and 16:30+90 min do not fit
    assert all(s.tzinfo == timezone.utc for s in slots)
    assert slots[0] == datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)


def test_weekends_and_holidays_have_no_slots():
    assert local_day_slots(hours(), date(2026, 12, 5)) == []  # Saturday
    assert local_day_slots(hours(holidays=["2026-12-01"]), date(2026, 12, 1)) == []


def test_range_and_membership():
    start = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)
    got = slot_starts(hours(), start, start + timedelta(days=7))
    assert len(got) == 5 * 4 and got == sorted(got)
    assert is_slot_start(hours(), got[1]) and not is_slot_start(hours(), got[1] + timedelta(minutes=1))
    assert slot_containing(hours(), got[1] + timedelta(minutes=45)) == got[1]
    assert slot_containing(hours(), datetime(2026, 11, 30, 12, 15, tzinfo=SHANGHAI)) is None  # lunch


def test_a_slot_crossing_local_midnight_belongs_to_its_local_day():
    h = hours(wh={"1": [["00:00", "02:00"]]}, slot=60)
    # Monday 00:00 in Beijing is Sunday 16:00 UTC.
    sunday_utc = datetime(2026, 11, 29, 15, 0, tzinfo=timezone.utc)
    assert slot_starts(h, sunday_utc, sunday_utc + timedelta(hours=4)) == [
        datetime(2026, 11, 29, 16, 0, tzinfo=timezone.utc), datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc)]


@pytest.mark.parametrize("bad", [{"8": [["08:00", "09:00"]]}, {"1": [["10:00", "09:00"]]},
                                 {"1": [["08:00", "10:00"], ["09:00", "11:00"]]}])
def test_bad_working_hours_are_refused(bad):
    with pytest.raises(ValueError):
        parse_windows(bad)
