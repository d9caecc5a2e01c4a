"""Working days for the traceability deadlines: holidays do not count, 调休 weekends do."""
from datetime import date

from services.batteries import workdays
from services.batteries.custody import working_days_left


def test_spring_festival_2026_and_its_swapped_saturdays():
    assert workdays.is_working_day(date(2026, 2, 14))        # Saturday worked before 春节
    assert not workdays.is_working_day(date(2026, 2, 16))    # Monday inside the holiday
    assert workdays.is_working_day(date(2026, 2, 28))        # Saturday worked after it
    # Friday 2026-02-13 + 3 working days: Sat 14 (swap), then 24, 25 (holiday 15-23).
    assert workdays.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)


def test_an_ordinary_fortnight_and_a_year_without_a_table():
    assert workdays.add_working_days(date(2026, 3, 2), 15) == date(2026, 3, 23)
    assert not workdays.covers(date(2030, 1, 1))
    assert workdays.add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)   # Mon-Fri fallback


def test_working_days_left_counts_down_and_goes_negative():
    due = date(2026, 10, 22)
    assert working_days_left(due, date(2026, 10, 22)) == 0
    assert working_days_left(due, date(2026, 10, 20)) == 2
    assert working_days_left(due, date(2026, 10, 26)) == -2   # Fri 23 and Mon 26
