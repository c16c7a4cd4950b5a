"""ГИС ЖКХ's template exports opened with openpyxl: sheet names, header rows, column order, the template version,
and the figures of the accounts, the issued ЕПД and the readings; the payment document ids loaded from ГИС ЖКХ's
answer stored on the issued receipt and printed on the ЕПД; a bad answer refused whole."""

import datetime as dt
import io
import re
import uuid
from decimal import Decimal as D

import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.utils import timezone

from abonent.billing.models import BillingPeriod
from abonent.exchange import gis_export
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.gis_documents import gis_documents_import
from abonent.exchange.gis_templates import ACCOUNTS, PAYMENT_DOCUMENTS, READINGS
from abonent.exchange.month_import import billing_month_import
from abonent.housing.models import Building, PersonalAccount
from abonent.metering.models import Reading, Resource
from abonent.receipts import pdf, selectors
from abonent.receipts.models import IssuedReceipt
from abonent.testing import factories as f

from .conftest import OCTOBER, month_file

pytestmark = pytest.mark.django_db
GUID = "5d2b8e0a-3c1f-4b7e-9a6d-2f0e1c3b4a59"


def opened(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def values(sheet, row: int) -> list:
    return [c.value for c in sheet[row]]


def headers_of(book, template) -> None:
    assert book.sheetnames == [s.name for s in template.sheets]
    for s in template.sheets:
        assert values(book[s.name], s.start_row - 1)[: len(s.columns)] == list(s.columns)


@pytest.fixture
def published(external):
    PersonalAccount.objects.filter(pk=external["first"].pk).update(igku="90АА123456-01", payer_name="Ёлкин Пётр Ильич")
    Building.objects.filter(pk=external["first"].premises.building_id).update(fias_guid=uuid.UUID(GUID))
    billing_month_import(
        organisation=external["org"], month=OCTOBER, data=month_file("csv"), file_name="o.csv", publish=True
    )
    return BillingPeriod.objects.get(organisation=external["org"], month=OCTOBER)


def test_accounts_in_the_template_layout(external, published):
    stored = gis_export.accounts_export(organisation=external["org"], on=dt.date(2026, 10, 15))
    book = opened(bytes(stored.content))
    headers_of(book, ACCOUNTS)
    assert book.properties.version == "11.11.0.5"
    assert book["Основные сведения"]["A1"].value == "Шаблон импорта лицевых счетов, версия 11.11.0.5"
    first = external["first"].premises
    row = values(book["Основные сведения"], 3)
    assert row[:9] == [1, "100001", "90АА123456-01", "ЛС УО", "Нет", "Нет", "Ёлкин", "Пётр", "Ильич"]
    assert D(str(row[17])) == first.total_area and row[20] == first.residents
    assert [r[1] for r in book["Основные сведения"].iter_rows(min_row=3, values_only=True)] == [
        "100001", "100002", "100003"]  # fmt: skip
    place = values(book["Помещения"], 3)
    assert place[:5] == [1, first.building.address, GUID, "Жилое помещение", first.number]
    assert stored.kind == "gis_export" and stored.lines == 6 and "версия 11.11.0.5" in stored.parameters
    again = gis_export.accounts_export(organisation=external["org"], on=dt.date(2026, 10, 15))
    assert bytes(again.content) == bytes(stored.content)  # the same data, the same file


def test_payment_documents_carry_the_epd_figures_and_the_gis_id_comes_back(external, published):
    stored = gis_export.payment_documents_export(period=published)
    book = opened(bytes(stored.content))
    headers_of(book, PAYMENT_DOCUMENTS)
    assert book["Разделы 1-2"]["A1"].value == "Шаблон импорта платежных документов, версия не подтверждена"
    first, second = values(book["Разделы 1-2"], 4), values(book["Разделы 1-2"], 5)
    number = IssuedReceipt.objects.get(account=external["first"]).number
    assert first[:4] == ["90АА123456-01", "Текущий", number, "10.2026"]
    # к оплате за период: начислено 231.92 + 195.19, перерасчёт −10.00, пени 1.15 = 418.26
    assert [D(str(first[i])) for i in (8, 9, 11, 15)] == [D("418.26"), D("300.00"), D("300.00"), D("418.26")]
    assert first[10] is None and D(str(second[10])) == D("50.00") and D(str(second[15])) == D("-50.00")
    assert first[16] == external["org"].bik and first[17] == external["org"].settlement_account
    lines = list(book["Разделы 3-6"].iter_rows(min_row=5, values_only=True))
    cold = next(r for r in lines if r[0] == number and r[1] == "Холодное водоснабжение")
    assert [D(str(cold[i])) for i in (4, 7, 10, 13, 29)] == [
        D("5.123"), D("45.27"), D("231.92"), D("-10.00"), D("221.92")]  # fmt: skip
    penalty = values(book["Неустойки и судебные расходы"], 3)
    assert penalty[:3] == [number, "Пени", None] and D(str(penalty[3])) == D("1.15")

    answer = opened(bytes(stored.content))  # ГИС ЖКХ returns the file with the ids filled in
    answer["Разделы 1-2"].cell(row=4, column=37, value="90АА123456-01-6101")
    out = io.BytesIO()
    answer.save(out)
    assert gis_documents_import(organisation=external["org"], data=out.getvalue(), file_name="answer.xlsx") == 1
    assert IssuedReceipt.objects.get(account=external["first"]).gis_document_id == "90АА123456-01-6101"
    receipt = selectors.receipt_for(account=external["first"], period=published)
    text = re.sub(
        r"\s+", " ", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.render([receipt]))).pages)
    )
    assert f"№ платёжного документа: {number} (идентификатор в ГИС ЖКХ 90АА123456-01-6101)" in text
    again = gis_export.payment_documents_export(period=published)
    assert values(opened(bytes(again.content))["Разделы 1-2"], 4)[36] == "90АА123456-01-6101"


