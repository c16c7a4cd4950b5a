"""The monthly close on a real database: charges by every method computed by hand, the estimation limit,
recalculation by a late real reading, penalties, idempotency and the immutability of published periods."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle, errors, ledger, recalculations
from abonent.billing.models import (
    AccountBalance,
    BillingPeriod,
    Charge,
    LedgerEntry,
    Norm,
    Penalty,
    Recalculation,
    Service,
)
from abonent.metering.errors import ReadingError
from abonent.metering.models import Reading, Resource
from abonent.metering.submit import reading_submit
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
M = Service.Method


def service(org, code, method, price=None, resource="", norm=None, basis=Norm.Basis.PER_RESIDENT, **kwargs):
    svc = f.ServiceFactory(organisation=org, code=code, name=code, method=method, resource=resource, **kwargs)
    if price is not None:
        f.TariffFactory(service=svc, valid_from=dt.date(2025, 1, 1), valid_to=None, price=D(price))
    if norm is not None:
        f.NormFactory(service=svc, value=D(norm), basis=basis)
    return svc


def reading(meter, month, value, status=Reading.Status.PENDING):
    return Reading.objects.create(
        meter=meter,
        period=month,
        value=D(value),
        submitted_at=dt.datetime(month.year, month.month, 20, 12, tzinfo=dt.UTC),
        channel=Reading.Channel.PORTAL,
        status=status,
    )


def close(org, month, step=None):
    return cycle.period_close(organisation=org, month=month, step=step)


def lines(account, month):
    return {
        (c.service.code, c.basis): c
        for c in Charge.objects.filter(account=account, period__month=month).select_related("service")
    }


@pytest.fixture
def house():
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)  # 3000 m² of premises, 600 m² common
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)  # 54.30, 2
    return org, building, account


def test_every_method_by_hand(house):
    org, building, account = house
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    service(org, "hot", M.METER, "200.00", Resource.HOT_WATER, norm="3.5")
    service(org, "sewer", M.SEWERAGE, "30.00", multiplying_factor_applies=False)
    service(org, "upkeep", M.AREA, "28.45")
    service(org, "intercom", M.FIXED, "55.00")
    service(org, "heat", M.NORM, "2500.00", Resource.HEAT, norm="0.0205", basis=Norm.Basis.PER_M2)
    service(org, "cold_common", M.COMMON_HOUSE, "45.27", Resource.COLD_WATER, norm="0.03", basis=Norm.Basis.PER_M2)
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    april = dt.date(2026, 4, 1)
    reading(meter, dt.date(2026, 3, 1), "112", Reading.Status.ACCEPTED)
    current = reading(meter, april, "118.5")

    period = close(org, april)

    assert period.state == BillingPeriod.State.PUBLISHED
    current.refresh_from_db()
    assert current.status == Reading.Status.ACCEPTED
    got = lines(account, april)
    cold = got[("cold", "meter")]
    assert (cold.previous_value, cold.current_value, cold.volume, cold.amount) == (
        D("112"),
        D("118.5"),
        D("6.5"),
        D("294.26"),
    )  # 294.255
    hot = got[("hot", "norm_factor")]  # no meter: 3.5 × 2 × 1.5 = 10.5 m³
    assert (hot.volume, hot.amount, hot.factor_excess, hot.factor) == (D("10.5"), D("2100.00"), D("700.00"), D("1.50"))
    sewer = got[("sewer", "norm")]  # 6.5 + 7 (the factor is not for sewerage) = 13.5 × 30
    assert (sewer.volume, sewer.amount) == (D("13.5"), D("405.00"))
    assert got[("upkeep", "area")].amount == D("1544.84")  # 54.30 × 28.45 = 1544.835
    assert got[("intercom", "fixed")].amount == D("55.00")
    heat = got[("heat", "norm")]  # 0.0205 × 54.30 = 1.11315 Гкал × 2500 = 2782.875
    assert (heat.volume, heat.amount) == (D("1.11315"), D("2782.88"))
    common = got[("cold_common", "common_house")]  # 0.03 × 600 × 54.3 / 3000 = 0.3258 × 45.27 = 14.748966
    assert (common.volume, common.amount, common.house_volume) == (D("0.3258"), D("14.75"), D("18"))
    balance = AccountBalance.objects.get(account=account, period=period)
    total = D("294.26") + D("2100.00") + D("405.00") + D("1544.84") + D("55.00") + D("2782.88") + D("14.75")
    assert (balance.opening, balance.charged, balance.paid, balance.closing) == (0, total, 0, total)
    assert LedgerEntry.objects.get(account=account, kind="charge").amount == total


def test_common_house_by_house_meter_capped_or_not(house):
    org, building, account = house
    neighbour = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    capped = service(org, "odn", M.COMMON_HOUSE, "45.27", Resource.COLD_WATER, norm="0.03", basis=Norm.Basis.PER_M2)
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    house_meter = f.MeterFactory(premises=None, building=building, resource=Resource.COLD_WATER)
    april = dt.date(2026, 4, 1)
    reading(meter, dt.date(2026, 3, 1), "100", Reading.Status.ACCEPTED)
    reading(meter, april, "106")
    reading(house_meter, dt.date(2026, 3, 1), "5000", Reading.Status.ACCEPTED)
    reading(house_meter, april, "5040")
    close(org, april, "close_readings")
    close(org, april, "calculate")
    # house 40 − (6 by meter + 9.7 by норматив without its factor) = 24.3; 24.3 × 54.3 / 3000 = 0.43983 > 0.3258
    line = lines(account, april)[("odn", "common_house")]
    assert (line.volume, line.amount, line.house_volume) == (D("0.3258"), D("14.75"), D("24.3"))
    assert lines(neighbour, april)[("odn", "common_house")].volume == D("0.3258")

    capped.common_house_capped = False
    capped.save()
    close(org, april, "calculate")
    line = lines(account, april)[("odn", "common_house")]
    assert (line.volume, line.amount) == (D("0.43983"), D("19.91"))  # 19.9110...


def test_average_for_three_periods_then_norm_then_recalculation_by_the_real_reading(house):
    org, building, account = house
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    for month, value in [(1, "100"), (2, "106"), (3, "112"), (4, "118")]:
        reading(meter, dt.date(2026, month, 1), value)
        close(org, dt.date(2026, month, 1))
    for month in (5, 6, 7, 8):  # no readings
        close(org, dt.date(2026, month, 1))
    got = [lines(account, dt.date(2026, m, 1)) for m in (5, 6, 7, 8)]
    # the average of January–April: 18 m³ over 3 months = 6 m³ × 45.27 = 271.62; then 4.85 × 2 = 9.7 × 45.27
    assert [next(iter(g)) for g in got] == [("cold", "average")] * 3 + [("cold", "norm")]
    assert [next(iter(g.values())).amount for g in got] == [D("271.62")] * 3 + [D("439.12")]

    reading(meter, dt.date(2026, 9, 1), "150")
    close(org, dt.date(2026, 9, 1))
    # 150 − 118 = 32 m³ over May–September: 6.4 a month; September is charged 6.4 × 45.27 = 289.728
    september = lines(account, dt.date(2026, 9, 1))[("cold", "meter")]
    assert (september.volume, september.amount) == (D("6.4"), D("289.73"))
    recalcs = Recalculation.objects.filter(account=account, period__month=dt.date(2026, 9, 1)).order_by(
        "corrected_period__month"
    )
    # May–July: +0.4 × 45.27 = 18.108; August: 6.4 − 9.7 = −3.3 × 45.27 = −149.391
    assert [(r.corrected_period.month.month, r.volume, r.amount) for r in recalcs] == [
        (5, D("0.4"), D("18.11")),
        (6, D("0.4"), D("18.11")),
        (7, D("0.4"), D("18.11")),
        (8, D("-3.3"), D("-149.39")),
    ]
    assert "начислено 6,000 м³ (по среднемесячному объёму), по показаниям 6,400 м³" in recalcs[0].reason
    balance = AccountBalance.objects.get(account=account, period__month=dt.date(2026, 9, 1))
    assert balance.recalculated == D("18.11") * 3 - D("149.39")


def test_expired_verification_is_charged_by_average(house):
    org, building, account = house
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    meter = f.MeterFactory(
        premises=account.premises, resource=Resource.COLD_WATER, verification_due=dt.date(2026, 4, 30)
    )
    for month, value in [(1, "100"), (2, "106"), (3, "112"), (4, "118"), (5, "130")]:
        reading(meter, dt.date(2026, month, 1), value, Reading.Status.ACCEPTED)
    for month in (1, 2, 3, 4, 5):
        close(org, dt.date(2026, month, 1))
    may = lines(account, dt.date(2026, 5, 1))
    assert list(may) == [("cold", "average")]  # the May reading of an expired meter does not count
    assert may[("cold", "average")].volume == D("6")


def test_rollover_through_zero(house):
    org, building, account = house
    service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER, digits_before=3)
    reading(meter, dt.date(2026, 3, 1), "998", Reading.Status.ACCEPTED)
    reading(meter, dt.date(2026, 4, 1), "3")
    close(org, dt.date(2026, 4, 1))
    assert lines(account, dt.date(2026, 4, 1))[("cold", "meter")].volume == D("5")


def test_rerun_is_idempotent_and_published_charges_never_change(house):
    org, building, account = house
    service(org, "upkeep", M.AREA, "28.45")
    cold = service(org, "cold", M.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    april = dt.date(2026, 4, 1)
    close(org, april, "close_readings")
    close(org, april, "calculate")
    first = sorted(Charge.objects.filter(period__month=april).values_list("account_id", "service_id", "amount"))
    close(org, april, "close_readings")
    close(org, april, "calculate")
    again = sorted(Charge.objects.filter(period__month=april).values_list("account_id", "service_id", "amount"))
    assert first == again and len(first) == 2
    assert AccountBalance.objects.filter(period__month=april).count() == 1

    close(org, april, "publish")
    close(org, april, "publish")
    assert LedgerEntry.objects.filter(period__month=april).count() == 1
    cold.tariffs.update(price=D("99"))
    with pytest.raises(errors.BillingError, match="опубликован"):
        close(org, april, "calculate")
    assert sorted(Charge.objects.filter(period__month=april).values_list("account_id", "service_id", "amount")) == first
    assert close(org, april).state == BillingPeriod.State.PUBLISHED  # "all" on a published period does nothing


def test_steps_in_order(house):
    org, building, account = house
    with pytest.raises(errors.BillingError, match="не закрыты"):
        close(org, dt.date(2026, 4, 1), "calculate")
    close(org, dt.date(2026, 4, 1), "close_readings")
    with pytest.raises(errors.BillingError, match="не рассчитан"):
        close(org, dt.date(2026, 4, 1), "publish")
    close(org, dt.date(2026, 5, 1), "close_readings")
    with pytest.raises(errors.BillingError, match="Сначала рассчитайте"):
        close(org, dt.date(2026, 5, 1), "calculate")


def test_closing_the_readings_stops_metering_taking_the_month(house):
    org, building, account = house
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    april = dt.date(2026, 4, 1)
    pending = reading(meter, april, "10")
    in_window = dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC)
    close(org, april, "close_readings")
    pending.refresh_from_db()
    assert pending.status == Reading.Status.ACCEPTED
    with pytest.raises(ReadingError) as refused:
        reading_submit(meter=meter, value_text="11", user=None, channel=Reading.Channel.PORTAL, when=in_window)
    assert refused.value.code == "period_closed"
    # another organisation's April is its own
    other = f.MeterFactory()
    assert reading_submit(meter=other, value_text="1", user=None, channel=Reading.Channel.PORTAL, when=in_window)


def test_penalty_worked_example_through_the_engine(house):
    org, building, account = house
    svc = f.ServiceFactory(organisation=org, code="fix", name="fix", method=M.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 1, 31), price=D("1000"))
    close(org, dt.date(2025, 1, 1))  # 1000 ₽ due 10.02.2025
    for month in (2, 3, 4):
        close(org, dt.date(2025, month, 1))
    ledger.ledger_post_payment(
        account=account, amount=D("1000"), paid_on=dt.date(2025, 5, 20), source="bank", external_id="p1"
    )
    close(org, dt.date(2025, 5, 1))
    close(org, dt.date(2025, 6, 1))
    by_month = dict(Penalty.objects.filter(account=account).values_list("period__month__month", "amount"))
    # as of 31.03: days 31–49 = 19 × 1000 × 0.095/300 = 6.0167; 30.04: 49 days = 15.5167; 20.05: 25.58
    # (docs/BILLING.md, «Пени»)
    assert by_month == {3: D("6.02"), 4: D("9.50"), 5: D("10.06")}
    june = AccountBalance.objects.get(account=account, period__month=dt.date(2025, 6, 1))
    assert (june.opening, june.penalties, june.closing) == (D("25.58"), 0, D("25.58"))


def test_payment_is_idempotent_and_lands_in_its_month(house):
    org, building, account = house
    service(org, "upkeep", M.AREA, "28.45")
    entry, created = ledger.ledger_post_payment(
        account=account, amount=D("2000"), paid_on=dt.date(2026, 4, 30), source="bank", external_id="42"
    )
    again, created_again = ledger.ledger_post_payment(
        account=account, amount=D("2000"), paid_on=dt.date(2026, 4, 30), source="bank", external_id="42"
    )
    assert created and not created_again and entry.pk == again.pk
    close(org, dt.date(2026, 4, 1))
    balance = AccountBalance.objects.get(account=account, period__month=dt.date(2026, 4, 1))
    assert (balance.charged, balance.paid, balance.closing) == (D("1544.84"), D("2000"), D("-455.16"))  # advance


def test_payment_dated_in_a_published_month_is_posted_in_the_open_period(house):
    org, building, account = house
    service(org, "upkeep", M.AREA, "28.45")
    close(org, dt.date(2026, 4, 1))  # April published: 1 544,84 owed
    entry, _ = ledger.ledger_post_payment(
        account=account, amount=D("2000"), paid_on=dt.date(2026, 4, 30), source="bank", external_id="42"
    )
    # the entry keeps the day it was paid (penalties count by it) and goes to May, the open period
    assert (entry.period.month, entry.occurred_on) == (dt.date(2026, 5, 1), dt.date(2026, 4, 30))
    april = AccountBalance.objects.get(account=account, period__month=dt.date(2026, 4, 1))
    assert (april.paid, april.closing) == (0, D("1544.84"))  # as the April receipt said
    close(org, dt.date(2026, 5, 1))
    may = AccountBalance.objects.get(account=account, period__month=dt.date(2026, 5, 1))
    # 1 544,84 brought in + 1 544,84 charged − 2 000,00 paid = 1 089,68; paid before April's due date: no penalty
    assert (may.opening, may.charged, may.paid, may.penalties, may.closing) == (
        D("1544.84"),
        D("1544.84"),
        D("2000"),
        0,
        D("1089.68"),
    )


def test_operator_recalculation_goes_to_the_next_unpublished_period(house):
    org, building, account = house
    upkeep = service(org, "upkeep", M.AREA, "28.45")
    april = close(org, dt.date(2026, 4, 1))
    operator = f.OperatorFactory(organisation=org)
    recalc = recalculations.recalculation_create(
        account=account,
        corrected_period=april,
        service=upkeep,
        volume=D("-10"),
        reason="Площадь уточнена по техпаспорту",
        period=BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 5, 1)),
        actor=operator,
    )
    assert recalc.amount == D("-284.50") and recalc.created_by == operator
    may = close(org, dt.date(2026, 5, 1))
    balance = AccountBalance.objects.get(account=account, period=may)
    assert (balance.opening, balance.charged, balance.recalculated) == (D("1544.84"), D("1544.84"), D("-284.50"))
    with pytest.raises(errors.BillingError, match="опубликован"):
        recalculations.recalculation_create(
            account=account, corrected_period=april, amount=D("1"), reason="x", period=may
        )


def test_cancelled_payment_settles_nothing(house):
    org, building, account = house
    svc = f.ServiceFactory(organisation=org, code="fix", name="fix", method=M.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 1, 31), price=D("1000"))
    close(org, dt.date(2025, 1, 1))
    ledger.ledger_post_payment(
        account=account, amount=D("1000"), paid_on=dt.date(2025, 2, 5), source="bank", external_id="p1"
    )
    close(org, dt.date(2025, 2, 1))
    entry, created = ledger.ledger_reverse_payment(
        account=account, amount=D("1000"), source="bank", external_id="p1", on=dt.date(2025, 3, 3)
    )
    again, created_again = ledger.ledger_reverse_payment(
        account=account, amount=D("1000"), source="bank", external_id="p1", on=dt.date(2025, 3, 3)
    )
    assert created and not created_again and entry.amount == D("-1000.00")
    close(org, dt.date(2025, 3, 1))
    march = AccountBalance.objects.get(account=account, period__month=dt.date(2025, 3, 1))
    # the debt is back, and it has been overdue since 10.02: 19 days × 1000 × 0.095 / 300 = 6.02 by 31.03
    assert (march.opening, march.paid, march.penalties, march.closing) == (0, D("-1000"), D("6.02"), D("1006.02"))
