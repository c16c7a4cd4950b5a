"""ГИС ЖКХ identifiers from its XLSX: stored on the accounts and houses, printed on the ЕПД; a bad line refuses all."""

import io
import re

import openpyxl
import pypdf
import pytest
from django.core.management import call_command

from abonent.billing.models import BillingPeriod
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.gis_identifiers import gis_identifiers_import
from abonent.exchange.month_import import billing_month_import
from abonent.housing.models import PersonalAccount
from abonent.receipts import pdf, selectors

from .conftest import OCTOBER, month_file

pytestmark = pytest.mark.django_db
GUID = "0f6a7a5c-1c2b-4a8e-9d3f-7b6c5d4e3f21"


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Результат размещения лицевых счетов"])
    sheet.append(["Номер ЛС", "ЕЛС", "ИЖКУ", "GUID дома"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_identifiers_stored_and_shown_on_the_epd(external):
    data = workbook([["100001", "90АА123456", "90АА123456-01", GUID]])
    assert gis_identifiers_import(organisation=external["org"], data=data, file_name="gis.xlsx") == 1
    account = PersonalAccount.objects.get(pk=external["first"].pk)
    assert (account.els, account.igku) == ("90АА123456", "90АА123456-01")
    assert str(account.premises.building.fias_guid) == GUID
    billing_month_import(
        organisation=external["org"], month=OCTOBER, data=month_file("csv"), file_name="o.csv", publish=True
    )
    period = BillingPeriod.objects.get(organisation=external["org"])
    data = pdf.render([selectors.receipt_for(account=account, period=period)])
    text = re.sub(r"\s+", " ", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages))
    assert "Лицевой счёт: 100001 (ЕЛС 90АА123456; ИЖКУ 90АА123456-01)" in text


def test_bad_identifiers_refused_whole(external):
    data = workbook([["100001", "90АА123456", "", ""], ["100002", "12", "", "нет"], ["777", "", "", ""]])
    with pytest.raises(ExchangeRefused) as caught:
        gis_identifiers_import(organisation=external["org"], data=data, file_name="gis.xlsx")
    assert caught.value.errors == [
        "строка 4: ЕЛС «12» — не 10 цифр и букв",
        "строка 4: GUID дома «нет» неверный",
        "строка 5: лицевой счёт «777» не найден в организации",
    ]
    assert not PersonalAccount.objects.exclude(els="").exists()


def test_command(external, tmp_path, capsys):
    path = tmp_path / "gis.xlsx"
    path.write_bytes(workbook([["100002", "90АА000002", "", ""]]))
    call_command("import_gis_identifiers", str(path), org=external["org"].code)
    assert "для 1 лицевых счетов" in capsys.readouterr().out
    assert PersonalAccount.objects.get(number="100002").els == "90АА000002"
