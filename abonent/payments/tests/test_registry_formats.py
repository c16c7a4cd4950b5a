"""Registry formats: the file's encoding checked against the layout, amounts with a decimal comma, the period the
payer names read and stored."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from abonent.billing import cycle
from abonent.billing.models import Allocation, LedgerEntry, Service
from abonent.payments import registry, registry_encoding, services
from abonent.payments.models import Payment, UnmatchedLine
from abonent.testing import factories as f

from .conftest import debt, indebted_account
from .test_registry import snapshot

pytestmark = pytest.mark.django_db

# No «И» on purpose: its UTF-8 bytes hold 0x98, the one byte cp1251 does not define, and a UTF-8 file without it
# decodes as cp1251 without an error (that is how mojibake got in).
PAYER = "Петров П.П."


def row(account, amount, pid, *, period="102026", payer=PAYER):
    return f"05/11/2026;10-15-00;8588;0001;{pid};{account};{payer};ул. Гончарова, 1;{period};{amount};0.00;"


def build(rows, total, encoding="cp1251"):
    return ("\r\n".join([*rows, f"={len(rows)};{total};0.00"]) + "\r\n").encode(encoding)


def test_utf8_file_under_the_cp1251_layout_refused_naming_both_encodings():
    account = indebted_account()
    data = build([row(account.number, "100.00", "U1")], "100.00", encoding="utf-8")
    data.decode("cp1251")  # the trap: it reads as cp1251 without an error
    before = snapshot()
    with pytest.raises(registry.RegistryError) as exc:
        registry.registry_import(organisation=account.organisation, data=data, file_name="r.txt")
    message = str(exc.value)
    assert "ожидает файл в кодировке cp1251 (Windows-1251), а файл — в кодировке utf-8" in message
    assert snapshot() == before
    assert debt(account) == D("1500.00")


def test_cp1251_file_under_the_utf8_layout_names_the_detected_encoding():
    account = indebted_account()
    data = build([row(account.number, "100.00", "U2")], "100.00")
    before = snapshot()
    with pytest.raises(registry.RegistryError, match="в кодировке utf-8, а файл — в кодировке cp1251"):
        registry.registry_import(
            organisation=account.organisation, data=data, file_name="r.txt", layout=registry.LAYOUTS["sber-utf8"]
        )
    assert snapshot() == before


@pytest.mark.parametrize("layout", ["sber", "sber-comma"])
def test_cp1251_file_under_a_cp1251_layout_imported_with_the_payer_readable(layout):
    account = indebted_account()
    data = build([row(account.number, "100.00", "C1", payer="Ёлкина Щ.Ю. №5")], "100.00")
    registry.registry_import(
        organisation=account.organisation, data=data, file_name="r.txt", layout=registry.LAYOUTS[layout]
    )
    assert Payment.objects.get().payer_name == "Ёлкина Щ.Ю. №5"


def test_utf8_file_under_the_utf8_layout_imported_with_the_payer_readable():
    account = indebted_account()
    data = "\ufeff".encode() + build([row(account.number, "100.00", "C2")], "100.00", encoding="utf-8")
    registry.registry_import(
        organisation=account.organisation, data=data, file_name="r.txt", layout=registry.LAYOUTS["sber-utf8"]
    )
    assert Payment.objects.get().payer_name == PAYER


def test_detect_names_the_code_page():
    text = "05/11/2026;1;Петров П.П.;ул. Ленина;100.00\r\n"
    assert registry_encoding.detect(text.encode("utf-8")) == "utf-8"
    assert registry_encoding.detect(text.encode("cp1251")) == "cp1251"
    assert registry_encoding.detect(text.encode("cp866")) == "cp866"
    assert registry_encoding.detect(text.upper().encode("cp1251")) == "cp1251"
    assert registry_encoding.detect(b"05/11/2026;1;100.00") is None


@pytest.mark.parametrize(
    "layout, encoding, amount, total",
    [
        ("sber-comma", "cp1251", "1 234,56", "1 234,56"),
        ("sber-comma", "cp1251", "1\u00a0234,56", "1234,56"),
        ("sber-utf8-comma", "utf-8", "1 234,56", "1234,56"),
        ("sber-comma", "cp1251", "1234.56", "1234.56"),
    ],
)
def test_decimal_comma_presets(layout, encoding, amount, total):
    account = indebted_account()
    data = build([row(account.number, amount, "K1")], total, encoding=encoding)
    result = registry.registry_import(
        organisation=account.organisation, data=data, file_name="r.txt", layout=registry.LAYOUTS[layout]
    )
    assert result.created == 1
    assert Payment.objects.get().amount == D("1234.56")
    assert debt(account) == D("265.44")


def test_decimal_comma_under_the_dot_preset_refused_with_a_hint():
    account = indebted_account()
    data = build([row(account.number, "99,90", "K2")], "99.90")
    with pytest.raises(registry.RegistryError, match="строка 1: неверная сумма «99,90» .*с запятой"):
        registry.registry_import(organisation=account.organisation, data=data, file_name="r.txt")
    assert not Payment.objects.exists()


def test_named_period_stored_on_payments_and_unmatched_lines():
    account = indebted_account()
    rows = [
        row(account.number, "10.00", "N1", period="102026"),
        row(account.number, "20.00", "N2", period="09.2026"),
        row(account.number, "30.00", "N3", period=""),
        row("404404", "40.00", "N4", period="112026"),
    ]
    registry.registry_import(organisation=account.organisation, data=build(rows, "100.00"), file_name="r.txt")
    periods = dict(Payment.objects.values_list("amount", "named_period"))
    assert periods == {D("10.00"): dt.date(2026, 10, 1), D("20.00"): dt.date(2026, 9, 1), D("30.00"): None}
    assert UnmatchedLine.objects.get().named_period == dt.date(2026, 11, 1)
    # the ledger keeps the named month for the allocation, and each line is allocated as it is loaded
    entries = LedgerEntry.objects.filter(kind="payment")
    assert dict(entries.values_list("amount", "named_month")) == periods
    for entry in entries:
        assert sum(a.amount for a in entry.allocations.all()) == entry.amount


def test_a_line_naming_a_month_not_billed_yet_is_an_advance_by_the_document():
    # October's document: 1 500 for the one service; a line for November (not billed yet) is all an advance,
    # spread by the document — here the one service; a line without a month pays October's debt the same way
    account = indebted_account()
    rows = [row(account.number, "700.00", "A1", period="112026"), row(account.number, "300.00", "A2")]
    registry.registry_import(organisation=account.organisation, data=build(rows, "1000.00"), file_name="r.txt")
    parts = {
        e.amount: [(a.service.code, a.amount) for a in e.allocations.all()]
        for e in LedgerEntry.objects.filter(kind="payment")
    }
    assert parts == {D("700.00"): [("fixed", D("700.00"))], D("300.00"): [("fixed", D("300.00"))]}


@pytest.mark.parametrize("period", ["132026", "002026", "10-2026", "1026", "окт2026", "10.26"])
def test_bad_period_refuses_the_file_in_russian(period):
    account = indebted_account()
    rows = [row(account.number, "10.00", "B1"), row(account.number, "20.00", "B2", period=period)]
    before = snapshot()
    with pytest.raises(registry.RegistryError) as exc:
        registry.registry_import(organisation=account.organisation, data=build(rows, "30.00"), file_name="r.txt")
    assert f"строка 2: неверный период «{period}» (нужны месяц и год: ММГГГГ или ММ.ГГГГ)" in str(exc.value)
    assert snapshot() == before


def test_admin_upload_offers_the_presets_and_shows_the_named_period(client, django_capture_on_commit_callbacks):
    account = indebted_account()
    client.force_login(f.OperatorFactory(organisation=account.organisation))
    page = client.get(reverse("admin:payments_registry_upload")).content.decode()
    assert "Сбербанк: Windows-1251, сумма с запятой (1 234,56)" in page
    data = build([row(account.number, "1 234,56", "A1", period="10.2026")], "1234,56")
    upload = {"file": SimpleUploadedFile("r.txt", data), "layout": "sber-comma"}
    with django_capture_on_commit_callbacks(execute=True):  # the import is a job, run once the request commits
        assert client.post(reverse("admin:payments_registry_upload"), upload).status_code == 302
    assert Payment.objects.get().amount == D("1234.56")
    assert "10.2026" in client.get(reverse("admin:payments_payment_changelist")).content.decode()


def test_admin_upload_of_a_utf8_file_as_cp1251_refused_on_the_form(client):
    account = indebted_account()
    client.force_login(f.OperatorFactory(organisation=account.organisation))
    data = build([row(account.number, "10.00", "A2")], "10.00", encoding="utf-8")
    upload = {"file": SimpleUploadedFile("r.txt", data), "layout": "sber"}
    r = client.post(reverse("admin:payments_registry_upload"), upload)
    assert r.status_code == 200 and "а файл — в кодировке utf-8" in r.content.decode()
    assert not Payment.objects.exists()


def test_a_line_matched_by_hand_keeps_the_named_period():
    account = indebted_account()
    rows = [row("404404", "40.00", "N4", period="112026")]
    registry.registry_import(organisation=account.organisation, data=build(rows, "40.00"), file_name="r.txt")
    operator = f.OperatorFactory(organisation=account.organisation)
    payment = services.unmatched_resolve(line=UnmatchedLine.objects.get(), account=account, actor=operator)
    assert payment.named_period == dt.date(2026, 11, 1)


def test_a_line_naming_a_service_pays_it_and_an_unknown_service_goes_unmatched_with_the_reason():
    """The layout with a service column: the named service takes the whole payment (ПП 354 п.118), a line naming
    none is spread over the document, and a code the organisation lacks leaves the line unmatched, said why."""
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    for code, price in (("water", "600.00"), ("heat", "400.00")):
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code=code)
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
    cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))
    rows = [
        row(account.number, "300.00", "S1") + ";heat",
        row(account.number, "500.00", "S2"),
        row(account.number, "100.00", "S3") + ";gas",
        row("404404", "50.00", "S4") + ";heat",
    ]
    layout = registry.LAYOUTS["sber-service"]
    result = registry.registry_import(organisation=org, data=build(rows, "950.00"), file_name="r.txt", layout=layout)
    assert (result.created, result.unmatched) == (2, 2)
    heat = Service.objects.get(organisation=org, code="heat")
    named = Payment.objects.get(amount=D("300.00"))
    assert named.service == heat
    parts = {a.service.code: a.amount for a in Allocation.objects.filter(entry__source_id=named.external_id)}
    assert parts == {"heat": D("300.00")}
    spread = Allocation.objects.filter(entry__source_id=Payment.objects.get(amount=D("500.00")).external_id)
    assert Payment.objects.get(amount=D("500.00")).service is None and len(spread) == 2
    assert sum(a.amount for a in spread) == D("500.00")
    reasons = dict(UnmatchedLine.objects.values_list("amount", "reason"))
    assert reasons == {
        D("100.00"): "Услуга с кодом «gas» не найдена в организации: платёж не распределён.",
        D("50.00"): "Лицевой счёт «404404» не найден в организации.",
    }
    assert debt(account) == D("1000.00") - D("800.00")


def test_a_line_resolved_by_hand_keeps_the_service_it_names(client):
    """Issue: an unmatched line resolved by hand lost its named service and was spread over the document. By hand:
    the document charges water 600,00 and heat 400,00 (October); a line of an unknown account naming heat pays
    heat 300,00 whole, not 180,00 + 120,00; a line naming a service the organisation lacks is paid to the
    service the operator names (water 100,00), or, when the operator names none, spread over what is still owed:
    water 600 − 100 = 500, heat 400 − 300 = 100, so 100,00 × 500/600 = 83,33 and 16,67."""
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    for code, price in (("water", "600.00"), ("heat", "400.00")):
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code=code)
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
    cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))
    rows = [
        row("404404", "300.00", "H1", period="102026") + ";heat",
        row(account.number, "100.00", "H2") + ";gas",
        row(account.number, "100.00", "H3") + ";gas",
    ]
    layout = registry.LAYOUTS["sber-service"]
    registry.registry_import(organisation=org, data=build(rows, "500.00"), file_name="r.txt", layout=layout)
    lines = {pid: UnmatchedLine.objects.get(raw__contains=pid) for pid in ("H1", "H2", "H3")}
    assert {k: v.service_code for k, v in lines.items()} == {"H1": "heat", "H2": "gas", "H3": "gas"}
    operator = f.OperatorFactory(organisation=org)

    def parts(payment):
        return {a.service.code: a.amount for a in Allocation.objects.filter(entry__source_id=payment.external_id)}

    heat = services.unmatched_resolve(line=lines["H1"], account=account, actor=operator)
    assert heat.service.code == "heat" and heat.named_period == dt.date(2026, 10, 1)
    assert parts(heat) == {"heat": D("300.00")}
    before = snapshot()
    with pytest.raises(services.PaymentError, match="Услуга с кодом «gas» не найдена"):
        services.unmatched_resolve(line=lines["H2"], account=account, actor=operator)
    assert snapshot() == before
    # the admin's form: the operator corrects the code to water
    client.force_login(operator)
    url = reverse("admin:payments_unmatched_resolve", args=[lines["H2"].pk])
    assert 'value="gas"' in client.get(url).content.decode()
    assert client.post(url, {"account": account.number, "service": "water"}).status_code == 302
    lines["H2"].refresh_from_db()
    assert parts(lines["H2"].payment) == {"water": D("100.00")}
    spread = services.unmatched_resolve(line=lines["H3"], account=account, actor=operator, service_code="")
    assert spread.service is None and parts(spread) == {"water": D("83.33"), "heat": D("16.67")}
