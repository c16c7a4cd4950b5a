"""An issued receipt stays issued: stored at publish with the payee's details of that day, so a reprint equals
what was mailed in every figure, whatever changed in the register or the organisation since."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle, ledger, recalculations
from abonent.billing.models import AccountBalance
from abonent.jobs.models import Job
from abonent.receipts import pdf, selectors, services
from abonent.receipts.models import IssuedPeriod, IssuedReceipt
from abonent.receipts.tests.test_receipt import decode_qr, pdf_text
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
NEW_BANK = "АО «Новый расчётный банк»"


@pytest.fixture
def subscriber(client, published):
    link = f.AccountLinkFactory(account=published["account"])
    client.force_login(link.user)
    return client


def test_every_receipt_is_stored_at_publish(published):
    october = published["october"]
    stored = IssuedReceipt.objects.filter(period=october).order_by("account__number")
    assert [r.account_id for r in stored] == [published["account"].pk, published["second"].pk]
    first = stored[0]
    assert first.number == f"{published['org'].pk}-202610-{published['account'].number}"
    assert D(str(first.data["balance"]["closing"])) == D("2581.80")  # money stored exact (text or numeric)
    shared = IssuedPeriod.objects.get(period=october)
    assert shared.payee["bank_name"] == published["org"].bank_name
    assert shared.payee["settlement_account"] == published["org"].settlement_account
    assert not IssuedReceipt.objects.filter(period=published["november"]).exists()  # calculated, not published


def test_reprint_after_new_bank_details_and_a_late_payment_equals_the_issued_receipt(subscriber, published):
    org, account = published["org"], published["account"]
    url = f"/cabinet/accounts/{account.pk}/receipts/2026-10"
    issued_pdf = subscriber.get(f"{url}.pdf").content
    issued_text, issued_qr = pdf_text(issued_pdf), decode_qr(issued_pdf)
    old_bank, old_account = org.bank_name, org.settlement_account
    # per month 123,45 + 21,50 × 54,30 m² = 1 290,90; October opens with September's 1 290,90 unpaid
    assert "Итого к оплате с учётом задолженности 2 581,80 ₽" in issued_text and old_bank in issued_text

    # the organisation moves to another bank, the payer and the area change, a payment dated 20.10 arrives late
    org.bank_name, org.settlement_account = NEW_BANK, f.account_with_key(org.bik, "40702810690000009999")
    org.save()
    account.payer_name = "Петров Пётр Петрович"
    account.save()
    ledger.ledger_post_payment(
        account=account, amount=D("1000.00"), paid_on=dt.date(2026, 10, 20), source="bank", external_id="late-1"
    )

    reprint = subscriber.get(f"{url}.pdf").content
    assert pdf_text(reprint) == issued_text  # every figure and word as mailed
    assert decode_qr(reprint) == issued_qr  # the QR code still pays to the account printed
    assert NEW_BANK not in pdf_text(reprint) and old_account in issued_qr
    page = subscriber.get(f"{url}/print/").content.decode()
    assert old_bank in page and NEW_BANK not in page and "Петров" not in page
    # the October balance is what the receipt said; November (open) has the payment
    october = AccountBalance.objects.get(account=account, period=published["october"])
    assert (october.paid, october.closing) == (0, D("2581.80"))
    november = AccountBalance.objects.get(account=account, period=published["november"])
    assert november.opening == D("2581.80") and november.paid == D("1000.00")
    assert november.closing == D("2581.80") + D("1290.90") + november.penalties - D("1000.00")


def test_printing_house_export_uses_the_issued_receipts(published):
    org = published["org"]
    before = pdf_text(services.receipts_export(period=published["october"], fmt="pdf"))
    org.bank_name = NEW_BANK
    org.save()
    after = pdf_text(services.receipts_export(period=published["october"], fmt="pdf"))
    assert after == before and NEW_BANK not in after


def test_a_period_published_before_receipts_were_stored_is_computed(published):
    october = published["october"]
    IssuedReceipt.objects.filter(period=october).delete()
    IssuedPeriod.objects.filter(period=october).delete()
    receipt = selectors.receipt_for(account=published["account"], period=october)
    assert receipt.total == D("2581.80")


def figures(receipts):
    return [
        (
            r.account.number,
            r.account.payer_name,
            r.address,
            (r.balance.opening, r.balance.charged, r.balance.recalculated, r.balance.paid, r.balance.closing),
            (r.penalty, r.total, r.due_date, r.paid_until, r.last_payment_on),
            [(x.service, x.unit, x.basis, x.volume, x.price, x.charged, x.recalculated, x.last_year) for x in r.lines],
            [(x.service, x.amount, x.reason, x.corrected_period.month) for x in r.recalculations],
            r.qr_payload(),
        )
        for r in receipts
    ]


def test_issued_documents_equal_the_receipts_computed_at_publish(published):
    org, account = published["org"], published["account"]
    november = published["november"]
    recalculations.recalculation_create(
        account=account, corrected_period=published["october"], amount=D("-45.12"), reason="Перерасчёт", period=november
    )
    ledger.ledger_post_payment(
        account=account, amount=D("700.00"), paid_on=dt.date(2026, 11, 9), source="bank", external_id="n-1"
    )
    november = cycle.period_close(organisation=org, month=dt.date(2026, 11, 1), step="publish")
    issued, computed = selectors.receipts_for(period=november), selectors.receipts_computed(period=november)
    assert IssuedReceipt.objects.filter(period=november).count() == 2
    assert figures(issued) == figures(computed)
    first = issued[0]
    # 2 581,80 brought in + 1 290,90 − 45,12 + penalties − 700,00; paid 09.11 printed as the last payment
    assert first.balance.closing == D("2581.80") + D("1290.90") - D("45.12") + first.penalty - D("700.00")
    assert first.penalty > 0 and first.last_payment_on == dt.date(2026, 11, 9)
    assert pdf_text(pdf.render(issued)) == pdf_text(pdf.render(computed))


def test_the_documents_are_written_after_the_publish_commits(published, django_capture_on_commit_callbacks):
    november = published["november"]
    with django_capture_on_commit_callbacks() as after_commit:
        cycle.period_close(organisation=published["org"], month=dt.date(2026, 11, 1), step="publish")
        # inside the publish: what the receipts share, as of publish; the documents are not the close's work
        assert IssuedPeriod.objects.filter(period=november).exists()
        assert not IssuedReceipt.objects.filter(period=november).exists()
    # after the commit: a background job of their own (run here by the eager worker once it is queued)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in after_commit:
            callback()
    assert IssuedReceipt.objects.filter(period=november).count() == 2
    job = Job.objects.get(kind="receipts.documents", params__period=november.pk)
    assert job.state == Job.State.FINISHED and job.result["documents"] == 2
    assert services.receipts_issue_documents(period=november) == 0  # idempotent: nothing left to write


def test_a_crash_between_publish_and_the_documents_is_recovered_as_published(
    published, django_capture_on_commit_callbacks
):
    org, account, second = published["org"], published["account"], published["second"]
    ledger.ledger_post_payment(
        account=account, amount=D("500.00"), paid_on=dt.date(2026, 11, 9), source="bank", external_id="n-1"
    )
    # The publish commits and the process dies before its work after the commit (this test never runs it).
    november = cycle.period_close(organisation=org, month=dt.date(2026, 11, 1), step="publish")
    assert not IssuedReceipt.objects.filter(period=november).exists()
    at_publish = figures(selectors.receipts_computed(period=november))

    # before anyone looks: a new bank, a payment dated in November arriving late (posted in December)
    org.bank_name, org.settlement_account = NEW_BANK, f.account_with_key(org.bik, "40702810690000009999")
    org.save()
    ledger.ledger_post_payment(
        account=account, amount=D("300.00"), paid_on=dt.date(2026, 11, 25), source="bank", external_id="late-2"
    )

    # a reprint of one receipt writes its document (only its own), as publish fixed it
    receipt = selectors.receipt_for(account=account, period=november)
    assert list(IssuedReceipt.objects.filter(period=november).values_list("account_id", flat=True)) == [account.pk]
    assert figures([receipt]) == at_publish[:1]
    assert receipt.last_payment_on == dt.date(2026, 11, 9) and receipt.balance.paid == D("500.00")
    assert receipt.organisation.bank_name != NEW_BANK
    # the publish step run again writes the rest
    with django_capture_on_commit_callbacks(execute=True):
        cycle.period_close(organisation=org, month=dt.date(2026, 11, 1), step="publish")
    assert IssuedReceipt.objects.filter(period=november).count() == 2
    assert figures(selectors.receipts_for(period=november)) == at_publish
    assert IssuedReceipt.objects.get(period=november, account=second).data["last_payment_on"] is None
