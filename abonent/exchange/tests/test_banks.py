"""Banks: the debt registry made on publish, and a 1CClientBankExchange statement credited through payments."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from abonent.billing import statements
from abonent.exchange.bank_statement import statement_import
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.models import ExchangeFile
from abonent.exchange.month_import import billing_month_import
from abonent.exchange.tasks import DEBT_REGISTRY
from abonent.jobs.models import Job
from abonent.payments.models import Payment, UnmatchedLine
from abonent.testing import factories as f

from .conftest import OCTOBER, month_file

pytestmark = pytest.mark.django_db


def test_debt_registry_made_on_publish_by_a_job_downloaded_from_its_page(external, django_capture_on_commit_callbacks):
    org = external["org"]
    with django_capture_on_commit_callbacks(execute=True):
        billing_month_import(organisation=org, month=OCTOBER, data=month_file("csv"), file_name="o.csv", publish=True)
    job = Job.objects.get(kind=DEBT_REGISTRY)
    assert job.state == Job.State.FINISHED and job.organisation_id == org.pk
    registry = ExchangeFile.objects.get(kind="debt_registry")
    assert registry.file_name == f"{org.inn}_{org.settlement_account}_102026.txt"
    address = external["first"].premises.address
    # 100002 has an advance and 100003 nothing: only the debt is sent
    expected = f"100001;Иванов Иван Иванович;{address};102026;418.26\r\n".encode("cp1251")
    assert bytes(registry.content) == expected
    client = Client()
    client.force_login(f.OperatorFactory(organisation=org))
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    download = reverse("admin:exchange_exchangefile_download", args=[registry.pk])
    assert download in page and reverse("jobs:file", args=[job.pk]) in page
    assert b"".join(client.get(reverse("jobs:file", args=[job.pk])).streaming_content) == expected
    assert client.get(download).content == expected
    # on request: the same registry again, as a new job; a month not published is refused in Russian
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:exchange_exchangefile_debt_registry"), {"month": "10.2026"})
    again = Job.objects.filter(kind=DEBT_REGISTRY).latest("pk")
    assert response.url == reverse("jobs:detail", args=[again.pk]) and again.pk != job.pk
    assert ExchangeFile.objects.filter(kind="debt_registry", channel="request").get().content == expected
    refused = client.post(reverse("admin:exchange_exchangefile_debt_registry"), {"month": "11.2026"})
    assert "за этот месяц у организации нет периода" in refused.content.decode()


def statement(org, docs: list[dict], encoding="cp1251", declared="Windows") -> bytes:
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        f"Кодировка={declared}",
        f"РасчСчет={org.settlement_account}",
    ]
    for doc in docs:
        lines.append("СекцияДокумент=Платежное поручение")
        lines += [f"{k}={v}" for k, v in doc.items()]
        lines.append("КонецДокумента")
    lines.append("КонецФайла")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def doc(org, number, amount, purpose, receiver=None):
    return {
        "Номер": number,
        "Дата": "12.11.2026",
        "Сумма": amount,
        "ПлательщикСчет": "40817810000000000001",
        "Плательщик": "Иванов Иван Иванович",
        "ПолучательСчет": receiver or org.settlement_account,
        "НазначениеПлатежа": purpose,
    }


def test_statement_credits_matched_lists_the_rest_and_skips_outgoing(external):
    org = external["org"]
    billing_month_import(organisation=org, month=OCTOBER, data=month_file("csv"), file_name="o.csv", publish=True)
    docs = [
        doc(org, "11", "418.26", "Оплата за ЖКУ л/с 100001 за октябрь 2026"),
        doc(org, "12", "50.00", "Оплата воды, счёт 100002, НДС не облагается"),
        doc(org, "13", "70.00", "Оплата коммунальных услуг"),
        doc(org, "14", "999.00", "Аренда", receiver="40702810000000000999"),
    ]
    data = statement(org, docs)
    result = statement_import(organisation=org, data=data, file_name="kl_to_1c.txt")
    assert (result.credited, result.unmatched, result.skipped) == (2, 1, 1)
    assert statements.debt_of(external["first"]) == D("0.00")
    assert statements.debt_of(external["second"]) == D("-100.00")
    assert UnmatchedLine.objects.get().amount == D("70.00")
    again = statement_import(organisation=org, data=data, file_name="kl_to_1c.txt")
    assert (again.credited, again.duplicates) == (0, 3)
    assert Payment.objects.count() == 2
    assert ExchangeFile.objects.filter(kind="bank_statement").count() == 2


def test_bad_statement_refused_whole(external):
    org = external["org"]
    docs = [doc(org, "11", "418.26", "л/с 100001"), {**doc(org, "12", "1O.00", "л/с 100002")}]
    with pytest.raises(ExchangeRefused, match="строка 14: неверная сумма «1O.00»"):
        statement_import(organisation=org, data=statement(org, docs), file_name="s.txt")
    with pytest.raises(ExchangeRefused, match="объявляет кодировку cp1251.*utf-8"):
        statement_import(organisation=org, data=statement(org, docs[:1], encoding="utf-8"), file_name="s.txt")
    truncated = statement(org, docs[:1]).split("КонецДокумента".encode("cp1251"))[0]
    with pytest.raises(ExchangeRefused, match="файл обрезан"):
        statement_import(organisation=org, data=truncated, file_name="s.txt")
    assert not Payment.objects.exists() and not UnmatchedLine.objects.exists()


def test_statement_upload_in_the_back_office(client, external, django_capture_on_commit_callbacks):
    """The upload queues a job (run here once the request commits); its page shows the counts or the refusal."""
    org = external["org"]
    client.force_login(f.OperatorFactory(organisation=org))
    url = reverse("admin:exchange_exchangefile_statement")

    def upload(name, data):
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(url, {"file": SimpleUploadedFile(name, data)})
        assert r.status_code == 302 and r["Location"].startswith("/admin/jobs/")
        return client.get(r["Location"]).content.decode()

    page = upload("s.txt", statement(org, [doc(org, "21", "100.00", "л/с 100001")]))
    assert Payment.objects.get().account == external["first"] and "зачислено платежей: 1" in page
    page = upload("b.txt", statement(org, [doc(org, "22", "x", "л/с 100001")]))
    assert "неверная сумма «x»" in page and Payment.objects.count() == 1