def test_a_bad_answer_is_refused_whole(external, published):
    answer = opened(gis_export.payment_documents_export(period=published).content)
    answer["Разделы 1-2"].cell(row=4, column=37, value="90АА123456-01-6101")
    answer["Разделы 1-2"].cell(row=5, column=3, value="НЕТ-ТАКОГО")
    answer["Разделы 1-2"].cell(row=5, column=37, value="90АА123457-01-6101")
    out = io.BytesIO()
    answer.save(out)
    with pytest.raises(ExchangeRefused) as refused:
        gis_documents_import(organisation=external["org"], data=out.getvalue(), file_name="answer.xlsx")
    assert refused.value.errors == [
        "строка 5: платёжный документ № «НЕТ-ТАКОГО» не найден среди выпущенных организацией"
    ]
    assert not IssuedReceipt.objects.exclude(gis_document_id="").exists()
    other = f.OrganisationFactory()  # another organisation's numbers are not found either
    with pytest.raises(ExchangeRefused):
        gis_documents_import(organisation=other, data=out.getvalue(), file_name="answer.xlsx")


def test_readings_of_the_month(external, tmp_path):
    meter = f.MeterFactory(premises=external["first"].premises, serial_number="ХВ-1", resource=Resource.COLD_WATER)
    submitted = timezone.make_aware(dt.datetime(2026, 10, 24, 23, 30), external["org"].tz)
    Reading.objects.create(meter=meter, period=OCTOBER, value=D("123.456"), submitted_at=submitted,
                           channel=Reading.Channel.PORTAL, status=Reading.Status.ACCEPTED)  # fmt: skip
    Reading.objects.create(meter=meter, period=dt.date(2026, 9, 1), value=D("120"), submitted_at=submitted,
                           channel=Reading.Channel.PORTAL, status=Reading.Status.ACCEPTED)  # fmt: skip
    out = tmp_path / "readings.xlsx"
    call_command("export_gis", "readings", "--org", external["org"].code, "--month", "10.2026", "--out", str(out),
                 stdout=io.StringIO())  # fmt: skip
    book = opened(out.read_bytes())
    headers_of(book, READINGS)
    assert book.properties.version == "13.1.3.1"
    rows = list(book["Импорт показаний ИПУ"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    address, gis_number, resource, period, value, *_, day = rows[0]
    assert (address, gis_number, resource, period) == (
        meter.premises.building.address,
        None,
        "Холодная вода",
        "10.2026",
    )
    assert D(str(value)) == D("123.456") and day.date() == dt.date(2026, 10, 24)
