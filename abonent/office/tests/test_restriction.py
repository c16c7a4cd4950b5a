"""The restriction warning (ПП 354 п.117–119) as a PDF: only debtors owing more than two months' charges get it,
the debt is the one of the debtors list (the published closing less the payments since), the 20 days run from
the day after delivery and a last day off moves to the next working day (ГК РФ ст.191, 193, the production
calendar); the text of the PDF (read back with pypdf) carries the figures computed here by hand."""

import datetime as dt
import io
from decimal import Decimal as D

import pypdf
import pytest

from abonent.billing.models import AccountBalance, BillingPeriod, CalendarDay, LedgerEntry
from abonent.office import restriction
from abonent.office.models import DebtNotice, OfficeAction, Role
from abonent.testing import factories as f

from .conftest import make_operator
from .world import world

pytestmark = pytest.mark.django_db


def _debtors(w):
    """The world's account: 9 000,00 owed at the end of October on 3 000,00 a month, 1 234,56 paid in December →
    7 765,44 now, 2,6 months. A neighbour owing 5 000,00 on 3 000,00 a month: 1,7 months, no warning."""
    october = BillingPeriod.objects.create(organisation=w["org"], month=dt.date(2026, 10, 1), state="published",
                                           published_at=dt.datetime(2026, 11, 5, tzinfo=dt.UTC))  # fmt: skip
    AccountBalance.objects.create(account=w["account"], period=october, opening=D("6000.00"), charged=D("3000.00"),
                                  closing=D("9000.00"))  # fmt: skip
    LedgerEntry.objects.create(account=w["account"], period=w["period"], kind="payment", amount=D("1234.56"),
                               occurred_on=dt.date(2026, 12, 1), idempotency_key="test:restriction")  # fmt: skip
    neighbour = f.PersonalAccountFactory(premises=f.PremisesFactory(building=w["building"]), number="100000777")
    AccountBalance.objects.create(account=neighbour, period=october, opening=D("2000.00"), charged=D("3000.00"),
                                  closing=D("5000.00"))  # fmt: skip
    return neighbour


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(" ".join(page.extract_text().replace("\xa0", " ").split()) for page in reader.pages)


@pytest.mark.parametrize(
    ("delivered", "pay_by"),
    [
        (dt.date(2027, 2, 2), dt.date(2027, 2, 24)),  # 22.02 is a day off moved by the decree, 23.02 a holiday
        (dt.date(2026, 12, 7), dt.date(2026, 12, 28)),  # 27.12 is a Sunday
        (dt.date(2026, 12, 8), dt.date(2026, 12, 28)),  # 28.12 itself, a Monday
    ],
)
def test_the_deadline_is_20_days_after_delivery_moved_off_a_day_off(delivered, pay_by):
    org = f.OrganisationFactory()
    due = restriction.dates(org, delivered)
    assert (due.pay_by, due.restrict_from) == (pay_by, pay_by + dt.timedelta(days=1))


def test_the_organisations_own_day_off_moves_the_deadline_too():
    org = f.OrganisationFactory()
    CalendarDay.objects.create(organisation=org, day=dt.date(2026, 12, 28), is_working=False)
    assert restriction.dates(org, dt.date(2026, 12, 7)).pay_by == dt.date(2026, 12, 29)
    assert restriction.dates(f.OrganisationFactory(), dt.date(2026, 12, 7)).pay_by == dt.date(2026, 12, 28)


def test_the_warning_goes_to_those_owing_over_two_months_and_its_pdf_carries_the_debt_and_dates():
    w = world()
    neighbour = _debtors(w)
    accountant = make_operator(w["org"], Role.ACCOUNTANT)
    made, skipped = restriction.restriction_send(
        organisation=w["org"], operator=accountant, account_ids=[w["account"].pk, neighbour.pk],
        delivery=DebtNotice.Delivery.MAIL, delivered_on=dt.date(2027, 2, 2), today=dt.date(2027, 2, 1),
    )  # fmt: skip
    assert skipped == 1 and [n.account for n in made] == [w["account"]]
    notice = made[0]
    assert (notice.debt, notice.issued_on, notice.delivered_on, notice.pay_by, notice.billed_through) == (
        D("7765.44"), dt.date(2027, 2, 1), dt.date(2027, 2, 2), dt.date(2027, 2, 24), dt.date(2026, 10, 1))  # fmt: skip
    text = _text(restriction.warnings_pdf(made, w["org"]))
    assert "Предупреждение (уведомление) о приостановлении или ограничении" in text
    assert f"№ {notice.pk} от 01.02.2027" in text
    assert "По состоянию на 01.02.2027 задолженность" in text and "составляет 7 765,44 ₽" in text
    assert "начисления по октябрь 2026 включительно" in text
    assert "до 24.02.2027 включительно" in text and "с 25.02.2027" in text
    assert "Дата доставки: 02.02.2027" in text and "заказное письмо с уведомлением о вручении" in text
    assert w["account"].number in text and "100000777" not in text
    log = OfficeAction.objects.get(kind="notice_restriction")
    assert log.account == w["account"] and "оплатить до 24.02.2027" in log.details


