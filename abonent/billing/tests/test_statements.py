"""The subscriber's billing pages: figures equal to the ledger to the kopeck, published periods only, bounded
queries, 404 for accounts of others, Russian errors for bad parameters, CSV and XLSX exports."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from abonent.billing import cycle, ledger, recalculations, statements
from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry, Norm, Service
from abonent.billing.tests.test_close import reading, service
from abonent.metering.models import Reading, Resource
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def _setup(months=3):
    """An account with an area service (54,30 m² × 20,1234 ₽ = 1 092,70 ₽) and a fixed one (150 ₽), `months`
    months from January 2024 closed and published, a payment of 500 ₽ in February, an operator's recalculation
    of −30,55 ₽ booked in the last month, and a payment of 100 ₽ after the last published month."""
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    account = f.PersonalAccountFactory(
        premises=f.PremisesFactory(building=building), payer_name="Муравьев Сергей Викторович"
    )
    area = f.ServiceFactory(
        organisation=org, name="Содержание жилья", method=Service.Method.AREA, resource="", unit="м²", sort_order=1
    )
    fixed = f.ServiceFactory(
        organisation=org, name="Вывоз ТКО", method=Service.Method.FIXED, resource="", unit="л/с", sort_order=2
    )
    f.TariffFactory(service=area, valid_from=dt.date(2020, 1, 1), valid_to=None, price=D("20.1234"))
    f.TariffFactory(service=fixed, valid_from=dt.date(2020, 1, 1), valid_to=None, price=D("150"))
    link = f.AccountLinkFactory(account=account)
    month = dt.date(2024, 1, 1)
    last = None
    for i in range(months):
        m = dt.date(2024 + (i // 12), i % 12 + 1, 1)
        if m == dt.date(2024, 2, 1):
            ledger.ledger_post_payment(
                account=account, amount=D("500"), paid_on=dt.date(2024, 2, 15), source="test", external_id="p1"
            )
        if i == months - 1:
            period, _ = BillingPeriod.objects.get_or_create(organisation=org, month=m)
            recalculations.recalculation_create(
                account=account,
                corrected_period=BillingPeriod.objects.get(organisation=org, month=month),
                service=fixed,
                amount=D("-30.55"),
                reason="Перерасчёт по заявлению",
                period=period,
            )
        last = cycle.period_close(organisation=org, month=m)
    after = dt.date(last.month.year + (last.month.month // 12), last.month.month % 12 + 1, 5)
    ledger.ledger_post_payment(account=account, amount=D("100"), paid_on=after, source="test", external_id="p2")
    return org, account, link.user, last


def _ledger_debt(account):
    published = LedgerEntry.objects.filter(account=account, period__state=BillingPeriod.State.PUBLISHED)
    accrued = published.exclude(kind="payment").aggregate(s=Sum("amount"))["s"] or D(0)
    paid = LedgerEntry.objects.filter(account=account, kind="payment").aggregate(s=Sum("amount"))["s"] or D(0)
    return D(accrued - paid).quantize(D("0.01"))


def test_mask_payer():
    assert statements.mask_payer("Муравьев Сергей Викторович") == "Муравьев Сергей *****ВИЧ"
    assert statements.mask_payer("Иванова Анна Петровна") == "Иванова Анна *****ВНА"
    assert statements.mask_payer("Иванов Иван") == "Иванов Иван"
    assert statements.mask_payer("  ") == ""


def test_figures_equal_the_ledger():
    org, account, user, last = _setup(3)
    # 3 × (1 092,70 + 150) − 30,55 + пени 4,23 (742,70 ₽ due 10.02.2024, a Saturday, so due Monday 12.02.2024
    # (ГК РФ ст.193); 48 days to 31.03 at 9,5 %: 18 days beyond the 30 free ones × 742,70 × 0,095 / 300 = 4,23)
    # − 500 − 100
    penalty = (D("742.70") * 18 * D("0.095") / 300).quantize(D("0.01"))
    assert penalty == D("4.23")
    assert statements.debt_of(account) == D("3728.10") - D("30.55") + penalty - D("600") == _ledger_debt(account)
    month = statements.last_month(account)
    assert month.period == last
    assert [(r.service, r.charged, r.recalculated) for r in month.rows] == [
        ("Содержание жилья", D("1092.70"), D("0.00")),
        ("Вывоз ТКО", D("150.00"), D("-30.55")),
    ]
    balance = AccountBalance.objects.get(account=account, period=last)
    assert month.penalty == D("4.23")
    assert month.total == balance.charged + balance.recalculated + balance.penalties == D("1216.38")
    entries = LedgerEntry.objects.filter(account=account, period=last).exclude(kind="payment")
    assert month.total == entries.aggregate(s=Sum("amount"))["s"]
    parts = statements.debt_parts(account, month, statements.debt_of(account))
    assert sum(p.amount for p in parts) == statements.debt_of(account)


def test_unpublished_period_is_not_shown():
    org, account, user, last = _setup(2)
    cycle.period_close(organisation=org, month=dt.date(2024, 3, 1), step="close_readings")
    cycle.period_close(organisation=org, month=dt.date(2024, 3, 1), step="calculate")
    assert statements.last_month(account).period == last
    assert statements.debt_of(account) == _ledger_debt(account) == D("2485.40") - D("30.55") - D("600")


def test_history_and_movement():
    org, account, user, last = _setup(3)
    h = statements.history(account, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert h.charged == D("3701.78")  # 3 × 1 242,70 − 30,55 + пени 4,23 (see test_figures_equal_the_ledger)
    assert h.paid == D("600.00")
    assert h.last_payment.amount == D("100.00")
    assert [line.kind for line in h.lines][:3] == ["month", "service", "service"]
    assert h.lines[0].day == dt.date(2024, 1, 31)
    payment_days = [line.day for line in h.lines if line.kind == "payment"]
    assert payment_days == [dt.date(2024, 2, 15), dt.date(2024, 4, 5)]
    m = statements.movement(account, dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert m.opening == D("0.00")
    assert m.closing == m.opening + m.charged + m.recalculated + m.penalties - m.paid == D("3201.78")
    with pytest.raises(statements.StatementError):
        statements.history(account, dt.date(2024, 2, 1), dt.date(2024, 1, 1))


def test_pages(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    home = client.get("/cabinet/").content.decode()
    assert 'Задолженность: <strong class="debt">1\xa0854,85\xa0₽' in home
    card = client.get(f"/cabinet/accounts/{account.pk}/").content.decode()
    assert "Муравьев Сергей *****ВИЧ" in card and "Викторович" not in card
    assert "Начисление за февраль 2024" in card
    assert "1\xa0212,15" in card  # ИТОГО = 1 092,70 + 150 − 30,55
    assert "Частная" in card and "54,30" in card
    for path in ("debt", "history", "movement", "common"):
        response = client.get(f"/cabinet/accounts/{account.pk}/{path}/")
        assert response.status_code == 200, path
    history = client.get(f"/cabinet/accounts/{account.pk}/history/?from=01.01.2024&to=31.12.2024").content.decode()
    assert "└ Содержание жилья, м²" in history and "31.01.2024" in history
    assert "Итоговая сумма задолженности: <strong>1\xa0854,85\xa0₽" in history


@pytest.mark.parametrize(
    "query",
    [
        "history/?from=32.13.2024",
        "history/?to=abc",
        "history/?from=01.02.2024&to=01.01.2024",
        "movement/?from=2024-13",
        "movement/?to=24-01",
        "movement/?from=2024-05&to=2024-01",
        "common/?month=x",
        "common/?month=2030-01",
        "?format=pdf",
        "debt/?format=doc",
    ],
)
def test_bad_parameters_get_a_russian_error(client, query):
    org, account, user, last = _setup(1)
    client.force_login(user)
    response = client.get(f"/cabinet/accounts/{account.pk}/{query}")
    assert response.status_code == 400
    assert "msg-error" in response.content.decode()


PATHS = [
    "",
    "debt/",
    "history/",
    "movement/",
    "common/",
    "?format=csv",
    "debt/?format=xlsx",
    "history/?format=csv",
    "movement/?format=xlsx",
    "common/?format=csv",
]


@pytest.mark.parametrize("path", PATHS)
def test_other_users_account_is_404(client, path):
    org, account, user, last = _setup(1)
    stranger = f.AccountLinkFactory().user
    client.force_login(stranger)
    assert client.get(f"/cabinet/accounts/{account.pk}/{path}").status_code == 404
    assert client.get(f"/cabinet/accounts/999999/{path}").status_code == 404
    client.logout()
    assert client.get(f"/cabinet/accounts/{account.pk}/{path}").status_code == 302


def test_queries_bounded_with_a_long_history(client, django_assert_max_num_queries):
    org, account, user, last = _setup(26)
    client.force_login(user)
    for path in ["/cabinet/", *[f"/cabinet/accounts/{account.pk}/{p}" for p in PATHS]]:
        # 19: the cold card's figures include the debt by service (statements.service_debts: four queries), once
        # per change of the account's figures; the bound is what matters — it does not grow with the history
        with django_assert_max_num_queries(19):
            assert client.get(path).status_code == 200, path


def test_exports(client):
    org, account, user, last = _setup(2)
    client.force_login(user)
    csv = client.get(f"/cabinet/accounts/{account.pk}/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Вывоз ТКО;л/с;150,00;1,00;150,00;-30,55;119,45" in text  # no stored zeros past the kopecks
    assert "ИТОГО;;;;1242,70;-30,55;1212,15" in text
    xlsx = client.get(f"/cabinet/accounts/{account.pk}/movement/?from=2024-01&to=2024-02&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Месяц" and rows[-1][0] == "Итого"
    assert D(str(rows[-1][-1])) == D("1954.85")


def test_common_house_page_from_the_charge_lines(client):
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)  # 3000 m² of premises, 600 m² common
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)  # 54,30 m²
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)
    service(org, "cold", Service.Method.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    service(org, "odn", Service.Method.COMMON_HOUSE, "45.27", Resource.COLD_WATER, norm="0.03", basis=Norm.Basis.PER_M2)
    meter = f.MeterFactory(premises=account.premises, resource=Resource.COLD_WATER)
    house_meter = f.MeterFactory(premises=None, building=building, resource=Resource.COLD_WATER)
    april = dt.date(2026, 4, 1)
    reading(meter, dt.date(2026, 3, 1), "100", Reading.Status.ACCEPTED)
    reading(meter, april, "106")
    reading(house_meter, dt.date(2026, 3, 1), "5000", Reading.Status.ACCEPTED)
    reading(house_meter, april, "5040")
    period = cycle.period_close(organisation=org, month=april)
    common = statements.common_house(account, period)
    [line] = common.lines
    # house meter 40 = individual 6 (by meter) + 9,7 (neighbour, норматив 4,85 × 2) + shared 24,3;
    # this premises' share 24,3 × 54,3 / 3000 = 0,43983, capped at the норматив 0,03 × 600 × 54,3 / 3000 = 0,3258
    assert (line.house_volume, line.individual, line.shared) == (D("40"), D("15.7"), D("24.3"))
    assert (line.share, line.amount) == (D("0.3258"), D("14.75"))
    consumption = statements.chart(account, measure="volume")
    assert consumption["bars"][-1]["total"] == D("6") and consumption["unit"] == "м³"
    link = f.AccountLinkFactory(account=account)
    client.force_login(link.user)
    assert "Потребление воды за 12 месяцев" in client.get(f"/cabinet/accounts/{account.pk}/").content.decode()
    page = client.get(f"/cabinet/accounts/{account.pk}/common/?month=2026-04").content.decode()
    # Volumes to three places, as on the receipt; the tariff as set, with kopecks.
    assert "апрель 2026" in page and "24,300" in page and "0,326" in page and "14,75\xa0₽" in page
    assert "0,3258" not in page and "0,325800" not in page


def test_home_shows_the_organisations_notice_and_an_advance(client):
    org, account, user, last = _setup(1)
    org.notice = "Изменился телефон службы сбыта: 8-800-250-52-80"
    org.save()
    ledger.ledger_post_payment(
        account=account, amount=D("2000"), paid_on=dt.date(2024, 3, 3), source="test", external_id="big"
    )
    client.force_login(user)
    home = client.get("/cabinet/").content.decode()
    assert "Изменился телефон службы сбыта" in home
    # 1 242,70 − 30,55 − 100 − 2 000 = −887,85: an advance
    assert statements.debt_of(account) == _ledger_debt(account) == D("-887.85")
    assert 'Переплата: <strong class="advance">887,85\xa0₽' in home


def test_charts_of_charges_and_consumption():
    org, account, user, last = _setup(14)
    charges = statements.chart(account)
    assert len(charges["bars"]) == 12 and charges["bars"][-1]["month"] == last.month
    assert charges["bars"][-1]["total"] == D("1242.70")  # the charge lines; the recalculation is not a charge
    assert [item["name"] for item in charges["legend"]] == ["Содержание жилья", "Вывоз ТКО"]
    assert statements.chart(account, measure="volume") is None  # no water by meter on this account


def test_total_owed_adds_debts_and_an_advance_lessens_none():
    assert statements.total_owed({1: D("100.50"), 2: D("-40"), 3: D("0"), 4: D("9.50")}) == D("110.00")
    assert statements.total_owed({}) == D("0")
    assert statements.total_owed({1: D("-5")}) == D("0")
