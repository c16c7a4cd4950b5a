"""The office's cash desk on a real month: two services billed and published (heating 600,00, water 400,00 ₽), a
payment taken at the counter credited through the payments app, allocated by the rule of billing/allocation.py,
shown on the slip, the account's card and the payments report; a double click is one payment; the same-day
cancellation reverses it in the ledger; bad input says why in Russian and writes nothing."""

import datetime as dt
import uuid
from decimal import Decimal as D

import pytest

from abonent.billing import cycle
from abonent.billing.models import Allocation, LedgerEntry
from abonent.billing.statements import debt_of
from abonent.office.models import OfficeAction, Role
from abonent.payments.models import Payment
from abonent.testing import factories as f

from .conftest import make_operator

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def billed():
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org, address="г. Тестов, ул. Кассовая, д. 7")
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building, number="12"))
    services = {}
    for name, price, order in (("Отопление", "600.00", 1), ("Холодная вода", "400.00", 2)):
        services[name] = f.ServiceFactory(organisation=org, name=name, method="fixed", resource="", sort_order=order)
        f.TariffFactory(service=services[name], valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
    cycle.period_close(organisation=org, month=OCTOBER)
    assert debt_of(account) == D("1000.00")
    return {"org": org, "account": account, "services": services}


def _take(client, account, **data):
    form = {"amount": "500,00", "channel": "cash", "service": "", "period": "", "payer_name": "Иванов И. И.",
            "token": str(uuid.uuid4()), **data}  # fmt: skip
    return client.post(f"/office/cash/accounts/{account.pk}/take/", form)


def test_the_accountant_finds_the_account_takes_cash_and_it_is_allocated_by_the_rule(client, billed):
    account = billed["account"]
    accountant = make_operator(billed["org"], Role.ACCOUNTANT)
    client.force_login(accountant)
    assert account.number in client.get("/office/cash/", {"q": account.number[:5]}).content.decode()
    by_address = client.get("/office/cash/", {"q": "Кассовая, д. 7 кв 12"}).content.decode()
    assert account.number in by_address
    assert "Ничего не найдено" in client.get("/office/cash/", {"q": "Кассовая кв 99"}).content.decode()
    stranger = make_operator(f.OrganisationFactory(), Role.ADMINISTRATOR)
    client.force_login(stranger)
    assert "Ничего не найдено" in client.get("/office/cash/", {"q": account.number}).content.decode()
    assert client.get(f"/office/cash/accounts/{account.pk}/").status_code == 404
    client.force_login(accountant)
    page = client.get(f"/office/cash/accounts/{account.pk}/").content.decode()
    assert "1\xa0000,00" in page and 'name="token"' in page
    response = _take(client, account, amount="1 234,5")  # more than the debt: the rest is an advance
    payment = Payment.objects.get(account=account)
    assert response.url == f"/office/cash/payments/{payment.pk}/"
    assert (payment.amount, payment.channel, payment.status, payment.created_by) == (
        D("1234.50"), "cash", "credited", accountant)  # fmt: skip
    assert debt_of(account) == D("-234.50")
    # 1 000,00 of the October document by its services, the 234,50 over it an advance in the same proportion
    parts = dict(Allocation.objects.filter(account=account).values_list("service__name", "amount"))
    assert parts == {"Отопление": D("740.70"), "Холодная вода": D("493.80")}
    slip = client.get(response.url).content.decode()
    assert "Квитанция о приёме платежа" in slip and "1\xa0234,50" in slip and "740,70" in slip and "493,80" in slip
    card = client.get(f"/office/accounts/{account.pk}/").content.decode()
    assert f"№ {payment.pk}" in card and "1\xa0234,50" in card
    today = billed["org"].today()
    report = client.get("/office/reports/payments/", {"first": f"{today:%m.%Y}"}).content.decode()
    assert "1\xa0234,50" in report
    assert OfficeAction.objects.filter(kind="cash_taken", actor=accountant, account=account).count() == 1


def test_a_named_service_or_month_is_paid_first_and_the_terminal_is_its_own_channel(client, billed):
    account, water = billed["account"], billed["services"]["Холодная вода"]
    client.force_login(make_operator(billed["org"], Role.ACCOUNTANT))
    _take(client, account, amount="150", channel="terminal", service=str(water.pk))
    named = Payment.objects.get(account=account)
    assert named.channel == "terminal" and named.service == water
    assert list(Allocation.objects.filter(account=account).values_list("service__name", "amount")) == [
        ("Холодная вода", D("150.00"))
    ]
    _take(client, account, amount="300", period="10.2026")
    second = Payment.objects.exclude(pk=named.pk).get()
    assert second.named_period == OCTOBER
    # what is left of October: heating 600,00, water 250,00 → 300 shared 600 : 250
    paid = dict(Allocation.objects.filter(entry__source_id=second.external_id).values_list("service__name", "amount"))
    assert paid == {"Отопление": D("211.76"), "Холодная вода": D("88.24")}
    assert debt_of(account) == D("550.00")


def test_a_double_click_is_one_payment(client, billed):
    account = billed["account"]
    client.force_login(make_operator(billed["org"], Role.ACCOUNTANT))
    token = str(uuid.uuid4())
    first = _take(client, account, token=token)
    again = _take(client, account, token=token)
    assert first.url == again.url
    assert Payment.objects.count() == 1 and LedgerEntry.objects.filter(kind="payment").count() == 1
    assert debt_of(account) == D("500.00")
    assert OfficeAction.objects.filter(kind="cash_taken").count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": ""}, "обязательно для заполнения"),
        ({"amount": "0"}, "больше нуля"),
        ({"amount": "-5"}, "рублях и копейках"),
        ({"amount": "12,345"}, "рублях и копейках"),
        ({"amount": "１２３"}, "рублях и копейках"),
        ({"amount": "1e5"}, "рублях и копейках"),
        ({"amount": "99999999999999"}, "рублях и копейках"),
        ({"channel": "card"}, "Выберите корректный вариант"),
        ({"service": "999999999"}, "Такой услуги у организации нет"),
        ({"service": "abc"}, "Введите целое число"),
        ({"period": "13.2026"}, "ММ.ГГГГ"),
        ({"period": "10.1899"}, "ММ.ГГГГ"),
        ({"token": "not-a-token"}, "Форма устарела"),
        ({"payer_name": "Иванов\ufffd"}, "нечитаемые символы"),
    ],
)
def test_bad_input_says_why_in_russian_and_writes_nothing(client, billed, data, error):
    client.force_login(make_operator(billed["org"], Role.ACCOUNTANT))
    response = _take(client, billed["account"], **data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Payment.objects.exists() and not OfficeAction.objects.exists()


def test_another_organisations_service_is_refused(client, billed):
    stranger = f.ServiceFactory(organisation=f.OrganisationFactory(), name="Чужая услуга")
    client.force_login(make_operator(billed["org"], Role.ACCOUNTANT))
    response = _take(client, billed["account"], service=str(stranger.pk))
    assert response.status_code == 400 and "Такой услуги у организации нет" in response.content.decode()
    assert "Чужая услуга" not in response.content.decode()
    assert not Payment.objects.exists()


def test_a_mistaken_payment_is_cancelled_the_same_day_with_a_reason(client, billed):
    account = billed["account"]
    accountant = make_operator(billed["org"], Role.ACCOUNTANT)
    client.force_login(accountant)
    payment = Payment.objects.get(pk=int(_take(client, account).url.rstrip("/").rsplit("/", 1)[1]))
    url = f"/office/cash/payments/{payment.pk}/cancel/"
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Укажите причину отмены" in refused.content.decode()
    payment.refresh_from_db()
    assert payment.status == "credited" and debt_of(account) == D("500.00")
    assert client.post(url, {"reason": "Ошиблись счётом"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == "cancelled" and payment.cancel_reason == "Ошиблись счётом"
    assert debt_of(account) == D("1000.00")
    assert LedgerEntry.objects.filter(kind="payment", amount=D("-500.00")).count() == 1
    assert sum(Allocation.objects.filter(account=account).values_list("amount", flat=True)) == 0
    again = client.post(url, {"reason": "Ошиблись счётом"})
    assert again.status_code == 400 and "отменять нечего" in again.content.decode()
    assert LedgerEntry.objects.filter(kind="payment", amount=D("-500.00")).count() == 1
    log = OfficeAction.objects.get(kind="cash_cancelled")
    assert log.actor == accountant and "Ошиблись счётом" in log.details


def test_yesterdays_payment_and_a_bank_payment_are_not_the_counters_to_cancel(client, billed):
    from django.utils import timezone  # noqa: PLC0415

    account = billed["account"]
    client.force_login(make_operator(billed["org"], Role.ACCOUNTANT))
    payment = Payment.objects.get(pk=int(_take(client, account).url.rstrip("/").rsplit("/", 1)[1]))
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    response = client.post(f"/office/cash/payments/{payment.pk}/cancel/", {"reason": "Ошиблись счётом"})
    assert response.status_code == 400 and "только платёж, принятый сегодня" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "credited" and debt_of(account) == D("500.00")


def test_the_auditor_sees_the_desk_and_cannot_take_or_cancel(client, billed):
    account = billed["account"]
    client.force_login(make_operator(billed["org"], Role.ACCOUNTANT))
    slip = _take(client, account).url
    client.force_login(make_operator(billed["org"], Role.AUDITOR))
    page = client.get(f"/office/cash/accounts/{account.pk}/").content.decode()
    assert "Принимать платежи ваша роль не может" in page and 'name="amount"' not in page
    assert "Отменить ошибочный платёж" not in client.get(slip).content.decode()
    assert _take(client, account).status_code == 403
    assert client.post(slip + "cancel/", {"reason": "Ошиблись счётом"}).status_code == 403
    assert Payment.objects.get().status == "credited" and Payment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_are_one_payment(billed):
    """Two requests with the same form token racing on PostgreSQL: the unique (channel, external id) lets one
    in, the other gets its payment back; one ledger entry, one line in the log."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    from django.db import connection  # noqa: PLC0415

    from abonent.office import cashdesk  # noqa: PLC0415

    if connection.vendor != "postgresql":
        pytest.skip("the race needs a database with concurrent writers")
    accountant = make_operator(billed["org"], Role.ACCOUNTANT)
    taken = cashdesk.Taken(account=billed["account"], amount=D("500.00"), channel="cash")
    token = str(uuid.uuid4())

    def click(_):
        try:
            return cashdesk.take(organisation=billed["org"], operator=accountant, taken=taken, token=token).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        ids = set(pool.map(click, range(2)))
    assert len(ids) == 1 and Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert OfficeAction.objects.filter(kind="cash_taken").count() == 1
    assert debt_of(billed["account"]) == D("500.00")
