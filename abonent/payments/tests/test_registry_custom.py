"""An operator-defined registry layout reads the file it describes (fields by column, separator, encoding, date
format, decimal comma, summary line); the preview shows the first lines as read and what would refuse the file,
and imports nothing; another organisation's layout is not found."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.payments.models import Payment, RegistryLayout
from abonent.payments.registry import registry_import
from abonent.payments.registry_custom import choices_for, layout_named
from abonent.payments.registry_preview import registry_preview
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def own():
    org = f.OrganisationFactory()
    layout = RegistryLayout.objects.create(
        organisation=org, title="Банк Восход", encoding="utf-8", separator="|", date_format="%Y-%m-%d",
        decimal_comma=True, paid_on=1, payment_id=2, account=3, payer=4, amount=5, period=6,
        summary_prefix="ИТОГО|", summary_count=1, summary_total=2,
    )  # fmt: skip
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    return org, layout, account


def registry(account, amount="1 234,56", date="2026-11-05", total="1 334,56") -> bytes:
    lines = [f"{date}|В-1|{account}|Ёлкин П. И.|{amount}|11.2026", f"2026-11-06|В-2|{account}|Ёлкин П. И.|100,00|"]
    return ("\r\n".join([*lines, f"ИТОГО|2|{total}"]) + "\r\n").encode("utf-8")


def test_the_preview_reads_the_lines_as_the_layout_says_and_imports_nothing(own):
    org, layout, account = own
    preview = registry_preview(registry(account.number), layout_named(org, f"own-{layout.pk}"))
    assert preview.importable and preview.total == 2 and preview.summary == "ИТОГО|2|1 334,56"
    first = preview.lines[0].line
    assert (first.paid_on, first.payment_id, first.account, first.payer) == (
        dt.date(2026, 11, 5), "В-1", account.number, "Ёлкин П. И.")  # fmt: skip
    assert first.amount == D("1234.56") and first.named_period == dt.date(2026, 11, 1)
    assert not Payment.objects.exists()


def test_the_preview_names_a_bad_line_and_a_summary_that_does_not_add_up(own):
    org, layout, account = own
    bad = registry_preview(registry(account.number, date="05.11.2026"), layout_named(org, f"own-{layout.pk}"))
    assert bad.lines[0].error == "неверная дата «05.11.2026»" and bad.lines[1].line.amount == D("100.00")
    assert not bad.importable and "строка 1: неверная дата «05.11.2026»" in bad.errors[0]
    off = registry_preview(registry(account.number, total="1 000,00"), layout_named(org, f"own-{layout.pk}"))
    assert off.errors == ["Реестр не сходится: в итоговой строке сумма 1000.00, по строкам 1334.56."]
    wrong = registry_preview(registry(account.number).decode().encode("cp1251"), layout_named(org, f"own-{layout.pk}"))
    assert not wrong.lines and "ожидает файл в кодировке utf-8, а файл — в кодировке cp1251" in wrong.errors[0]


def test_the_import_credits_what_the_preview_showed(own):
    org, layout, account = own
    result = registry_import(organisation=org, data=registry(account.number), file_name="vosxod.txt",
                             layout=layout_named(org, f"own-{layout.pk}"))  # fmt: skip
    assert result.created == 2
    assert sorted(Payment.objects.filter(account=account).values_list("amount", flat=True)) == [
        D("100.00"),
        D("1234.56"),
    ]


def test_another_organisations_layout_is_not_found(own):
    org, layout, _ = own
    other = f.OrganisationFactory()
    assert (f"own-{layout.pk}", "Свой формат: Банк Восход") in choices_for(org)
    assert all(name != f"own-{layout.pk}" for name, _ in choices_for(other))
    with pytest.raises(LookupError):
        layout_named(other, f"own-{layout.pk}")
