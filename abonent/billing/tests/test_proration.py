"""Part of a month, computed by hand: a tariff changed mid-month, a service switched off mid-month, an account
opened or closed mid-month (charged for the days in force: days / days in the month, the volume split by days
at each tariff, rounded once per line), and sewerage recalculated with the water after a meter gap. On SQLite
the Python engine computes them; on PostgreSQL the SQL close does (and test_sql_close compares the two)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle, recalculations
from abonent.billing.models import BillingPeriod, Charge, Norm, Recalculation, Service
from abonent.metering.models import Reading, Resource
from abonent.testing import factories as f

from .test_close import reading, service

pytestmark = pytest.mark.django_db
M = Service.Method
JULY = dt.date(2026, 7, 1)  # 31 days
JUNE = dt.date(2026, 6, 1)


def lines(account, month):
    return {
        c.service.code: c for c in Charge.objects.filter(account=account, period__month=month).select_related("service")
    }


@pytest.fixture
def house():
    org = f.OrganisationFactory(multiplying_factor=D("1.50"))
    building = f.BuildingFactory(organisation=org)  # 3000 m² of premises, 600 m² common
    return org, building


def account_in(org, building, **kwargs):
    return f.PersonalAccountFactory(
        premises=f.PremisesFactory(building=building), organisation=org, **kwargs
    )  # 54.30 m², 2


def test_tariff_changed_mid_month_is_charged_by_days_at_each_tariff(house):
    # given upkeep at 20.00 ₽/m² until 14 July and 30.00 from 15 July, and cold water by meter at 45.00 then 48.10
    org, building = house
    account = account_in(org, building)
    upkeep = service(org, "upkeep", M.AREA)
    f.TariffFactory(service=upkeep, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 7, 14), price=D("20.00"))
    f.TariffFactory(service=upkeep, valid_from=dt.date(2026, 7, 15), valid_to=None, price=D("30.00"))
    cold = service(org, "cold", M.METER, resource=Resource.COLD_WATER, norm="4.85")
    f.TariffFactory(service=cold, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 7, 14), price=D("45.00"))
    f.TariffFactory(service=cold, valid_from=dt.date(2026, 7, 15), valid_to=None, price=D("48.10"))
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    reading(meter, JUNE, "100", Reading.Status.ACCEPTED)
    reading(meter, JULY, "112.4")

    cycle.period_close(organisation=org, month=JULY)

    got = lines(account, JULY)
    # 54.30 × (20.00 × 14 + 30.00 × 17) / 31 = 54.30 × 790 / 31 = 42 897 / 31 = 1 383.774… → 1 383.77
    # (the whole month at 30.00 would be 1 629.00); the line shows the tariff of the month's last day
    assert (got["upkeep"].volume, got["upkeep"].price, got["upkeep"].amount) == (D("54.3"), D("30"), D("1383.77"))
    # 12.4 m³ split by days: 12.4 × (45.00 × 14 + 48.10 × 17) / 31 = 12.4 × 1 447.70 / 31 = 17 951.48 / 31 = 579.08
    assert (got["cold"].volume, got["cold"].amount) == (D("12.4"), D("579.08"))


def test_service_switched_off_mid_month_is_charged_for_the_days_before(house):
    # given hot water without a meter (норматив 3.5 × 2 residents = 7 m³ a month, × 1.5), off from 20 July;
    # cold water by meter (6.5 m³), sewerage and the hot-water ОДН by норматив (0.011 m³/m² of common area)
    org, building = house
    account = account_in(org, building)
    hot = service(org, "hot", M.METER, "200.00", Resource.HOT_WATER, norm="3.5")
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    service(org, "sewer", M.SEWERAGE, "30.00", multiplying_factor_applies=False)
    service(org, "odn_hot", M.COMMON_HOUSE, "200.00", Resource.HOT_WATER, norm="0.011", basis=Norm.Basis.PER_M2)
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    reading(meter, JUNE, "112", Reading.Status.ACCEPTED)
    reading(meter, JULY, "118.5")
    f.AccountServiceOffFactory(account=account, service=hot, since=dt.date(2026, 7, 20), until=None, reason="")

    cycle.period_close(organisation=org, month=JULY)

    got = lines(account, JULY)
    # hot water for the 19 days 1–19 July: 7 × 19 / 31 = 4.2903225… → 4.290323 m³; × 1.5 = 6.4354845 → 6.435485;
    # 4.290323 × 1.5 × 200 = 1 287.0969 → 1 287.10, of which over the plain 4.290323 × 200 = 858.0646 → 858.06:
    # 429.04
    hot_line = got["hot"]
    assert (hot_line.basis, hot_line.volume, hot_line.amount, hot_line.factor_excess) == (
        "norm_factor",
        D("6.435485"),
        D("1287.10"),
        D("429.04"),
    )
    # sewerage = cold 6.5 + hot 4.290323 (before the factor) = 10.790323 × 30 = 323.70969 → 323.71
    assert (got["sewer"].volume, got["sewer"].amount) == (D("10.790323"), D("323.71"))
    # the hot-water ОДН for the same 19 days: 0.011 × 600 × 54.3 / 3000 = 0.11946 × 19 / 31 = 0.0732174… →
    # 0.073217 × 200 = 14.6434 → 14.64
    assert (got["odn_hot"].volume, got["odn_hot"].amount) == (D("0.073217"), D("14.64"))
    assert got["cold"].amount == D("294.26")  # 6.5 × 45.27 = 294.255, all month


def test_account_opened_mid_month_is_charged_from_its_first_day(house):
    # given an account opened on 15 July: 17 days of 31
    org, building = house
    account = account_in(org, building, opened_on=dt.date(2026, 7, 15))
    service(org, "upkeep", M.AREA, "28.45")
    service(org, "intercom", M.FIXED, "55.00")
    service(org, "heat", M.NORM, "2500.00", Resource.HEAT, norm="0.0205", basis=Norm.Basis.PER_M2)

    cycle.period_close(organisation=org, month=JULY)

    got = lines(account, JULY)
    # 54.30 × 28.45 × 17 / 31 = 26 262.195 / 31 = 847.1675… → 847.17 (the whole month: 1 544.84)
    assert (got["upkeep"].volume, got["upkeep"].amount) == (D("54.3"), D("847.17"))
    # 55.00 × 17 / 31 = 935 / 31 = 30.1612… → 30.16
    assert (got["intercom"].volume, got["intercom"].amount) == (D("1"), D("30.16"))
    # 0.0205 × 54.30 = 1.11315 Гкал × 17 / 31 = 0.6104370… → 0.610437 × 2500 = 1 526.0925 → 1 526.09
    assert (got["heat"].volume, got["heat"].amount) == (D("0.610437"), D("1526.09"))


def test_account_closed_mid_month_is_charged_to_its_last_day(house):
    # given an account closed on 10 July (its last day): 10 days of 31; cold water without a meter
    org, building = house
    account = account_in(org, building, closed_on=dt.date(2026, 7, 10))
    service(org, "upkeep", M.AREA, "28.45")
    service(org, "intercom", M.FIXED, "55.00")
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")

    cycle.period_close(organisation=org, month=JULY)

    got = lines(account, JULY)
    # 54.30 × 28.45 × 10 / 31 = 15 448.35 / 31 = 498.3338… → 498.33
    assert got["upkeep"].amount == D("498.33")
    # 55.00 × 10 / 31 = 17.7419… → 17.74
    assert got["intercom"].amount == D("17.74")
    # 4.85 × 2 = 9.7 m³ × 10 / 31 = 3.1290322… → 3.129032; × 1.5 = 4.693548 m³; 3.129032 × 1.5 × 45.27 =
    # 212.4769… → 212.48; plain 3.129032 × 45.27 = 141.6512… → 141.65; excess 70.83
    cold = got["cold"]
    assert (cold.volume, cold.amount, cold.factor_excess) == (D("4.693548"), D("212.48"), D("70.83"))


def gap_house(house):
    org, building = house
    account = account_in(org, building)
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    service(org, "sewer", M.SEWERAGE, "30.00", multiplying_factor_applies=False)
    meter = f.MeterFactory(
        premises=account.premises,
        resource=Resource.COLD_WATER,
        installed_on=dt.date(2025, 10, 1),
        sealed_on=dt.date(2025, 10, 1),
        initial_value=0,
    )
    return org, account, meter


def sewerage_over(account, months, service_code):
    """What a service billed over the months: the lines plus the recalculations of them (wherever booked)."""
    charged = sum(
        (
            c.volume
            for c in Charge.objects.filter(account=account, service__code=service_code, period__month__in=months)
        ),
        D(0),
    )
    recalculated = sum(
        (r.volume for r in Recalculation.objects.filter(account=account, service__code=service_code)), D(0)
    )
    return charged, recalculated


def test_sewerage_follows_the_water_after_a_meter_gap_estimated_too_high(house):
    # given a meter installed in October at 0 and read 62.1 in April: the average is 62.1 / 6 = 10.35 m³;
    # May and June have no reading (10.35 m³ each by the average), July is read at 92.1
    org, account, meter = gap_house(house)
    reading(meter, dt.date(2026, 4, 1), "62.1", Reading.Status.ACCEPTED)
    reading(meter, JULY, "92.1")
    months = [dt.date(2026, 5, 1), JUNE, JULY]
    for month in months:
        cycle.period_close(organisation=org, month=month)

    # then the 30 m³ of May–July are shared 10 each: July 10 m³, May and June −0.35 m³ each, for the water
    # (−0.35 × 45.27 = −15.8445 → −15.84) and for the sewerage (−0.35 × 30.00 = −10.50)
    july = Recalculation.objects.filter(account=account, period__month=JULY).order_by("corrected_period__month")
    assert [
        (r.service.code, r.volume, r.amount) for r in july.order_by("service__code", "corrected_period__month")
    ] == [
        ("cold", D("-0.35"), D("-15.84")),
        ("cold", D("-0.35"), D("-15.84")),
        ("sewer", D("-0.35"), D("-10.50")),
        ("sewer", D("-0.35"), D("-10.50")),
    ]
    assert all(r.reason for r in july)
    # sewerage billed 10.35 + 10.35 + 10 = 30.7 m³, recalculated −0.7: 30 m³, the water's 30 m³
    assert sewerage_over(account, months, "sewer") == (D("30.7"), D("-0.7"))
    assert sewerage_over(account, months, "cold") == (D("30.7"), D("-0.7"))


def test_sewerage_follows_the_water_after_a_gap_through_the_norm(house):
    # given a meter installed in October at 0 and read 15 in January: the average 15 / 3 = 5 m³; February–April
    # by the average (5 m³ each), May by the норматив (4.85 × 2 = 9.7 m³), June read at 25: 10 m³ over 5 months
    org, account, meter = gap_house(house)
    reading(meter, dt.date(2026, 1, 1), "15", Reading.Status.ACCEPTED)
    reading(meter, JUNE, "25")
    months = [dt.date(2026, m, 1) for m in (2, 3, 4, 5, 6)]
    for month in months:
        cycle.period_close(organisation=org, month=month)

    # then each month is 2 m³: June 2; February–April −3 m³ each (water −3 × 45.27 = −135.81, sewerage
    # −3 × 30.00 = −90.00), May −7.7 m³ (water −7.7 × 45.27 = −348.579 → −348.58, sewerage −231.00)
    june = Recalculation.objects.filter(account=account, period__month=JUNE)
    got = sorted((r.service.code, r.corrected_period.month.month, r.volume, r.amount) for r in june)
    assert got == [
        ("cold", 2, D("-3"), D("-135.81")),
        ("cold", 3, D("-3"), D("-135.81")),
        ("cold", 4, D("-3"), D("-135.81")),
        ("cold", 5, D("-7.7"), D("-348.58")),
        ("sewer", 2, D("-3"), D("-90.00")),
        ("sewer", 3, D("-3"), D("-90.00")),
        ("sewer", 4, D("-3"), D("-90.00")),
        ("sewer", 5, D("-7.7"), D("-231.00")),
    ]
    # sewerage billed 5 + 5 + 5 + 9.7 + 2 = 26.7 m³, recalculated −16.7: 10 m³, the water's 10 m³
    assert sewerage_over(account, months, "sewer") == (D("26.7"), D("-16.7"))
    assert sewerage_over(account, months, "cold") == (D("26.7"), D("-16.7"))


def test_operator_recalculation_of_water_takes_the_sewerage_with_it_at_the_month_tariffs(house):
    # given July charged with cold water at 45.00 until 14 July and 48.10 from 15 July, and sewerage at 30.00
    org, building = house
    account = account_in(org, building)
    cold = service(org, "cold", M.METER, resource=Resource.COLD_WATER, norm="4.85")
    f.TariffFactory(service=cold, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 7, 14), price=D("45.00"))
    f.TariffFactory(service=cold, valid_from=dt.date(2026, 7, 15), valid_to=None, price=D("48.10"))
    service(org, "sewer", M.SEWERAGE, "30.00", multiplying_factor_applies=False)
    july = cycle.period_close(organisation=org, month=JULY)
    august = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 8, 1))

    # when an operator takes 2 m³ of cold water off July
    water = recalculations.recalculation_create(
        account=account, corrected_period=july, service=cold, volume=D("-2"), reason="Утечка, акт №5", period=august
    )

    # then the water is valued by days: −2 × (45.00 × 14 + 48.10 × 17) / 31 = −2 × 1 447.70 / 31 = −93.4000 →
    # −93.40 (not −2 × 48.10 = −96.20), and the sewerage follows: −2 × 30.00 = −60.00, with its reason
    assert water.amount == D("-93.40")
    sewer = Recalculation.objects.get(account=account, service__code="sewer")
    assert (sewer.period, sewer.corrected_period, sewer.volume, sewer.amount) == (august, july, D("-2"), D("-60.00"))
    assert "Утечка, акт №5" in sewer.reason
