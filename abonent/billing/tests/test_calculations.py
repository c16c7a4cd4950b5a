"""The pure arithmetic, checked against figures computed by hand (no database)."""

import datetime as dt
from decimal import Decimal as D

from abonent.billing import calculations as calc


def test_round_money_is_half_up():
    assert calc.round_money(D("2.345")) == D("2.35")
    assert calc.round_money(D("2.344999")) == D("2.34")
    assert calc.round_money(D("-2.345")) == D("-2.35")


def test_metered_volume_plain_and_through_zero():
    assert calc.metered_volume(D("120.500"), D("127.250"), D("100000")) == D("6.750")
    # 99 998.000 → 00 003.500 on a 5-digit counter: 2 + 3.5
    assert calc.metered_volume(D("99998.000"), D("3.500"), D("100000")) == D("5.500")


def test_average_over_six_months():
    readings = [(dt.date(2026, m, 1), D(v)) for m, v in [(1, 10), (2, 16), (3, 21), (4, 30), (5, 34), (6, 40), (7, 46)]]
    # The window reaches 6 months back from July: January (10) → July (46) is 36 m³ over 6 months.
    assert calc.average_monthly_volume(readings, D("100000")) == D("6")


def test_average_needs_three_months():
    two = [(dt.date(2026, 5, 1), D("10")), (dt.date(2026, 7, 1), D("18"))]
    assert calc.average_monthly_volume(two, D("100000")) is None
    three = [(dt.date(2026, 4, 1), D("10")), (dt.date(2026, 7, 1), D("19"))]
    assert calc.average_monthly_volume(three, D("100000")) == D("3")


def test_average_unwinds_rollover():
    readings = [(dt.date(2026, 1, 1), D("998")), (dt.date(2026, 2, 1), D("999")), (dt.date(2026, 4, 1), D("5"))]
    # 1 + (5 + 1000 - 999) = 7 over 3 months
    assert calc.average_monthly_volume(readings, D("1000")) == D("2.333333")


def test_estimate_is_average_for_three_periods_then_norm():
    avg, norm = D("5.5"), D("9.7")
    kinds = [calc.estimated_volume(periods_without_reading=n, average=avg, norm_volume=norm) for n in (1, 2, 3, 4)]
    assert [(k.basis, k.volume) for k in kinds] == [
        ("average", avg),
        ("average", avg),
        ("average", avg),
        ("norm", norm),
    ]
    assert calc.estimated_volume(periods_without_reading=1, average=None, norm_volume=norm).basis == "norm"


def test_norm_with_factor_shows_the_excess():
    # 4.85 m³ × 2 residents × 1.5 = 14.55 m³ × 45.27 = 658.6785 → 658.68; without factor 9.7 × 45.27 = 439.119 → 439.12
    line = calc.charge_line(calc.norm_volume(D("4.85"), D("2")), D("45.27"), D("1.50"))
    assert line.volume == D("14.55")
    assert line.amount == D("658.68")
    assert line.factor_excess == D("219.56")


def test_area_and_fixed():
    assert calc.charge_line(D("54.30"), D("28.4500")).amount == D("1544.84")  # 1544.835 → half up
    assert calc.charge_line(D("1"), D("120.0000")).amount == D("120.00")


def test_factor_applies_only_without_meter_and_where_allowed():
    assert calc.factor_applies(service_allows=True, has_meter=False)
    assert not calc.factor_applies(service_allows=True, has_meter=True)
    assert not calc.factor_applies(service_allows=False, has_meter=False)


def test_sewerage_is_cold_plus_hot():
    assert calc.sewerage_volume(D("6.75"), D("3.2")) == D("9.95")


def test_common_house_by_norm():
    # 0.03 m³/m² × 600 m² × 54.3 / 3000 = 0.3258
    assert calc.common_house_by_norm(D("0.03"), D("600"), D("54.3"), D("3000")) == D("0.325800")


def test_common_house_by_meter_shared_and_capped():
    share = calc.common_house_by_meter(
        house_volume=D("1000"), individual_total=D("940"), premises_area=D("54.3"), total_area=D("3000"), cap=None
    )
    assert share == D("1.086000")  # 60 × 54.3 / 3000
    capped = calc.common_house_by_meter(
        house_volume=D("1000"),
        individual_total=D("940"),
        premises_area=D("54.3"),
        total_area=D("3000"),
        cap=D("0.3258"),
    )
    assert capped == D("0.3258")
    negative = calc.common_house_by_meter(
        house_volume=D("900"), individual_total=D("940"), premises_area=D("54.3"), total_area=D("3000"), cap=None
    )
    assert negative == 0


def test_split_gap_adds_up():
    assert calc.split_gap(D("10"), 3) == [D("3.333333"), D("3.333333"), D("3.333334")]


def test_closing_balance_identity():
    assert calc.closing_balance(D("100"), D("50"), D("-5"), D("1"), D("200")) == D("-54")
