from decimal import Decimal as D

import pytest

from abonent.receipts import qr


def payment(**kw):
    values = dict(
        name="ООО «УК»",
        personal_acc="40702810990000000000",
        bank_name="ПАО Сбербанк",
        bic="047308602",
        corresp_acc="30101810000000000602",
        payee_inn="7325000006",
        kpp="732501001",
        purpose="Оплата ЖКУ",
        total=D("2581.80"),
        pers_acc="820000000",
        paym_period="102026",
    )
    values.update(kw)
    return qr.Payment(**values)


def test_exact_payload_in_the_order_banks_expect():
    assert qr.payload(payment()) == (
        "ST00012|Name=ООО «УК»|PersonalAcc=40702810990000000000|BankName=ПАО Сбербанк|BIC=047308602|"
        "CorrespAcc=30101810000000000602|KPP=732501001|PayeeINN=7325000006|Purpose=Оплата ЖКУ|Sum=258180|"
        "PersAcc=820000000|PaymPeriod=102026|TechCode=02"
    )


def test_optional_payer_fields_and_zero_for_an_advance():
    text = qr.payload(payment(total=D("-10.00"), last_name="Иванов", payer_address="ул. Гончарова,\n1"))
    fields = qr.parse(text)
    assert fields["Sum"] == "0"
    assert fields["LastName"] == "Иванов"
    assert fields["PayerAddress"] == "ул. Гончарова, 1"
    assert list(fields)[-1] == "TechCode"


def test_limits():
    fields = qr.parse(qr.payload(payment(name="Я" * 200, bank_name="Б" * 60, purpose="П" * 170)))
    assert len(fields["Name"]) == 160 and len(fields["BankName"]) == 45 and len(fields["Purpose"]) == 160
    with pytest.raises(qr.QRError):
        qr.payload(payment(bic="04730860"))
    with pytest.raises(qr.QRError):
        qr.payload(payment(personal_acc="4070281099000000000X"))


def test_separator_switches_when_a_value_contains_it():
    text = qr.payload(payment(name="ООО «А|Б»"))
    assert text.startswith("ST00012#Name=ООО «А|Б»#PersonalAcc=")
    assert qr.parse(text)["Name"] == "ООО «А|Б»"
