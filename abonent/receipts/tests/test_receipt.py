"""The ЕПД's figures, its PDF text and its QR code as a banking app reads it."""

import io
import re

import pypdf
import pypdfium2
import pytest
import zxingcpp

from abonent.lib.numbers import money
from abonent.receipts import pdf, qr, selectors

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def decode_qr(data: bytes) -> str:
    page = pypdfium2.PdfDocument(data)[0]
    found = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    assert len(found) == 1
    return found[0].text


def test_receipt_figures(published, django_assert_max_num_queries):
    account = published["account"]
    with django_assert_max_num_queries(8):  # 7th: the production calendar's exceptions, 8th: the payees
        r = selectors.receipt_for(account=account, period=published["october"])
    assert [line.service for line in r.lines] == ["Обращение с ТКО", "Содержание жилого помещения"]
    assert r.balance.opening > 0  # September unpaid
    assert r.total == r.balance.closing == r.balance.opening + r.balance.charged
    assert selectors.receipt_for(account=account, period=published["november"]) is None


def test_pdf_text_and_qr(published):
    account = published["account"]
    r = selectors.receipt_for(account=account, period=published["october"])
    data = pdf.render([r])
    text = pdf_text(data)
    assert account.number in text
    assert "октябрь 2026" in text
    for line in r.lines:
        assert line.service in text
        assert money(line.charged).replace("\xa0", " ") in text
    assert f"{pdf.TOTAL_LABEL} {money(r.total)}".replace("\xa0", " ") in text
    assert account.activation_code in text
    assert "аванс (−)" in text  # the minus sign is in the subset font

    decoded = decode_qr(data)
    org = published["org"]
    # Exactly the payload, Cyrillic Name and Purpose included, read back as UTF-8 text.
    assert decoded == r.qr_payload()
    assert decoded.startswith(f"ST00012|Name={org.name}|") and "|Purpose=Оплата ЖКУ за октябрь 2026" in decoded
    fields = qr.parse(decoded)
    assert fields == {
        "Name": org.name,
        "PersonalAcc": org.settlement_account,
        "BankName": org.bank_name,
        "BIC": org.bik,
        "CorrespAcc": org.correspondent_account,
        "KPP": org.kpp,
        "PayeeINN": org.inn,
        "Purpose": f"Оплата ЖКУ за октябрь 2026, л/с {account.number}",
        "Sum": str(int(r.total * 100)),
        "PersAcc": account.number,
        "PaymPeriod": "102026",
        "PayerAddress": account.premises.address,
        "TechCode": "02",
    }


def test_receipts_of_one_period_in_a_fixed_number_of_queries_and_pdfs_in_sequence(published, django_assert_num_queries):
    """Eight queries whatever the number of accounts (the 7th reads the production calendar's exceptions for the due
    date, the 8th the payees); documents rendered one after another each keep their glyphs."""
    with django_assert_num_queries(8):
        receipts = selectors.receipts_computed(period=published["october"])
    assert [r.account for r in receipts] == sorted([published["account"], published["second"]], key=str)
    for r in receipts:
        assert r.account.number in pdf_text(pdf.render([r]))


def test_merged_batch_keeps_each_receipts_figures_and_qr(published):
    """The printing house's merged PDF (table cells and the QR written as raw operators): every page has its own
    account, service lines, total and a QR code whose sum and account are that page's."""
    receipts = selectors.receipts_for(period=published["october"])
    data = pdf.render(receipts)
    reader = pypdf.PdfReader(io.BytesIO(data))
    document = pypdfium2.PdfDocument(data)
    assert len(reader.pages) == len(document) == len(receipts) == 2
    for page, rendered, r in zip(reader.pages, document, receipts, strict=True):
        text = re.sub(r"\s+", " ", page.extract_text().replace("\xa0", " "))
        assert r.account.number in text
        assert f"{pdf.TOTAL_LABEL} {money(r.total)}".replace("\xa0", " ") in text
        for line in r.lines:
            assert line.service in text
            assert money(line.total).replace("\xa0", " ") in text
        found = zxingcpp.read_barcodes(rendered.render(scale=3).to_pil())
        assert len(found) == 1
        fields = qr.parse(found[0].text)
        assert fields["PersAcc"] == r.account.number
        assert fields["Sum"] == str(int(r.total * 100))
        assert found[0].text == r.qr_payload()