def test_the_accountant_asks_for_the_warnings_of_selected_debtors_and_downloads_them(client):
    w = world()
    neighbour = _debtors(w)
    second = f.PersonalAccountFactory(premises=f.PremisesFactory(building=w["building"]), number="100000888")
    AccountBalance.objects.create(account=second, period=BillingPeriod.objects.get(state="published"),
                                  charged=D("1000.00"), opening=D("2500.00"), closing=D("3500.00"))  # fmt: skip
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    chosen = {"kind": "restriction", "account": [w["account"].pk, neighbour.pk, second.pk]}
    form = client.post("/office/debtors/notices/", chosen)
    assert form.status_code == 200 and "Способ доставки" in form.content.decode()
    assert "пропускается" in form.content.decode()  # the neighbour: 1,7 months
    today = w["org"].today()
    response = client.post("/office/debtors/notices/", {**chosen, "delivery": "hand",
                                                         "delivered_on": f"{today:%d.%m.%Y}"})  # fmt: skip
    notices = list(DebtNotice.objects.filter(kind="restriction", delivery="hand").order_by("-debt"))
    assert [n.account for n in notices] == [w["account"], second]  # the largest debt first, as the list sorts
    assert response.url == "/office/notices/print/?" + "&".join(f"id={n.pk}" for n in notices)
    pdf = client.get(response.url)
    assert pdf["Content-Type"] == "application/pdf"
    text = _text(pdf.content)
    due = restriction.dates(w["org"], today).pay_by
    assert "7 765,44 ₽" in text and "3 500,00 ₽" in text and f"до {due:%d.%m.%Y} включительно" in text
    assert "вручение под расписку" in text
    single = client.get(f"/office/notices/{notices[0].pk}/")
    assert single["Content-Type"] == "application/pdf" and len(pypdf.PdfReader(io.BytesIO(single.content)).pages) == 1
    card = client.get(f"/office/accounts/{w['account'].pk}/").content.decode()
    assert f"Предупреждение об ограничении № {notices[0].pk}" in card


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"delivery": ""}, "Выберите способ доставки"),
        ({"delivery": "pigeon"}, "Выберите способ доставки"),
        ({"delivered_on": ""}, "Укажите дату доставки"),
        ({"delivered_on": "31.02.2027"}, "ДД.ММ.ГГГГ"),
        ({"delivered_on": "01.01.2020"}, "Дата доставки — с"),
        ({"delivered_on": "０１.０１.２０２７"}, "цифрами 0–9"),
    ],
)
def test_bad_delivery_says_why_in_russian_and_writes_nothing(client, data, error):
    w = world()
    _debtors(w)
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    form = {"kind": "restriction", "account": [w["account"].pk], "delivery": "mail",
            "delivered_on": f"{w['org'].today():%d.%m.%Y}", **data}  # fmt: skip
    response = client.post("/office/debtors/notices/", form)
    assert response.status_code == 400 and error in response.content.decode()
    assert not DebtNotice.objects.filter(kind="restriction", delivery__gt="").exists()
    assert not OfficeAction.objects.exists()


def test_a_print_of_another_organisations_warning_or_of_a_pretrial_letter_is_404(client):
    w = world()
    pretrial = DebtNotice.objects.create(organisation=w["org"], account=w["account"], kind="pretrial", debt=D("1"),
                                         issued_on=dt.date(2026, 12, 1), pay_by=dt.date(2026, 12, 21))  # fmt: skip
    client.force_login(make_operator(w["org"], Role.AUDITOR))
    assert client.get(f"/office/notices/print/?id={w['notice'].pk}").status_code == 200
    assert client.get(f"/office/notices/print/?id={w['notice'].pk}&id={pretrial.pk}").status_code == 404
    assert client.get("/office/notices/print/").status_code == 404
    assert client.get("/office/notices/print/?id=abc").status_code == 404
    client.force_login(make_operator(world()["org"], Role.ADMINISTRATOR))
    assert client.get(f"/office/notices/print/?id={w['notice'].pk}").status_code == 404
