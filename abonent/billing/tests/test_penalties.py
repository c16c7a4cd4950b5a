"""Penalties by hand: the due date, the arithmetic of ЖК РФ ст.155 ч.14 and the oldest-debt-first rule."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import penalties
from abonent.orgs.models import Organisation

RATES_2025 = [penalties.Rate(dt.date(2025, 1, 1), dt.date(2026, 12, 31), D("9.5"))]
MORATORIUM_2020 = [penalties.Rate(dt.date(2020, 4, 6), dt.date(2021, 1, 1), D("0"), moratorium=True)]


@pytest.mark.django_db
def test_due_date_follows_the_law_change_of_march_2026_and_moves_off_days_off():
    o = Organisation(timezone="Europe/Ulyanovsk", payment_due_day=15)
    assert penalties.due_date(o, dt.date(2026, 1, 1)) == dt.date(2026, 2, 10)  # a Tuesday
    # 15.03.2026 and 15.11.2026 are Sundays: the due date is the Monday after (ГК РФ ст.193).
    assert dt.date(2026, 3, 15).isoweekday() == dt.date(2026, 11, 15).isoweekday() == 7
    assert penalties.due_date(o, dt.date(2026, 2, 1)) == dt.date(2026, 3, 16)
    assert penalties.due_date(o, dt.date(2026, 10, 1)) == dt.date(2026, 11, 16)
    assert penalties.due_date(o, dt.date(2026, 3, 1)) == dt.date(2026, 4, 15)  # a Wednesday: as it is
    # 10.01.2025 was a Friday (the New Year holidays ended on 08.01): as it is. 10.05.2025 was a Saturday:
    # Monday 12.05.2025. 10.02.2024 was a Saturday: Monday 12.02.2024.
    assert penalties.due_date(o, dt.date(2024, 12, 1)) == dt.date(2025, 1, 10)
    assert penalties.due_date(o, dt.date(2025, 4, 1)) == dt.date(2025, 5, 12)
    assert penalties.due_date(o, dt.date(2024, 1, 1)) == dt.date(2024, 2, 12)
    # Holidays too: due on the 5th, December 2026 falls due on 05.01.2027, inside the New Year holidays
    # (01–08.01.2027), then 09–10.01 is a weekend: Monday 11.01.2027.
    late = Organisation(timezone="Europe/Moscow", payment_due_day=5)
    assert penalties.due_date(late, dt.date(2026, 12, 1)) == dt.date(2027, 1, 11)


def test_mandated_cases_at_9_5_percent_the_payment_day_counted_the_due_date_as_given():
    rates = [penalties.Rate(dt.date(2025, 1, 1), dt.date(2027, 12, 31), D("9.5"))]  # a 2027 rate in the table
    # 1 000,00 due 10.02.2025 paid 20.05.2025: 99 days; 60 × 1000 × 0,095/300 = 19,00 + 9 × 1000 × 0,095/130 = 6,58
    assert penalties.penalty_amount(D("1000.00"), dt.date(2025, 2, 10), dt.date(2025, 5, 20), rates) == D("25.58")
    # 3 195,03 due 15.11.2026 paid 01.03.2027: 106 days; 60 × 3195,03 × 0,095/300 = 60,7056
    # + 16 × 3195,03 × 0,095/130 = 37,3569 → 98,06
    assert penalties.penalty_amount(D("3195.03"), dt.date(2026, 11, 15), dt.date(2027, 3, 1), rates) == D("98.06")
    # 5 589,37 due 15.04.2026 paid 23.11.2026: 222 days; 60 × 5589,37 × 0,095/300 = 106,1980
    # + 132 × 5589,37 × 0,095/130 = 539,1612 → 645,36
    assert penalties.penalty_amount(D("5589.37"), dt.date(2026, 4, 15), dt.date(2026, 11, 23), rates) == D("645.36")
    # 1 232,41 due 15.10.2026: paid 14.11.2026 is day 30 → 0; paid 15.11.2026 is day 31: 1232,41 × 0,095/300 = 0,39
    assert penalties.penalty_amount(D("1232.41"), dt.date(2026, 10, 15), dt.date(2026, 11, 14), rates) == D("0.00")
    assert penalties.penalty_amount(D("1232.41"), dt.date(2026, 10, 15), dt.date(2026, 11, 15), rates) == D("0.39")


def test_every_day_at_the_rate_in_force_on_the_payment_day():
    # 9,5 % until 30.04.2025, 7,5 % from 01.05.2025 (a table made for the test).
    rates = [
        penalties.Rate(dt.date(2025, 1, 1), dt.date(2025, 4, 30), D("9.5")),
        penalties.Rate(dt.date(2025, 5, 1), dt.date(2025, 12, 31), D("7.5")),
    ]
    # 1 000 due 10.02.2025 paid 20.05.2025 (99 days, days 31–90 from 13.03 to 11.05 cross the change): all at
    # 7,5 %, the rate of 20.05: 60 × 1000 × 0,075/300 = 15,00 + 9 × 1000 × 0,075/130 = 5,1923 → 20,19.
    # (Day by day it was 49 × 0,3167 + 11 × 0,25 + 5,1923 = 23,46.)
    assert penalties.penalty_amount(D("1000"), dt.date(2025, 2, 10), dt.date(2025, 5, 20), rates) == D("20.19")
    # Paid 30.04.2025 (79 days) instead: all at 9,5 %: 49 × 1000 × 0,095/300 = 15,5167 → 15,52.
    assert penalties.penalty_amount(D("1000"), dt.date(2025, 2, 10), dt.date(2025, 4, 30), rates) == D("15.52")
    # Still unpaid on 31.05.2025, the day of calculation (110 days): at 7,5 %:
    # 60 × 0,25 = 15,00 + 20 × 1000 × 0,075/130 = 11,5385 → 26,54.
    debts = [penalties.Debt("jan", dt.date(2025, 2, 10), D("1000"))]
    total, _ = penalties.penalties_accrued(debts, [], dt.date(2025, 5, 31), rates)
    assert total == D("26.54")


def test_moratorium_days_accrue_nothing_and_the_others_the_payment_day_rate():
    rates = [
        penalties.Rate(dt.date(2025, 1, 1), dt.date(2025, 3, 31), D("9.5")),
        penalties.Rate(dt.date(2025, 4, 1), dt.date(2025, 4, 30), D("0"), moratorium=True),
        penalties.Rate(dt.date(2025, 5, 1), dt.date(2025, 12, 31), D("7.5")),
    ]
    # 1 000 due 10.02.2025 paid 20.05.2025: day 31 = 13.03; days 31–90 are 13.03–11.05 (60) less the 30 April
    # days = 30; days 91–99 (12.05–20.05) = 9; at 7,5 %: 30 × 0,25 = 7,50 + 9 × 0,576923 = 5,1923 → 12,69.
    assert penalties.penalty_amount(D("1000"), dt.date(2025, 2, 10), dt.date(2025, 5, 20), rates) == D("12.69")


def test_a_missing_rate_is_an_error_naming_the_day_never_a_zero():
    # 3 195,03 due 15.11.2026 paid 01.03.2027 with the table ending on 31.12.2026: no rate for 01.03.2027.
    with pytest.raises(penalties.MissingRate) as caught:
        penalties.penalty_amount(D("3195.03"), dt.date(2026, 11, 15), dt.date(2027, 3, 1), RATES_2025)
    assert caught.value.days == {dt.date(2027, 3, 1)}
    assert str(caught.value) == "Нет ставки для пеней на 01.03.2027."
    # Within the free 30 days no rate is needed at all.
    assert penalties.penalty_amount(D("100"), dt.date(2026, 12, 15), dt.date(2027, 1, 14), RATES_2025) == 0
    # A payment inside a moratorium whose rate is not known (zero) cannot price the days before it.
    rates = [penalties.Rate(dt.date(2020, 1, 1), dt.date(2020, 4, 5), D("6")), *MORATORIUM_2020]
    with pytest.raises(penalties.MissingRate):
        penalties.penalty_amount(D("1000"), dt.date(2020, 1, 10), dt.date(2020, 6, 1), rates)


def test_penalty_worked_example_from_rules():
    assert penalties.penalty_amount(D("1000"), dt.date(2025, 2, 10), dt.date(2025, 5, 20), RATES_2025) == D("25.58")


def test_no_penalty_within_thirty_days_and_only_rate_300_until_ninety():
    assert penalties.penalty_amount(D("1000"), dt.date(2025, 2, 10), dt.date(2025, 3, 12), RATES_2025) == 0  # day 30
    # day 31 only: 1000 × 0.095 / 300 = 0.3167
    assert penalties.penalty_amount(D("1000"), dt.date(2025, 2, 10), dt.date(2025, 3, 13), RATES_2025) == D("0.32")


def test_moratorium_days_accrue_nothing():
    rates = [
        penalties.Rate(dt.date(2020, 4, 6), dt.date(2021, 1, 1), D("0"), moratorium=True),
    ]
    assert penalties.penalty_amount(D("1000"), dt.date(2020, 3, 10), dt.date(2020, 12, 31), rates) == 0


def test_payments_settle_the_oldest_debt_first():
    debts = [
        penalties.Debt("feb", dt.date(2025, 3, 10), D("300")),
        penalties.Debt("jan", dt.date(2025, 2, 10), D("1000")),
    ]
    parts = penalties.allocate_payment(debts, [(dt.date(2025, 3, 1), D("1100"))])
    assert parts == [
        penalties.Settlement("jan", dt.date(2025, 2, 10), D("1000"), dt.date(2025, 3, 1)),
        penalties.Settlement("feb", dt.date(2025, 3, 10), D("100"), dt.date(2025, 3, 1)),
        penalties.Settlement("feb", dt.date(2025, 3, 10), D("200"), None),
    ]


def test_penalties_accrued_uses_payment_day_or_as_of():
    debts = [penalties.Debt("jan", dt.date(2025, 2, 10), D("1000"))]
    total, lines = penalties.penalties_accrued(
        debts, [(dt.date(2025, 5, 20), D("1000"))], dt.date(2025, 5, 31), RATES_2025
    )
    assert total == D("25.58")
    assert len(lines) == 1
    # not paid by 31.03.2025 (day 49): 19 days × 1000 × 0.095 / 300 = 6.0167
    total, _ = penalties.penalties_accrued(debts, [(dt.date(2025, 5, 20), D("1000"))], dt.date(2025, 3, 31), RATES_2025)
    assert total == D("6.02")
