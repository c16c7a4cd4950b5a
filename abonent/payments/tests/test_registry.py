"""Bank registries: reconciled or refused whole, idempotent, unmatched lines kept, readings taken."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from abonent.billing import ledger
from abonent.billing.models import LedgerEntry
from abonent.metering.models import Reading
from abonent.payments import registry, services
from abonent.payments.models import Payment, Registry, UnmatchedLine
from abonent.testing import factories as f

from .conftest import debt, indebted_account

pytestmark = pytest.mark.django_db


def line(account, amount, pid, date="05/11/2026", readings=""):
    return f"{date};10-15-00;8588;0001;{pid};{account};Иванов И.И.;ул. Гончарова, 1;102026;{amount};0.00;{readings}"


def build(lines, count=None, total=None, encoding="cp1251"):
    amounts = [D(x.split(";")[9].replace(",", ".")) if _ok(x) else D(0) for x in lines]
    count = len(lines) if count is None else count
    total = sum(amounts, D("0")) if total is None else total
    return ("\r\n".join([*lines, f"={count};{total};0.00"]) + "\r\n").encode(encoding)


def _ok(x):
    try:
        D(x.split(";")[9].replace(",", "."))
        return True
    except Exception:
        return False


def snapshot():
    return (
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        UnmatchedLine.objects.count(),
        Registry.objects.count(),
    )


def test_import_credits_and_is_idempotent():
    account = indebted_account()
    org = account.organisation
    data = build(
        [line(account.number, "1000.00", "P1"), line(account.number, "250.50", "P2"), line("999", "10.00", "P3")]
    )
    result = registry.registry_import(organisation=org, data=data, file_name="r.txt")
    assert (result.created, result.unmatched, result.duplicates) == (2, 1, 0)
    assert debt(account) == D("249.50")
    before = snapshot()
    again = registry.registry_import(organisation=org, data=data, file_name="r.txt")
    assert (again.created, again.unmatched, again.duplicates) == (0, 0, 3)
    assert snapshot()[:3] == before[:3]
    assert debt(account) == D("249.50")
    # the ledger entry point recognises a registry payment: posting it again is a no-op
    p = Payment.objects.get(external_id__contains=":P1:")
    _, created = ledger.ledger_post_payment(
        account=account, amount=p.amount, paid_on=p.paid_on, source=p.ledger_source, external_id=p.external_id
    )
    assert not created


def test_unmatched_line_resolved_by_hand():
    account = indebted_account()
    org = account.organisation
    registry.registry_import(organisation=org, data=build([line("000", "300.00", "X")]), file_name="r.txt")
    unmatched = UnmatchedLine.objects.get()
    operator = f.OperatorFactory(organisation=org)
    services.unmatched_resolve(line=unmatched, account=account, actor=operator)
    services.unmatched_resolve(line=unmatched, account=account, actor=operator)
    assert debt(account) == D("1200.00")
    assert Payment.objects.filter(account=account, channel="bank").count() == 1


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda n: build([line(n, "100.00", "A")], total=D("100.01")), "сумма"),
        (lambda n: build([line(n, "100.00", "A")], count=2), "в итоговой строке 2"),
        (lambda n: build([line(n, "100.00", "A", date="31/02/2026")]), "неверная дата"),
        (lambda n: build([line(n, "10O.00", "A")], total=D("0")), "неверная сумма"),
        (lambda n: build([line(n, "100.00", "A")], encoding="utf-8"), "кодировке"),
        (lambda n: line(n, "100.00", "A").encode("cp1251"), "итоговой строки"),
        (lambda n: build([line(n, "100.00", "A"), line(n, "100.00", "A")]), "повторяется"),
    ],
)
def test_bad_files_refused_whole(make, message):
    account = indebted_account()
    data = make(account.number)
    before = snapshot()
    with pytest.raises(registry.RegistryError) as exc:
        registry.registry_import(organisation=account.organisation, data=data, file_name="bad.txt")
    assert message in str(exc.value)
    assert snapshot() == before
    assert debt(account) == D("1500.00")


def test_file_with_a_bad_line_among_good_ones_changes_nothing():
    account = indebted_account()
    lines = [line(account.number, "50.00", "G1"), line(account.number, "5x", "G2")]
    data = build(lines, total=D("50.00"))
    with pytest.raises(registry.RegistryError, match="строка 2"):
        registry.registry_import(organisation=account.organisation, data=data, file_name="bad.txt")
    assert Payment.objects.count() == 0 and debt(account) == D("1500.00")


def test_readings_in_lines_become_bank_readings():
    account = indebted_account()
    meter = f.MeterFactory(premises=account.premises, serial_number="SN-1")
    data = build([line(account.number, "100.00", "R1", readings="SN-1:12|NOPE:5")])
    result = registry.registry_import(organisation=account.organisation, data=data, file_name="r.txt")
    assert Reading.objects.filter(meter=meter, channel=Reading.Channel.BANK).count() == result.readings
    assert any("NOPE" in e for e in result.reading_errors)


def test_management_command(tmp_path, capsys):
    account = indebted_account()
    path = tmp_path / "sber.txt"
    path.write_bytes(build([line(account.number, "1500,00".replace(",", "."), "C1", date="05.11.2026")]))
    call_command("import_payments", str(path), "--format", "sber", "--org", account.organisation.code)
    assert "Зачислено платежей: 1" in capsys.readouterr().out
    assert debt(account) == D("0.00")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(build([line(account.number, "1.00", "C2")], total=D("2")))
    with pytest.raises(CommandError, match="не сходится"):
        call_command("import_payments", str(bad), "--org", account.organisation.code)


def test_dates_dd_mm_yyyy_with_dots_and_decimal_comma_layout():
    account = indebted_account()
    layout = registry.Layout(name="x", decimal_comma=True, columns=registry.SBER.columns)
    data = build([line(account.number, "99,90", "D1", date="06.11.2026")], total="99,90")
    registry.registry_import(organisation=account.organisation, data=data, file_name="r.txt", layout=layout)
    assert Payment.objects.get().paid_on == dt.date(2026, 11, 6)


def test_payer_name_with_backslash_and_tab_kept_verbatim():
    account = indebted_account()
    raw = line(account.number, "10.00", "E1").replace("Иванов И.И.", "Иванов\\\tИ.")
    registry.registry_import(organisation=account.organisation, data=build([raw]), file_name="r.txt")
    assert Payment.objects.get().payer_name == "Иванов\\\tИ."


def test_cp1251_file_under_the_utf8_layout_refused():
    account = indebted_account()
    data = build([line(account.number, "10.00", "W1")])  # cp1251
    with pytest.raises(registry.RegistryError, match="кодировке utf-8"):
        registry.registry_import(
            organisation=account.organisation, data=data, file_name="r.txt", layout=registry.LAYOUTS["sber-utf8"]
        )
    assert not Payment.objects.exists()
