"""lib.tables: the one CSV/XLSX writer of the subscriber's pages and the back office's exports."""

import datetime as dt
import io
from decimal import Decimal as D

from openpyxl import load_workbook

from abonent.lib.tables import Table, response, to_csv, to_xlsx


def table(rows):
    return Table("t", "Платежи и начисления за длинный период", ["Дата", "Сумма", "Кто", "Пусто"], rows)


ROWS = [[dt.date(2026, 11, 23), D("1234.5"), "Иванов; И.", None], [dt.date(2026, 12, 1), D("1E+1"), "Петров", ""]]


def test_csv_is_excels_russian_dialect():
    text = to_csv(table(ROWS)).decode("utf-8")
    assert text == (
        "\ufeffДата;Сумма;Кто;Пусто\r\n"
        '23.11.2026;1234,5;"Иванов; И.";\r\n'
        "01.12.2026;10;Петров;\r\n"  # a normalized Decimal is written out, never "1E+1"
    )


def test_csv_drops_the_stored_zeros_past_the_kopecks():
    # A reading and a норматив stored with six places, an amount with two, a float-noise value of seven.
    rows = [[D("59.200000"), D("0.018100"), D("1234.50"), D("695623.1599999")]]
    text = to_csv(Table("t", "t", ["a", "b", "c", "d"], rows)).decode("utf-8")
    assert text.splitlines()[1] == "59,20;0,0181;1234,50;695623,16"


def test_xlsx_keeps_numbers_and_dates_as_cells_of_their_type():
    sheet = load_workbook(io.BytesIO(to_xlsx(table(iter(ROWS))))).active  # a generator is read once
    assert sheet.title == "Платежи и начисления за длинный"  # 31 characters, Excel's limit
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["Дата", "Сумма", "Кто", "Пусто"]
    day, amount, who = rows[1][:3]
    assert day.value == dt.datetime(2026, 11, 23) and day.number_format == "DD.MM.YYYY"
    assert amount.value == 1234.5 and amount.number_format == "#,##0.00####"
    assert who.value == "Иванов; И." and rows[1][3].value is None
    assert sheet.column_dimensions["A"].width == 12 and sheet.column_dimensions["D"].width == 12


def test_response_is_a_download_named_after_the_table():
    result = response(table(ROWS), "csv")
    assert result["Content-Type"] == "text/csv; charset=utf-8"
    assert result["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert response(table(ROWS), "xlsx")["Content-Type"].startswith("application/vnd.openxmlformats")
