"""The ЕПД with several payees: two suppliers paid directly, each with its own section, details, amount and QR
code, and the organisation's section with the service it collects for as an agent; every QR code decoded."""

import datetime as dt
import io
from decimal import Decimal as D

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from abonent.billing import cycle
from abonent.billing.ledger import ledger_post_payment
from abonent.billing.models import Service
from abonent.receipts import pdf, qr, selectors
from abonent.testing import factories as f

from .test_receipt import pdf_text

pytestmark = pytest.mark.django_db
SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


@pytest.fixture
def epd():
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    heat = f.SupplierFactory(organisation=org, name="Акционерное общество «Теплосеть»", short_name="АО «Теплосеть»")
    power = f.SupplierFactory(organisation=org, name="ООО «Энергосбыт»", short_name="ООО «Энергосбыт»")
    water = f.SupplierFactory(organisation=org, name="МУП «Водоканал»", short_name="МУП «Водоканал»")
    table = [
        ("upkeep", "Содержание жилья", "1000.00", None, Service.Payee.AGENT),
        ("water", "Холодная вода", "600.00", water, Service.Payee.AGENT),
        ("heat", "Отопление", "2000.00", heat, Service.Payee.DIRECT),
        ("power", "Электроэнергия", "450.00", power, Service.Payee.DIRECT),
    ]
    for order, (code, name, price, supplier, payee) in enumerate(table):
        svc = f.ServiceFactory(
            organisation=org,
            code=code,
            name=name,
            method=Service.Method.FIXED,
            resource="",
            sort_order=order,
            supplier=supplier,
            payee=payee,
        )
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
    cycle.period_close(organisation=org, month=SEPTEMBER)
    # 2 025 paid in October against September's 4 050: half of each service (older first, then by the document)
    ledger_post_payment(account=account, amount=D("2025"), paid_on=dt.date(2026, 10, 5), source="t", external_id="1")
    period = cycle.period_close(organisation=org, month=OCTOBER)
    return {"org": org, "account": account, "period": period, "heat": heat, "power": power, "water": water}


def test_sections_figures(epd):
    r = selectors.receipt_for(account=epd["account"], period=epd["period"])
    own, heat, power = r.payees
    assert (own.direct, own.services, own.agent_for) == (
        False,
        ["Содержание жилья", "Холодная вода"],
        ["МУП «Водоканал»"],
    )
    # September's 1 600 half paid (800), October's 1 600: 2 400
    assert (own.opening, own.due_for_period, own.paid, own.total) == (D("1600"), D("1600"), D("800"), D("2400"))
    assert (heat.name, heat.direct, heat.total) == ("Акционерное общество «Теплосеть»", True, D("3000"))
    assert (power.name, power.total) == ("ООО «Энергосбыт»", D("675"))
    assert own.total + heat.total + power.total == r.total == D("6075")


def test_pdf_text_and_every_qr(epd):
    account = epd["account"]
    r = selectors.receipt_for(account=account, period=epd["period"])
    data = pdf.render([r])
    text = pdf_text(data)
    assert "Получатели платежа" in text
    assert "Получатель: Акционерное общество «Теплосеть» — оплата напрямую поставщику" in text
    assert f"Получатель: {epd['org'].name} — в том числе как агент: МУП «Водоканал»" in text
    for supplier in (epd["heat"], epd["power"]):
        assert f"Р/с {supplier.settlement_account}" in text
    assert "QR-код справа — оплата" in text
    page = pypdfium2.PdfDocument(data)[0]
    found = [qr.parse(b.text) for b in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    by_name = {fields["Name"]: fields for fields in found}
    assert len(found) == 3
    org = epd["org"]
    assert by_name[org.name]["Sum"] == "240000"
    assert by_name[org.name]["PersonalAcc"] == org.settlement_account
    assert by_name[org.name]["Purpose"] == f"Оплата ЖКУ за октябрь 2026, л/с {account.number}"
    heat = by_name["Акционерное общество «Теплосеть»"]
    assert (heat["Sum"], heat["PersonalAcc"], heat["PayeeINN"], heat["KPP"]) == (
        "300000",
        epd["heat"].settlement_account,
        epd["heat"].inn,
        epd["heat"].kpp,
    )
    assert heat["Purpose"] == f"Оплата Отопление за октябрь 2026, л/с {account.number}"
    power = by_name["ООО «Энергосбыт»"]
    assert (power["Sum"], power["PersonalAcc"], power["PersAcc"]) == (
        "67500",
        epd["power"].settlement_account,
        account.number,
    )


def test_print_version_and_each_suppliers_qr_image(epd, client):
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=epd["account"])
    client.force_login(user)
    account = epd["account"]
    page = client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/print/").content.decode()
    assert "Получатели платежа" in page and "Акционерное общество «Теплосеть»</b> — оплата напрямую поставщику" in page
    sums = {}
    for index in (1, 2):
        png = client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/qr.png", {"payee": index}).content
        fields = qr.parse(zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text)
        sums[fields["Name"]] = fields["Sum"]
    assert sums == {"Акционерное общество «Теплосеть»": "300000", "ООО «Энергосбыт»": "67500"}
    for bad in ("0", "3", "abc", "99999999999999999999"):
        assert client.get(f"/cabinet/accounts/{account.pk}/receipts/2026-10/qr.png", {"payee": bad}).status_code == 404


def test_reprint_after_a_supplier_changes_bank_shows_the_details_as_issued(epd):
    """The direct supplier's details are fixed at publish like the organisation's: a later change of its name and
    bank reaches neither the reprinted PDF's text nor its QR code."""
    account, heat = epd["account"], epd["heat"]
    issued = (heat.name, heat.bank_name, heat.bik, heat.correspondent_account, heat.settlement_account)
    before = pdf.render([selectors.receipt_for(account=account, period=epd["period"])])
    heat.name, heat.bank_name, heat.bik = "АО «Теплосеть-Новая»", "ПАО «Другой банк»", "044525225"
    heat.correspondent_account, heat.settlement_account = "30101810400000000225", "40702810938000099999"
    heat.save()

    r = selectors.receipt_for(account=account, period=epd["period"])
    section = r.payees[1]
    assert (section.name, section.bank_name, section.bik, section.correspondent_account,
            section.settlement_account) == issued  # fmt: skip
    data = pdf.render([r])
    text = pdf_text(data)
    assert f"Р/с {issued[4]}" in text and "40702810938000099999" not in text and "Другой банк" not in text
    assert pdf_text(before) == text
    page = pypdfium2.PdfDocument(data)[0]
    found = {
        fields["Name"]: fields
        for fields in (qr.parse(b.text) for b in zxingcpp.read_barcodes(page.render(scale=3).to_pil()))
    }
    assert "АО «Теплосеть-Новая»" not in found
    assert (found[issued[0]]["PersonalAcc"], found[issued[0]]["BIC"], found[issued[0]]["CorrespAcc"]) == (
        issued[4], issued[2], issued[3],
    )  # fmt: skip
