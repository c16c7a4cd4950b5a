"""The daily work through the office, on a small world: the readings queue (keep, reject with a reason), entry
from a paper form with metering's own checks, answering an appeal, managing operators, letters to debtors, the
log per account and per operator."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone

from abonent.billing.models import AccountBalance, BillingPeriod
from abonent.metering.models import Reading
from abonent.office import debtors
from abonent.office.models import DebtNotice, OfficeAction, OfficeRole, ReadingReview, Role
from abonent.support.models import Appeal
from abonent.testing import factories as f
from abonent.testing.downloads import job_download
from abonent.users.models import User

from .conftest import make_operator
from .world import world

pytestmark = pytest.mark.django_db


def test_the_queue_lists_a_large_consumption_and_keeping_it_takes_it_off(client):
    w = world()
    dispatcher = make_operator(w["org"], Role.DISPATCHER)
    client.force_login(dispatcher)
    page = client.get("/office/readings/queue/").content.decode()
    assert w["meter"].serial_number in page and "Большой расход" in page
    response = client.post(f"/office/readings/{w['reading'].pk}/decide/", {"decision": "keep"})
    assert response.status_code == 302
    assert ReadingReview.objects.filter(reading=w["reading"], reviewed_by=dispatcher).exists()
    assert "Очередь пуста" in client.get("/office/readings/queue/").content.decode()
    w["reading"].refresh_from_db()
    assert w["reading"].status == Reading.Status.PENDING  # the close accepts it, as any other
    assert OfficeAction.objects.filter(kind="reading_accepted", actor=dispatcher, account=w["account"]).exists()


def test_rejecting_needs_a_reason_and_records_it(client):
    w = world()
    client.force_login(make_operator(w["org"], Role.DISPATCHER))
    url = f"/office/readings/{w['reading'].pk}/decide/"
    response = client.post(url, {"decision": "reject", "reason": ""}, follow=True)
    assert "Укажите причину" in response.content.decode()
    w["reading"].refresh_from_db()
    assert w["reading"].status == Reading.Status.PENDING
    client.post(url, {"decision": "reject", "reason": "На фото другое показание"})
    w["reading"].refresh_from_db()
    assert w["reading"].status == Reading.Status.REJECTED
    assert w["reading"].reject_reason == "На фото другое показание"


def test_the_queue_shows_expired_verification_and_silent_meters(client):
    w = world()
    w["meter"].verification_due = dt.date(2022, 12, 1)
    w["meter"].save()
    silent = f.MeterFactory(premises=w["account"].premises, serial_number="55500011")
    client.force_login(make_operator(w["org"], Role.AUDITOR))
    page = client.get("/office/readings/queue/?kind=verification").content.decode()
    assert "Истекла поверка" in page
    assert "55500011" in page  # no reading for three months
    assert silent.pk


def test_entry_from_a_paper_form_uses_meterings_checks(client):
    w = world()
    organisation = w["org"]
    organisation.readings_first_day, organisation.readings_last_day = 1, 31
    organisation.save()
    w["reading"].delete()
    second = f.MeterFactory(premises=w["account"].premises, serial_number="77700001")
    client.force_login(make_operator(organisation, Role.DISPATCHER))
    url = f"/office/readings/entry/{w['building'].pk}/"
    page = client.get(url).content.decode()
    assert "autofocus" in page and w["meter"].serial_number in page
    response = client.post(url, {f"m{w['meter'].pk}": "12,5", f"m{second.pk}": "12,34567890"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "12,34567890" in body and 'aria-invalid="true"' in body
    saved = Reading.objects.get(meter=w["meter"])
    assert saved.value == Decimal("12.5") and saved.channel == Reading.Channel.OPERATOR
    assert not Reading.objects.filter(meter=second).exists()


def test_answering_an_appeal_sends_it_and_logs_it(client):
    w = world()
    dispatcher = make_operator(w["org"], Role.DISPATCHER)
    client.force_login(dispatcher)
    url = f"/office/appeals/{w['appeal'].pk}/"
    assert client.post(url, {"text": ""}).status_code == 400
    response = client.post(url, {"text": "Показания приняты, спасибо."})
    assert response.status_code == 302
    w["appeal"].refresh_from_db()
    assert w["appeal"].status == Appeal.Status.ANSWERED
    assert OfficeAction.objects.filter(kind="appeal_answered", actor=dispatcher).exists()
    page = client.get(url).content.decode()
    assert "Показания приняты, спасибо." in page


def test_the_administrator_adds_an_operator_sets_a_role_and_deactivates(client):
    w = world()
    admin = make_operator(w["org"], Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post("/office/operators/", {"username": "kassir", "full_name": "Анна Петрова",
                           "email": "anna@example.ru", "role": "accountant", "password": "temporary-2026"})  # fmt: skip
    assert response.status_code == 302
    new = User.objects.get(username="kassir")
    assert new.organisation == w["org"] and new.is_staff and new.must_change_password
    assert OfficeRole.objects.get(user=new).role == Role.ACCOUNTANT
    again = client.post("/office/operators/", {"username": "KASSIR", "role": "auditor", "password": "temporary-2026"})
    assert again.status_code == 400 and "уже есть" in again.content.decode()
    client.post(f"/office/operators/{new.pk}/", {"action": "role", "role": "dispatcher"})
    assert OfficeRole.objects.get(user=new).role == Role.DISPATCHER
    client.post(f"/office/operators/{new.pk}/", {"action": "deactivate"})
    new.refresh_from_db()
    assert not new.is_active
    client.post(f"/office/operators/{admin.pk}/", {"action": "deactivate"})
    admin.refresh_from_db()
    assert admin.is_active  # not oneself
    log = client.get(f"/office/audit/operators/{admin.pk}/").content.decode()
    assert "Добавлен оператор" in log and "Оператор отключён" in log


def _debt(w, closing: Decimal, charged: Decimal):
    period = BillingPeriod.objects.create(organisation=w["org"], month=dt.date(2026, 10, 1), state="published",
                                          published_at=timezone.now())  # fmt: skip
    AccountBalance.objects.create(account=w["account"], period=period, opening=closing - charged, charged=charged,
                                  closing=closing)  # fmt: skip
    return period


def test_debtors_filtered_by_a_service_owe_for_that_service(client):
    from abonent.billing.models import ServiceBalance  # noqa: PLC0415

    w = world()
    period = _debt(w, Decimal("9000.00"), Decimal("3000.00"))
    heat = f.ServiceFactory(organisation=w["org"], name="Отопление")
    water = f.ServiceFactory(organisation=w["org"], name="Холодная вода")
    other = f.PersonalAccountFactory(premises=f.PremisesFactory(building=w["building"]), number="100000002")
    AccountBalance.objects.create(account=other, period=period, charged=Decimal("500"), closing=Decimal("500"))
    for account, service, closing in ((w["account"], heat, "6000.00"), (w["account"], water, "3000.00"),
                                      (other, heat, "0.00"), (other, water, "500.00")):  # fmt: skip
        ServiceBalance.objects.create(account=account, period=period, service=service, opening=Decimal(closing),
                                      closing=Decimal(closing))  # fmt: skip
    only_heat = debtors.debtors(w["org"], debtors.Filters(service_id=heat.pk))
    assert [(r.account, r.service_debt) for r in only_heat] == [(w["account"], Decimal("6000.00"))]
    assert {r.account for r in debtors.debtors(w["org"], debtors.Filters(service_id=water.pk))} == {w["account"], other}
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    page = client.get("/office/debtors/", {"service": heat.pk}).content.decode()
    assert "По услуге" in page and "6\xa0000,00" in page and "100000002" not in page
    assert "Холодная вода" in page  # the service is chosen from the organisation's own
    stranger = f.ServiceFactory(organisation=world()["org"], name="Чужая услуга")
    page = client.get("/office/debtors/", {"service": stranger.pk}).content.decode()
    assert "Должников нет" in page and "Чужая услуга" not in page
    assert client.get("/office/debtors/", {"service": "x"}).status_code == 400


def test_debtors_filter_sort_export_and_a_pretrial_letter(client, django_capture_on_commit_callbacks):
    w = world()
    _debt(w, Decimal("9000.00"), Decimal("3000.00"))
    other = f.PersonalAccountFactory(premises=f.PremisesFactory(building=w["building"]), number="100000001")
    AccountBalance.objects.create(account=other, period=BillingPeriod.objects.get(state="published"), charged=Decimal("3000"),
                                  opening=Decimal("-1500"), closing=Decimal("1500"))  # fmt: skip
    rows = list(debtors.debtors(w["org"], debtors.Filters(months_above=Decimal("1"))))
    assert [r.account for r in rows] == [w["account"]]
    assert rows[0].months == Decimal("3")
    accountant = make_operator(w["org"], Role.ACCOUNTANT)
    client.force_login(accountant)
    page = client.get("/office/debtors/", {"sort": "number"}).content.decode()
    assert page.index("100000001") < page.index(w["account"].number)  # by number
    page = client.get("/office/debtors/").content.decode()
    assert page.index(w["account"].number) < page.index("100000001")  # by debt, the default
    assert client.get("/office/debtors/", {"debt_above": "abc"}).status_code == 400
    data = job_download(client, django_capture_on_commit_callbacks, "get", "/office/debtors/", {"format": "xlsx"})
    numbers = [row[0] for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert numbers[1:] == [w["account"].number, "100000001"]  # by debt, the default, both listed
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/office/debtors/notices/", {"account": [w["account"].pk], "kind": "pretrial"})
    notice = DebtNotice.objects.get(kind="pretrial")
    assert notice.debt == Decimal("9000.00") and notice.pay_by == notice.issued_on + dt.timedelta(days=20)
    assert [m.to for m in mail.outbox] == [["subscriber@example.ru"]]
    assert "9\xa0000,00\xa0₽" in mail.outbox[0].body
    pdf = client.get(f"/office/notices/{notice.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    card = client.get(f"/office/accounts/{w['account'].pk}/").content.decode()
    assert f"Досудебное уведомление № {notice.pk}" in card


def test_the_restriction_warning_asks_how_it_is_delivered_first(client):
    w = world()
    _debt(w, Decimal("9000.00"), Decimal("3000.00"))
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    response = client.post("/office/debtors/notices/", {"account": [w["account"].pk], "kind": "restriction"})
    page = response.content.decode()
    assert response.status_code == 200 and "Способ доставки" in page and "вручение под расписку" in page
    assert not DebtNotice.objects.filter(kind="restriction", delivery__gt="").exists()  # the PDF: test_restriction


def test_a_paid_request_is_accepted_with_a_comment_and_logged(client):
    w = world()
    dispatcher = make_operator(w["org"], Role.DISPATCHER)
    client.force_login(dispatcher)
    url = f"/office/requests/{w['paid'].pk}/"
    assert client.post(url, {"status": "nonsense"}).status_code == 400
    assert client.post(url, {"status": "accepted", "comment": "Мастер придёт 20.12"}).status_code == 302
    w["paid"].refresh_from_db()
    assert (w["paid"].status, w["paid"].operator_comment) == ("accepted", "Мастер придёт 20.12")
    assert OfficeAction.objects.filter(kind="request_changed", actor=dispatcher, account=w["account"]).exists()


def test_the_accountant_closes_calculates_reviews_and_publishes_the_month(client, django_capture_on_commit_callbacks):
    w = world()
    service = f.ServiceFactory(organisation=w["org"], name="Вывоз ТКО", method="fixed", resource="")
    f.TariffFactory(service=service, valid_from=dt.date(2020, 1, 1), valid_to=None, price=Decimal("321.00"))
    accountant = make_operator(w["org"], Role.ACCOUNTANT)
    client.force_login(accountant)
    page = client.get("/office/cycle/").content.decode()
    assert "Закрыть приём показаний" in page and "Причина досрочного шага" in page
    run = f"/office/cycle/{w['period'].pk}/run/"
    refused = client.post(run, {"step": "close_readings"}, follow=True).content.decode()
    assert "Досрочно — только с письменной причиной" in refused
    w["period"].refresh_from_db()
    assert w["period"].state == "open"
    assert client.post(run, {"step": "close_readings", "reason": "мало"}, follow=True).status_code == 200
    w["period"].refresh_from_db()
    assert w["period"].state == "open"
    reason = "Пробный расчёт для проверки тарифов"
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit sends the step's job
        client.post(run, {"step": "close_readings", "reason": reason})
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(run, {"step": "calculate", "reason": reason}, follow=True).content.decode()
    assert "поставлено в очередь" in page
    page = client.get("/office/cycle/").content.decode()
    assert "Наибольшие изменения по лицевым счетам" in page and "321,00" in page
    assert "Задания шагов" in page and 'data-job-status="/office/jobs/' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(run, {"step": "publish", "reason": reason})
    w["period"].refresh_from_db()
    assert w["period"].state == "published"
    assert OfficeAction.objects.filter(kind="cycle_step", actor=accountant).count() == 3


def test_the_debt_now_counts_payments_posted_after_the_last_published_month():
    from abonent.billing.models import LedgerEntry  # noqa: PLC0415
    from abonent.billing.statements import debts  # noqa: PLC0415
    from abonent.office import money  # noqa: PLC0415

    w = world()
    _debt(w, Decimal("9000.00"), Decimal("3000.00"))
    other = f.PersonalAccountFactory(premises=f.PremisesFactory(building=w["building"]))
    AccountBalance.objects.create(account=other, period=BillingPeriod.objects.get(state="published"),
                                  charged=Decimal("500"), closing=Decimal("500"))  # fmt: skip
    assert money.total_debt(w["org"]) == (Decimal("9500.00"), 2)
    for account, amount, key in ((w["account"], "10000.00", "a"), (other, "200.00", "b")):
        LedgerEntry.objects.create(account=account, period=w["period"], kind="payment", amount=Decimal(amount),
                                   occurred_on=dt.date(2026, 12, 2), idempotency_key=f"test:{key}")  # fmt: skip
    per_account = debts([w["account"].pk, other.pk])
    assert money.total_debt(w["org"]) == (Decimal("300.00"), 1) == (
        sum(d for d in per_account.values() if d > 0), sum(1 for d in per_account.values() if d > 0))  # fmt: skip
