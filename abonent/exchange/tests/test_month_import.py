"""Import of a month from an external billing: the card, the debt and the ЕПД show exactly the file's figures, in
every format and encoding; a bad file is refused whole with line numbers and nothing changes."""

import io
import re
from decimal import Decimal as D

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.core.management import CommandError, call_command

from abonent.billing import cycle, service_ledger, statements
from abonent.billing.errors import BillingError
from abonent.billing.models import AccountBalance, BillingPeriod, Charge, Penalty, Recalculation, ServiceBalance
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.models import BillingMapping, ExchangeFile, ImportedLine
from abonent.exchange.month_import import billing_month_import
from abonent.orgs.dates import add_months
from abonent.orgs.models import Organisation
from abonent.receipts import pdf, qr, selectors

from .conftest import OCTOBER, ROWS, month_file

pytestmark = pytest.mark.django_db


def _import(ctx, data, name, **kwargs):
    return billing_month_import(organisation=ctx["org"], month=OCTOBER, data=data, file_name=name, **kwargs)


def _pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def _qr(data: bytes) -> str:
    found = zxingcpp.read_barcodes(pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil())
    assert len(found) == 1
    return found[0].text


def _figures_written() -> tuple:
    return (
        Charge.objects.count(),
        Recalculation.objects.count(),
        Penalty.objects.count(),
        AccountBalance.objects.count(),
        ImportedLine.objects.count(),
        BillingPeriod.objects.filter(state=BillingPeriod.State.PUBLISHED).count(),
    )


FORMATS = [
    ("csv", "utf-8"),
    ("csv", "cp1251"),
    ("csv", "cp866"),
    ("xlsx", "utf-8"),
    ("dbf", "cp866"),
    ("dbf", "cp1251"),
]


@pytest.mark.parametrize(("fmt", "encoding"), FORMATS)
def test_round_trip_card_debt_and_epd_show_the_files_figures(external, fmt, encoding):
    if fmt == "dbf":
        BillingMapping.objects.create(organisation=external["org"], preset="dbf-latin")
    result = _import(external, month_file(fmt, encoding), f"october.{fmt}", publish=True)
    assert result.published and result.lines == 3 and result.accounts == 2
    assert result.missing == ["100003"]
    assert result.file.encoding == ("xlsx" if fmt == "xlsx" else encoding)
    first, second = external["first"], external["second"]

    assert statements.debt_of(first) == D("418.26")
    assert statements.debt_of(second) == D("-50.00")
    month = statements.last_month(first)
    assert sorted((r.service, r.volume, r.price, r.charged, r.recalculated) for r in month.rows) == [
        ("Водоотведение", D("5.123"), D("38.10"), D("195.19"), D("0")),
        ("Холодное водоснабжение", D("5.123"), D("45.27"), D("231.92"), D("-10.00")),
    ]
    assert month.penalty == D("1.15")
    b = month.balance
    assert (b.opening, b.charged, b.recalculated, b.penalties, b.paid, b.closing) == (
        D("300.00"), D("427.11"), D("-10.00"), D("1.15"), D("300.00"), D("418.26"),
    )  # fmt: skip

    period = BillingPeriod.objects.get(organisation=external["org"], month=OCTOBER)
    receipt = selectors.receipt_for(account=first, period=period)
    assert receipt.total == D("418.26")
    data = pdf.render([receipt])
    text = _pdf_text(data)
    assert first.number in text and "октябрь 2026" in text
    for amount in ("231,92", "195,19", "418,26"):
        assert amount in text
    fields = qr.parse(_qr(data))
    assert fields["Sum"] == "41826" and fields["PersAcc"] == "100001"


def test_external_mode_refuses_calculate(external):
    org = external["org"]
    cycle.period_close(organisation=org, month=OCTOBER, step="close_readings", force_reason="проверка режима биллинга")
    with pytest.raises(BillingError, match="ведёт расчёт во внешнем биллинге"):
        cycle.period_close(organisation=org, month=OCTOBER, step="calculate", force_reason="проверка режима биллинга")
    assert not Charge.objects.exists()


def test_own_billing_refuses_an_import(external):
    Organisation.objects.filter(pk=external["org"].pk).update(billing_mode=Organisation.BillingMode.OWN)
    external["org"].refresh_from_db()
    with pytest.raises(ExchangeRefused, match="собственный расчёт"):
        _import(external, month_file("csv"), "october.csv")
    assert _figures_written() == (0, 0, 0, 0, 0, 0)


def test_reimport_is_a_new_version_replacing_the_figures_old_kept(external):
    _import(external, month_file("csv"), "v1.csv")
    changed = [list(r) for r in ROWS]
    changed[1][5], changed[1][10] = "200.00", "200.00"
    second = _import(external, month_file("csv", rows=changed), "v2.csv")
    assert second.file.version == 2
    files = ExchangeFile.objects.filter(status="accepted").order_by("version")
    assert [(x.version, x.is_current) for x in files] == [(1, False), (2, True)]
    assert ImportedLine.objects.filter(file=files[0]).count() == 3  # the old version kept whole
    assert Charge.objects.count() == 3  # never mixed: only the current version's lines
    assert AccountBalance.objects.get(account=external["first"]).closing == D("423.07")


def test_published_month_refuses_reimport(external):
    _import(external, month_file("csv"), "v1.csv", publish=True)
    before = _figures_written()
    with pytest.raises(ExchangeRefused, match="уже опубликован"):
        _import(external, month_file("csv"), "v2.csv")
    assert _figures_written() == before


