"""Chinese working days (holidays and 调休 swaps) for reporting deadlines. Pure.

Deadlines in the battery traceability rules count 工作日: a weekend swapped into a working day
counts, a weekday holiday does not. The calendar is data (data/cn_workdays.json, with its source);
a year it does not list falls back to Monday-Friday.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

_FILE = Path(__file__).with_name("data") / "cn_workdays.json"


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    raw = json.loads(_FILE.read_text(encoding="utf-8"))["years"]
    holidays = frozenset(date.fromisoformat(d) for y in raw.values() for d in y["holidays"])
    working = frozenset(date.fromisoformat(d) for y in raw.values() for d in y["working_weekends"])
    return holidays, working, frozenset(int(y) for y in raw)


def is_working_day(day: date) -> bool:
    holidays, working, _ = _calendar()
    if day in working:
        return True
    return day.weekday() < 5 and day not in holidays


def covers(day: date) -> bool:
    """Whether the calendar has the official holiday table for `day`'s year."""
    return day.year in _calendar()[2]


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the event's own day does not count)."""
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
