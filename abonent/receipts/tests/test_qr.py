import io
import itertools
from decimal import Decimal as D

import pytest
import segno
import zxingcpp
from PIL import Image

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


def payload_of_length(version: int, *, full: bool) -> str:
    """Cyrillic, Latin, digits and the separator, as many UTF-8 bytes as fill `version` (or half of it)."""
    capacity = qr._data_codewords(version) - (2 if version < 10 else 3)  # less the mode and count
    length = capacity if full else max(1, capacity // 2)
    text = "".join(next(CHARACTERS) for _ in range(length))
    while len(text.encode()) > length:
        text = text[:-1]
    return text + "x" * (length - len(text.encode()))


CHARACTERS = itertools.cycle("ST00012|Name=ООО «УК» №5 Оплата ЖКУ — ёЁ л/с 8200")


def byte_mode_first(rows: list[str]) -> str:
    """The first four data bits (the first mode indicator): the two right columns, bottom up, mask 2 undone."""
    n = len(rows)
    bits = [int(rows[y][x]) ^ (x % 3 == 0) for y in (n - 1, n - 2) for x in (n - 1, n - 2)]
    return "".join(map(str, bits))


@pytest.mark.parametrize("version", range(1, 41))
def test_symbol_is_segnos_module_for_module(version):
    """At a version's full capacity (below it segno writes one more zero byte before the pad codewords) the symbol
    is the reference encoder's with the same level and mask: function patterns, version information, blocks,
    error correction, interleaving, placement and mask."""
    text = payload_of_length(version, full=True)
    reference = segno.make(text, error="m", mode="byte", encoding="utf-8", micro=False, boost_error=False, mask=2)
    assert reference.version == version
    assert qr.matrix(text) == ["".join(str(module & 1) for module in row) for row in reference.matrix]


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_reads_back_exactly_as_one_byte_segment_without_eci(version):
    text = payload_of_length(version, full=False)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.png(text, scale=3))))
    assert len(found) == 1
    assert found[0].text == text
    assert found[0].bytes == text.encode()  # the UTF-8 bytes themselves, not Windows-1251 or Latin-1
    assert found[0].extra["UEC"] == 1.0  # no error corrected: every codeword is right
    assert found[0].extra["ECLevel"] == "M" and found[0].extra["DataMask"] == 2
    assert byte_mode_first(qr.matrix(text)) == "0100"  # byte mode, not an ECI designator (0111)


def test_receipt_payload_reads_back_as_utf8_text():
    text = qr.payload(payment(name="ООО «УК Ромашка»", purpose="Оплата ЖКУ за октябрь 2026, л/с 820000000"))
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.png(text))))
    assert found[0].text == text and found[0].text.startswith("ST00012|Name=ООО «УК Ромашка»|")
    assert found[0].content_type == zxingcpp.ContentType.Text