def _refused(ctx, data, name, match):
    with pytest.raises(ExchangeRefused, match=match) as caught:
        _import(ctx, data, name)
    assert _figures_written() == (0, 0, 0, 0, 0, 0)
    audit = ExchangeFile.objects.get()
    assert audit.status == "refused" and bytes(audit.content) == data
    return caught.value


def test_wrong_encoding_refused(external):
    BillingMapping.objects.create(organisation=external["org"], encoding="cp1251")
    _refused(external, month_file("csv", "utf-8"), "october.csv", "кодировке utf-8.*ожидает cp1251")


def test_missing_column_refused(external):
    headers = ["ЛС", "Услуга", "Ед", "Объём", "Начислено", "Перерасчёт", "Пени", "Сальдо", "Оплачено", "К оплате"]
    rows = [r[:4] + r[5:] for r in ROWS]
    _refused(external, month_file("csv", rows=rows, headers=headers), "october.csv", "нет колонки «Тариф»")


def test_duplicate_account_service_refused_with_line_numbers(external):
    rows = [*ROWS, ROWS[0]]
    error = _refused(external, month_file("csv", rows=rows), "october.csv", "строка 5: счёт 100001")
    assert "повторяет строку 2" in str(error)


def test_sum_that_does_not_add_up_refused(external):
    rows = [list(r) for r in ROWS]
    rows[2][10] = "-49.00"
    _refused(external, month_file("xlsx", rows=rows), "october.xlsx", r"строка 4: к оплате -49,00.*= -50,00")


def test_every_bad_line_named(external):
    rows = [list(r) for r in ROWS]
    rows[0][0] = "999999"
    rows[1][5] = "12,3x"
    rows[2][1] = "Газ"
    error = _refused(external, month_file("csv", rows=rows), "october.csv", "строка 2")
    assert error.errors == [
        "строка 2: лицевой счёт «999999» не найден в организации",
        "строка 3: «начислено» — не число: «12,3x»",
        "строка 4: услуга «Газ» не найдена среди услуг организации",
    ]


def test_truncated_dbf_refused(external):
    BillingMapping.objects.create(organisation=external["org"], preset="dbf-latin")
    data = month_file("dbf", "cp866")
    _refused(external, data[:-60], "october.dbf", "файл DBF обрезан: заголовок обещает 3 записей, целых в файле — 2")


def test_dbf_whose_text_is_not_its_stated_code_page_refused(external):
    BillingMapping.objects.create(organisation=external["org"], preset="dbf-latin")
    data = bytearray(month_file("dbf", "cp1251"))
    data[29] = 0x65  # says cp866
    _refused(external, bytes(data), "october.dbf", "объявляет кодировку cp866")


def test_command_imports_and_refuses(external, tmp_path, capsys):
    good = tmp_path / "october.csv"
    good.write_bytes(month_file("csv", "cp1251"))
    call_command("import_billing_month", str(good), org=external["org"].code, month="10.2026", publish=True)
    out = capsys.readouterr().out
    assert "версия 1" in out and "нет в файле 1 открытых счетов: 100003" in out and "опубликован" in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(month_file("csv", rows=[ROWS[0], ROWS[0]]))
    with pytest.raises(CommandError, match="строка 3"):
        call_command("import_billing_month", str(bad), org=external["org"].code, month="11.2026")


def test_publish_before_the_months_end_refused_before_anything_is_written(external):
    with pytest.raises(ExchangeRefused, match="Рано опубликовать период"):
        billing_month_import(
            organisation=external["org"],
            month=add_months(external["org"].today(), 1),  # next month: early whatever the day
            data=month_file("csv"),
            file_name="now.csv",
            publish=True,
        )
    assert _figures_written() == (0, 0, 0, 0, 0, 0)


def test_comma_decimals_and_grouped_thousands_read(external):
    rows = [[c.replace(".", ",") for c in row] for row in ROWS]
    rows[0][8], rows[0][9] = "1 300,00", "1\u00a0300,00"
    billing_month_import(
        organisation=external["org"], month=OCTOBER, data=month_file("csv", "cp1251", rows=rows), file_name="c.csv"
    )
    assert AccountBalance.objects.get(account=external["first"]).closing == D("418.26")


def test_imported_month_writes_the_ledger_by_service_that_sums_to_the_accounts(external):
    """The per-service rows are the file's lines as given (opening, penalties and paid per service, not spread),
    they add up to the account balances, and the close's comparison of the two ledgers holds after publish and
    after a re-import replaces the draft."""
    _import(external, month_file("csv"), "v1.csv")
    _import(external, month_file("csv"), "v2.csv", publish=True)
    period = BillingPeriod.objects.get(organisation=external["org"], month=OCTOBER)
    rows = {
        (r.account.number, r.service.code): (r.opening, r.charged, r.recalculated, r.penalties, r.paid, r.closing)
        for r in ServiceBalance.objects.filter(period=period).select_related("account", "service")
    }
    assert rows == {
        ("100001", "cold"): (D("300.00"), D("231.92"), D("-10.00"), D("1.15"), D("300.00"), D("223.07")),
        ("100001", "sewer"): (D("0"), D("195.19"), D("0"), D("0"), D("0"), D("195.19")),
        ("100002", "cold"): (D("-50.00"), D("0"), D("0"), D("0"), D("0"), D("-50.00")),
    }
    service_ledger.check(period)  # raises on any difference between the two ledgers
    debts = {(d.name, d.debt) for d in statements.service_debts([external["first"].pk])[external["first"].pk]}
    assert debts == {("Холодное водоснабжение", D("223.07")), ("Водоотведение", D("195.19"))}
