"""The month import through the API, for an organisation in external-billing mode with a key of the "import"
scope: the file becomes a job at once, the job (run here in the foreground, as a worker would) writes the month
with the exchange's own checks, its state and refusals are read by id; own billing, a key without the scope and
another organisation's job are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.billing.models import BillingPeriod
from abonent.exchange.models import ExchangeFile
from abonent.exchange.tests.conftest import OCTOBER, external, month_file  # noqa: F401  (the exchange's fixture)
from abonent.jobs import runner
from abonent.jobs.models import Job
from abonent.orgs.models import Organisation
from abonent.testing import factories as f

from .test_org import key_client

pytestmark = pytest.mark.django_db


def send(api, data, month="2026-10", name="october.csv"):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return api.post("/api/v1/org/month-import/", {"month": month, "file": upload}, format="multipart")


def test_file_becomes_a_job_that_writes_the_month(external):  # noqa: F811
    api = key_client(external["org"], ["import"])
    answer = send(api, month_file("csv"))
    assert answer.status_code == 202, answer.json()
    job = Job.objects.get(pk=answer.json()["id"])
    assert answer.json()["state"] == "queued" and job.organisation == external["org"]
    assert not ExchangeFile.objects.exists()  # nothing written before the worker runs it
    runner.job_run(job.pk)
    state = api.get(f"/api/v1/org/jobs/{job.pk}/").json()
    assert state["state"] == "finished" and state["error"] == ""
    assert state["result"] == {"version": 1, "lines": 3, "accounts": 2, "missing_accounts": 1, "published": 0}
    stored = ExchangeFile.objects.get(status=ExchangeFile.Status.ACCEPTED)
    assert stored.channel == "api" and stored.month == OCTOBER
    assert BillingPeriod.objects.filter(organisation=external["org"], month=OCTOBER).exists()


def test_refused_file_fails_the_job_with_the_reasons_and_writes_nothing(external):  # noqa: F811
    api = key_client(external["org"], ["import"])
    bad = month_file("csv", rows=[["999999", "cold", "куб.м", "1", "1", "1", "0", "0", "0", "0", "1"]])
    job_id = send(api, bad).json()["id"]
    runner.job_run(job_id)
    state = api.get(f"/api/v1/org/jobs/{job_id}/").json()
    assert state["state"] == "failed" and "999999" in state["error"] and "ничего не изменено" in state["error"]
    assert not ExchangeFile.objects.filter(status=ExchangeFile.Status.ACCEPTED).exists()


def test_bad_month_and_missing_file_are_refused_in_russian(external):  # noqa: F811
    api = key_client(external["org"], ["import"])
    bad = send(api, month_file("csv"), month="13.2026")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_month"
    missing = api.post("/api/v1/org/month-import/", {"month": "2026-10"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["error"]["fields"]
    assert not Job.objects.exists()


def test_own_billing_and_a_key_without_the_scope_are_refused(external):  # noqa: F811
    no_scope = send(key_client(external["org"], ["register"]), month_file("csv"))
    assert no_scope.status_code == 403 and no_scope.json()["error"]["code"] == "permission_denied"
    assert "права" in no_scope.json()["error"]["message"]
    own = f.OrganisationFactory(billing_mode=Organisation.BillingMode.OWN)
    refused = send(key_client(own, ["import"]), month_file("csv"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "own_billing"
    assert "собственный расчёт" in refused.json()["error"]["message"]
    assert not Job.objects.exists()


def test_another_organisations_job_is_404(external):  # noqa: F811
    job_id = send(key_client(external["org"], ["import"]), month_file("csv")).json()["id"]
    other = key_client(f.OrganisationFactory(billing_mode=Organisation.BillingMode.EXTERNAL), ["import"])
    answer = other.get(f"/api/v1/org/jobs/{job_id}/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert other.get("/api/v1/org/jobs/99999999/").status_code == 404
