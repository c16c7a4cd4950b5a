"""The ЕПД's figures, its PDF text and its QR code as a banking app reads it."""

import io
import re

import pypdf
import pypdfium2
import pytest
import zxingcpp
from fpdf import FPDF

from abonent.lib.numbers import money
from abonent.receipts import pdf, pdf_split, qr, selectors

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


def _xref_points_at_each_object(data: bytes) -> None:
    """Every in-use entry of the cross-reference table gives the offset of its own object."""
    xref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data[xref:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", data[xref : data.index(b"trailer", xref)])
    assert entries[0][2] == b"f"
    for number, (offset, _, kind) in enumerate(entries[1:], start=1):
        assert kind == b"n"
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)


def test_separate_pdfs_are_the_single_receipts_standalone(published):
    """The fast path (one document for the chunk, cut into a file per receipt) gives each receipt what rendering it
    alone gives: its page looks the same, the same text, the same QR code, and the file opens on its own with
    its fonts embedded and none of another receipt in it."""
    receipts = selectors.receipts_for(period=published["october"])
    files = pdf.render_separate(receipts)
    assert len(files) == len(receipts) == 2
    for data, r, other in zip(files, receipts, reversed(receipts), strict=True):
        alone = pdf.render([r])
        assert data.startswith(b"%PDF-1.3\n") and data.endswith(b"%%EOF\n")
        _xref_points_at_each_object(data)
        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        assert len(reader.pages) == 1
        fonts = reader.pages[0]["/Resources"]["/Font"]
        assert all(f.get_object()["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"] for f in fonts.values())
        assert pdf_text(data) == pdf_text(alone)
        assert other.account.number not in pdf_text(data)
        assert decode_qr(data) == decode_qr(alone) == r.qr_payload()
        fast, slow = (pypdfium2.PdfDocument(d)[0].render(scale=1).to_pil() for d in (data, alone))
        assert fast.tobytes() == slow.tobytes()
    assert pdf.render_separate([]) == []


def test_split_keeps_each_range_of_pages():
    """A range of several pages (a long receipt) becomes one file with those pages in order."""
    document = FPDF()
    document.add_font(pdf.FONT, "", str(pdf.font_files()[""]))
    for text in ("Первая", "Вторая", "Третья"):
        document.add_page()
        document.set_font(pdf.FONT, "", 12)
        document.cell(0, 10, f"Страница {text}")
    first, second = pdf_split.split(bytes(document.output()), [(1, 2), (3, 3)])
    for data in (first, second):
        _xref_points_at_each_object(data)
    assert [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(first), strict=True).pages] == [
        "Страница Первая",
        "Страница Вторая",
    ]
    assert [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(second), strict=True).pages] == ["Страница Третья"]
    assert len(pypdfium2.PdfDocument(first)) == 2


def _font_count(data: bytes) -> int:
    """The fonts a file's page uses, each embedded (a subset with its font program)."""
    fonts = pypdf.PdfReader(io.BytesIO(data), strict=True).pages[0]["/Resources"]["/Font"].values()
    assert all(f.get_object()["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"] for f in fonts)
    return len(fonts)


def test_each_separate_receipt_is_its_page_of_the_merged_pdf(published):
    """The e-mail's file and the printing house's page of the same receipt: the same text and the same QR code."""
    receipts = selectors.receipts_for(period=published["october"])
    merged = pdf.render(receipts)
    pages = pypdf.PdfReader(io.BytesIO(merged)).pages
    document = pypdfium2.PdfDocument(merged)
    for n, (data, r) in enumerate(zip(pdf.render_separate(receipts), receipts, strict=True)):
        page_text = re.sub(r"\s+", " ", pages[n].extract_text().replace("\xa0", " "))
        assert pdf_text(data) == page_text
        assert r.account.number in page_text
        found = zxingcpp.read_barcodes(document[n].render(scale=3).to_pil())
        assert [code.text for code in found] == [decode_qr(data)] == [r.qr_payload()]


def test_characters_outside_the_subset_font_are_drawn_not_dropped(published):
    """«Ё», Latin and «№» are in the subset made once per machine; «Ə» (an Azerbaijani surname) and «Ω» are not:
    they are drawn in the full DejaVu, embedded in that receipt's file only, and its text keeps every character."""
    receipts = selectors.receipts_for(period=published["october"])
    mine, other = 0, 1
    account = receipts[mine].account  # the receipt's own copy: what the PDF draws
    account.payer_name = "Ёлкина Jean-Luc Əliyeva Ωmega, № 5"
    files = pdf.render_separate(receipts)
    expected = f"Плательщик: {account.payer_name}"
    assert expected in pdf_text(files[mine])
    assert expected in pdf_text(pdf.render(receipts))
    assert expected in pdf_text(pdf.render([receipts[mine]]))
    assert receipts[other].account.payer_name not in pdf_text(files[mine])
    assert _font_count(files[mine]) == 3 and _font_count(files[other]) == 2  # the full font in that file only
    assert decode_qr(files[mine]) == receipts[mine].qr_payload()


def test_join_writes_the_parts_as_one_pdf_in_order(published):
    """The printing house's file from the chunks' parts (pdf_split.join, one part in memory at a time): every page
    of every part in order, with its own text and QR code, the file valid on its own (pypdf strict, pdfium)."""
    receipts = selectors.receipts_for(period=published["october"])
    parts = [pdf.render([receipts[1]]), pdf.render(receipts), pdf.render([receipts[0]])]
    out = io.BytesIO()
    pdf_split.join(parts, out)
    data = out.getvalue()
    _xref_points_at_each_object(data)
    pages = pypdf.PdfReader(io.BytesIO(data), strict=True).pages
    document = pypdfium2.PdfDocument(data)
    order = [receipts[1], receipts[0], receipts[1], receipts[0]]
    assert len(pages) == len(document) == 4
    expected = [p.extract_text() for part in parts for p in pypdf.PdfReader(io.BytesIO(part)).pages]
    assert [p.extract_text() for p in pages] == expected
    for page, rendered, r in zip(pages, document, order, strict=True):
        assert r.account.number in page.extract_text()
        found = zxingcpp.read_barcodes(rendered.render(scale=3).to_pil())
        assert [code.text for code in found] == [r.qr_payload()]
