"""The ЕПД complete (ПП РФ №354, п.69; форма ЕПД, приказ Минстроя № 43/пр): the document's number, the payee's
address and website, the house's common-use figures, the норматив of a norm-charged line, benefits and subsidies,
the period's total and the total with the debt, every amount and heading whole, on the PDF and the print page."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string

from abonent.billing import cycle, recalculations
from abonent.billing.models import BillingPeriod, Norm, Service
from abonent.billing.tests.test_close import reading, service
from abonent.lib.numbers import money
from abonent.metering.models import Reading, Resource
from abonent.receipts import pdf, qr, selectors
from abonent.receipts.models import IssuedPeriod
from abonent.receipts.tests.test_receipt import decode_qr, pdf_text
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
APRIL = dt.date(2026, 4, 1)


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


@pytest.fixture
def house():
    """A house with a house meter: account A by its meter (6 m³) with a recalculation of −1 922,82, neighbour B by
    the норматив; cold water and its common-house needs at 45,27 ₽/m³; April 2026 published."""
    org = f.OrganisationFactory(
        office_address="г. Ульяновск, ул. Гончарова, д. 7, офис 12", website="https://uk-example.ru"
    )
    building = f.BuildingFactory(organisation=org)  # 3000 m² of premises, 600 m² common
    a = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)  # 54,30 m²
    b = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building), organisation=org)  # 2 residents
    cold = service(org, "cold", Service.Method.METER, "45.27", Resource.COLD_WATER, norm="4.85")
    service(org, "odn", Service.Method.COMMON_HOUSE, "45.27", Resource.COLD_WATER, norm="0.03", basis=Norm.Basis.PER_M2)
    meter = f.MeterFactory(premises=a.premises, resource=Resource.COLD_WATER)
    house_meter = f.MeterFactory(
        premises=None, building=building, resource=Resource.COLD_WATER, serial_number="ОДПУ-77"
    )
    reading(meter, dt.date(2026, 3, 1), "100", Reading.Status.ACCEPTED)
    reading(meter, APRIL, "106")
    reading(house_meter, dt.date(2026, 3, 1), "5000", Reading.Status.ACCEPTED)
    reading(house_meter, APRIL, "5040")
    april = BillingPeriod.objects.create(organisation=org, month=APRIL)
    recalculations.recalculation_create(
        account=a, corrected_period=april, service=cold, amount=D("-1922.82"), reason="Снятие по акту", period=april
    )
    april = cycle.period_close(organisation=org, month=APRIL)
    return {"org": org, "a": a, "b": b, "april": april}


def test_the_epd_has_every_field_and_both_totals_by_hand(house):
    org, a, b = house["org"], house["a"], house["b"]
    r = selectors.receipt_for(account=a, period=house["april"])
    data = pdf.render([r])
    text = pdf_text(data)
    assert f"№ платёжного документа: {org.pk}-202604-{a.number}" in text
    assert "Адрес получателя: г. Ульяновск, ул. Гончарова, д. 7, офис 12" in text
    assert "Сайт: https://uk-example.ru" in text
    # House meter 5 040 − 5 000 = 40 m³ = individual 6 (A by meter) + 9,7 (B: норматив 4,85 × 2, without the
    # factor) + 24,3 for common needs.
    assert "ОДПУ-77 5 040,000 40,000 15,700 24,300" in text
    assert "Льготы 0,00 ₽" in text and "Субсидии 0,00 ₽" in text
    # A: 6 × 45,27 = 271,62; common needs 0,03 × 600 × 54,3 / 3000 = 0,3258 m³ × 45,27 = 14,75 (the share by the
    # meter, 24,3 × 54,3 / 3000 = 0,43983, is capped at the норматив); recalculation −1 922,82.
    # For the period 271,62 + 14,75 − 1 922,82 = −1 636,45; nothing carried in, nothing paid: closing −1 636,45,
    # an advance, so nothing to pay.
    assert "К оплате за период (начислено + перерасчёты + пени − льготы − субсидии) -1 636,45 ₽" in text
    assert "на конец периода -1 636,45 ₽" in text
    assert f"{pdf.TOTAL_LABEL} 0,00 ₽" in text
    assert "Перерасчёты -1 922,82 ₽" in text
    assert qr.parse(decode_qr(data))["Sum"] == "0"

    rb = selectors.receipt_for(account=b, period=house["april"])
    text_b = pdf_text(pdf.render([rb]))
    cold = next(line for line in rb.lines if line.service == "cold")
    assert (cold.norm, cold.norm_unit) == (D("4.85"), "м³/чел.")
    assert "4,85 м³/чел." in text_b


def test_every_amount_and_heading_is_whole(house):
    for account in (house["b"], house["a"]):
        r = selectors.receipt_for(account=account, period=house["april"])
        text = pdf_text(pdf.render([r]))
        b = r.balance
        amounts = [b.opening, b.charged, b.recalculated, b.penalties, b.paid, r.closing, r.total, r.due_for_period]
        for line in r.lines:
            amounts += [line.charged, line.total] + [v for v in (line.recalculated, line.factor_excess) if v]
        amounts += [rec.amount for rec in r.recalculations]
        for amount in amounts:
            assert plain(money(amount)) in text, money(amount)
        heads = [*pdf.SERVICE_HEADS, *(pdf.COMMON_HEADS if r.house else ()), *(pdf.METER_HEADS if r.meters else ())]
        for title, _ in heads:
            assert title in text
    assert r.house and r.meters  # A has both tables


def test_period_total_and_total_with_debt_when_a_debt_is_carried_in(published):
    """October: 123,45 + 21,50 × 54,30 = 1 290,90 for the period; September's 1 290,90 unpaid: 2 581,80."""
    r = selectors.receipt_for(account=published["account"], period=published["october"])
    text = pdf_text(pdf.render([r]))
    assert "К оплате за октябрь 2026 1 290,90 ₽" in text
    assert f"{pdf.TOTAL_LABEL} 2 581,80 ₽" in text
    assert r.total == D("2581.80") and qr.parse(r.qr_payload())["Sum"] == "258180"
    body = plain(render_to_string("receipts/email/receipt_body.txt", {"r": r, "unsubscribe": ""}))
    assert "К оплате за период: 1 290,90 ₽; итого к оплате с учётом задолженности: 2 581,80 ₽" in body


