"""Penalties by hand: the due date, the arithmetic of ЖК РФ ст.155 ч.14 and the oldest-debt-first rule."""

import datetime as dt
from decimal import Decimal as D

from abonent.billing import penalties
from abonent.orgs.models import Organisation

RATES_2025 = [penalties.Rate(dt.date(2025, 1, 1), dt.date(2026, 12, 31), D("9.5"))]


def test_due_date_follows_the_law_change_of_march_2026():
    o = Organisation(timezone="Europe/Ulyanovsk", payment_due_day=15)
    assert penalties.due_date(o, dt.date(2026, 1, 1)) == dt.date(2026, 2, 10)
    assert penalties.due_date(o, dt.date(2026, 2, 1)) == dt.date(2026, 3, 15)
    assert penalties.due_date(o, dt.date(2026, 10, 1)) == dt.date(2026, 11, 15)


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
