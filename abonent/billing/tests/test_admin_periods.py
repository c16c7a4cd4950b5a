"""The back office runs the close and books recalculations through the same services, inside the organisation."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from abonent.billing.models import BillingPeriod, Charge, PenaltyRate, PeriodRun, Recalculation, Service
from abonent.jobs.models import Job
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, method=Service.Method.AREA, resource="", unit="м²")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("28.45"))
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return org, account, svc


def test_actions_run_steps_and_show_progress(client, setup, django_capture_on_commit_callbacks):
    org, account, svc = setup
    period = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 4, 1))
    other = BillingPeriod.objects.create(organisation=f.OrganisationFactory(), month=dt.date(2026, 4, 1))
    url = reverse("admin:billing_billingperiod_changelist")
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit sends the job to the worker
        client.post(url, {"action": "run_all", "_selected_action": [period.pk]})
    period.refresh_from_db()
    assert period.state == BillingPeriod.State.PUBLISHED
    assert Job.objects.get(kind="billing.close").state == Job.State.FINISHED
    assert Charge.objects.get(period=period).amount == D("1544.84")
    response = client.get(reverse("admin:billing_billingperiod_change", args=[period.pk]))
    assert response.status_code == 200
    assert "Начислений: 1" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "run_calculate", "_selected_action": [period.pk]})
    failed = Job.objects.get(kind="billing.close", params__step="calculate")
    assert failed.state == Job.State.FAILED and "опубликован" in failed.error
    page = client.get(reverse("jobs:detail", args=[failed.pk])).content.decode()
    assert "опубликован" in page and "Повторить" in page
    operator = f.OperatorFactory(organisation=org)
    client.force_login(operator)
    assert client.get(reverse("admin:billing_billingperiod_change", args=[other.pk])).status_code == 404


def test_recalculation_is_booked_by_the_service(client, setup):
    org, account, svc = setup
    corrected = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 4, 1), state="published")
    booked = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 5, 1))
    response = client.post(
        reverse("admin:billing_recalculation_add"),
        {
            "account": account.pk,
            "corrected_period": corrected.pk,
            "period": booked.pk,
            "service": svc.pk,
            "volume": "-10",
            "amount": "",
            "reason": "Площадь уточнена",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    recalc = Recalculation.objects.get()
    assert (recalc.amount, recalc.period, recalc.created_by.is_superuser) == (D("-284.50"), booked, True)


def test_penalty_rates_are_seeded_and_editable(client, setup):
    assert PenaltyRate.objects.filter(moratorium=True, valid_from=dt.date(2020, 4, 6)).exists()
    rate = PenaltyRate.objects.get(valid_from=dt.date(2025, 1, 1))
    response = client.get(reverse("admin:billing_penaltyrate_change", args=[rate.pk]))
    assert response.status_code == 200


def test_an_early_step_asks_for_a_reason_and_keeps_it(client, setup, django_capture_on_commit_callbacks):

    org, account, svc = setup
    december = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 12, 1), state="readings_closed")
    url = reverse("admin:billing_billingperiod_changelist")
    data = {"action": "run_calculate", "_selected_action": [december.pk]}
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False):
        # the first click asks why, and runs nothing
        asked = client.post(url, data).content.decode()
        assert "Досрочный запуск: укажите причину" in asked and "не раньше 31.12.2026" in asked
        assert 'name="reason"' in asked
        # a reason that says nothing is refused
        refused = client.post(url, {**data, "apply": "1", "reason": "надо"}).content.decode()
        assert "не короче 10 символов" in refused
        december.refresh_from_db()
        assert december.state == "readings_closed" and not PeriodRun.objects.exists()
        # with a reason it runs, keeps the reason on its run and points to the draft review
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**data, "apply": "1", "reason": "Проверка тарифов до Нового года"})
    done = client.get(reverse("jobs:detail", args=[Job.objects.get().pk]))
    december.refresh_from_db()
    assert december.state == "calculated"
    run = PeriodRun.objects.get()
    assert (run.forced_reason, run.started_by.is_superuser) == ("Проверка тарифов до Нового года", True)
    review = reverse("admin:billing_billingperiod_review", args=[december.pk])
    assert f'href="{review}"' in done.content.decode() and "Проверьте черновик" in done.content.decode()
    page = client.get(reverse("admin:billing_billingperiod_change", args=[december.pk])).content.decode()
    assert "Проверка тарифов до Нового года" in page