def test_reprint_keeps_the_house_figures_norms_and_number_as_issued(house):
    a, b = house["a"], house["b"]
    before = {
        acc.pk: pdf_text(pdf.render([selectors.receipt_for(account=acc, period=house["april"])])) for acc in (a, b)
    }
    shared = IssuedPeriod.objects.get(period=house["april"])
    assert shared.norms and shared.houses
    # the house meter and the норматив change after the issue; the payee moves
    Reading.objects.filter(meter__building__isnull=False, period=APRIL).update(value=D("9999"))
    Norm.objects.filter(service__code="cold").update(value=D("7.77"))
    org = house["org"]
    org.office_address, org.website = "г. Москва, ул. Новая, д. 1", "https://new.example.ru"
    org.save()
    for acc in (a, b):
        assert pdf_text(pdf.render([selectors.receipt_for(account=acc, period=house["april"])])) == before[acc.pk]


def test_print_page_shows_the_same_fields(client, house):
    a = house["a"]
    link = f.AccountLinkFactory(account=a)
    client.force_login(link.user)
    page = plain(client.get(f"/cabinet/accounts/{a.pk}/receipts/2026-04/print/").content.decode())
    org = house["org"]
    for expected in (
        f"{org.pk}-202604-{a.number}",
        "г. Ульяновск, ул. Гончарова, д. 7, офис 12",
        "https://uk-example.ru",
        "ОДПУ-77",
        "5 040,000",
        "15,700",
        "24,300",
        "Льготы",
        "Субсидии",
        "К оплате за период",
        pdf.TOTAL_LABEL,
        "-1 636,45 ₽",
    ):
        assert expected in page, expected


def test_house_figures_and_norms_for_a_whole_chunk_in_fixed_queries(house, django_assert_num_queries):
    """Eleven queries whatever the number of accounts: the seven of a receipt chunk, the нормативы, the houses'
    individual volumes and their meters with the month's reading, the payees (receipts/payees.py)."""
    with django_assert_num_queries(11):
        few = selectors.receipts_computed(period=house["april"], account_ids=[house["a"].pk])
    with django_assert_num_queries(11):
        everyone = selectors.receipts_computed(period=house["april"])
    assert len(everyone) == 2
    assert [row.common for row in few[0].house] == [row.common for row in everyone[0].house] == [D("24.3")]
