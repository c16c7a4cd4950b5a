"""The daily reconciliation: the provider's succeeded payments of a day against our credited ones."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from abonent.jobs.models import Job
from abonent.payments import reconciliation, tasks
from abonent.payments.models import Payment, Reconciliation, SandboxCharge
from abonent.testing import factories as f

from .conftest import indebted_account
from .helpers import pay_by_card, subscriber

pytestmark = pytest.mark.django_db


def test_compare_is_plain_arithmetic():
    theirs = {"a": D("10.00"), "b": D("20.00"), "c": D("5.00")}
    ours = {"a": D("10.00"), "b": D("25.00"), "d": D("7.00")}
    missing_ours, missing_provider, mismatches = reconciliation.compare(theirs, ours)
    assert missing_ours == [{"id": "c", "amount": "5.00"}]
    assert missing_provider == [{"id": "d", "amount": "7.00"}]
    assert [m["id"] for m in mismatches] == ["b"] and mismatches[0]["provider"] == "20.00"


def test_sandbox_day_with_every_kind_of_difference(client, django_capture_on_commit_callbacks, admin_client):
    accounts = [indebted_account() for _ in range(3)]
    user = subscriber(client, *accounts)
    good = pay_by_card(client, django_capture_on_commit_callbacks, accounts[0])
    odd = pay_by_card(client, django_capture_on_commit_callbacks, accounts[1])
    lost = pay_by_card(client, django_capture_on_commit_callbacks, accounts[2])
    # the acquirer took another sum for one, and we never heard of another (its notification was lost)
    SandboxCharge.objects.filter(token=odd.provider_payment_id).update(amount=D("1499.00"))
    Payment.objects.filter(pk=lost.pk).update(status=Payment.Status.PROCESSING)
    # and one of ours the acquirer does not list
    extra = indebted_account(org=accounts[0].organisation)
    f.AccountLinkFactory(user=user, account=extra)
    ghost = pay_by_card(client, django_capture_on_commit_callbacks, extra)
    SandboxCharge.objects.filter(token=ghost.provider_payment_id).delete()
    report = reconciliation.reconcile(day=timezone.localdate(), provider_name="sandbox")
    assert report.missing_ours == [{"id": lost.provider_payment_id, "amount": "1500.00"}]
    assert report.missing_provider == [{"id": ghost.provider_payment_id, "amount": "1500.00"}]
    assert [m["id"] for m in report.mismatches] == [odd.provider_payment_id]
    assert not report.is_clean and good.provider_payment_id not in str(report.mismatches)
    # rerun replaces the day's row; shown in the back office
    reconciliation.reconcile(day=timezone.localdate(), provider_name="sandbox")
    assert Reconciliation.objects.count() == 1
    page = admin_client.get("/admin/payments/reconciliation/")
    assert page.status_code == 200 and "нет у нас: 1" in page.content.decode()


def test_operator_does_not_see_the_shop_wide_report(client):
    reconciliation.reconcile(day=timezone.localdate(), provider_name="sandbox")
    client.force_login(f.OperatorFactory())
    assert client.get("/admin/payments/reconciliation/").status_code == 403


def test_the_daily_start_is_a_job_with_the_reports_counts(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = tasks.reconcile_yesterday()
    job = Job.objects.get(pk=job_id)
    assert job.state == Job.State.FINISHED and job.kind == tasks.RECONCILE
    assert job.result == {"provider": 0, "ours": 0, "missing_ours": 0, "missing_provider": 0, "mismatches": 0}
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    assert Reconciliation.objects.get(day=yesterday).is_clean
