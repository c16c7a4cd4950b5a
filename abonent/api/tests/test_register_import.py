"""The register (houses, premises, accounts, meters) through the API, for an organisation in external-billing mode
with a key of the "import" scope: the file becomes a job at once, the job (run here in the foreground, as a worker
would) writes the register with the exchange's own checks, and the written accounts are read back through the
register endpoints; a refused file fails the job with Russian reasons and changes nothing; a missing file, own
billing, a key without the scope and another organisation's job are refused."""

import uuid
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.exchange.models import ExchangeFile
from abonent.exchange.tests.test_register import GUID, ROWS, org, register_file, snapshot  # noqa: F401  (fixture)
from abonent.housing.models import Building
from abonent.jobs import runner
from abonent.jobs.models import Job
from abonent.metering.models import Meter, Resource
from abonent.orgs.models import Organisation
from abonent.testing import factories as f

from .test_org import key_client

pytestmark = pytest.mark.django_db


def send(api, data, name="register.csv"):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return api.post("/api/v1/org/register/", {"file": upload}, format="multipart")


def test_file_becomes_a_job_that_writes_the_register(org):  # noqa: F811
    api = key_client(org, ["import", "register"])
    answer = send(api, register_file())
    assert answer.status_code == 202, answer.json()
    assert answer.json()["state"] == "queued" and answer.json()["kind"] == "exchange.register"
    assert not Building.objects.filter(organisation=org).exists()  # nothing written before the worker runs it
    runner.job_run(answer.json()["id"])
    state = api.get(f"/api/v1/org/jobs/{answer.json()['id']}/").json()
    assert state["state"] == "finished" and state["error"] == "", state
    stored = ExchangeFile.objects.get(status=ExchangeFile.Status.ACCEPTED, kind=ExchangeFile.Kind.REGISTER)
    assert stored.channel == "api" and stored.organisation == org
    assert state["result"] == {"lines": 3, "file": stored.pk, **{f"{stage}_{what}": (2 if what == "created" else 0)
                               for stage in ("houses", "premises", "accounts", "meters")
                               for what in ("created", "updated")}}  # fmt: skip
    accounts = {a["number"]: a for a in api.get("/api/v1/org/accounts/").json()["results"]}
    assert set(accounts) == {"200001", "200002"}
    first = accounts["200001"]
    assert (first["address"], first["premises_number"], first["residents"]) == (
        "г. Тула, ул. Садовая, д. 5, кв. 12",
        "12",
        3,
    )
    assert (D(first["total_area"]), first["payer_name"], first["opened_on"]) == (
        D("54.30"), "Ёлкина Мария Петровна", "2020-02-01",
    )  # fmt: skip
    assert api.get(f"/api/v1/org/accounts/{first['id']}/").json()["closed_on"] is None
    assert accounts["200002"]["closed_on"] == "2026-08-31"
    # no endpoint reads meters yet: the meters are checked where the job wrote them
    house = Building.objects.get(organisation=org, fias_guid=uuid.UUID(GUID))
    meters = Meter.objects.filter(premises__building=house).order_by("serial_number")
    assert [(m.serial_number, m.resource, m.initial_value) for m in meters] == [
        ("ГВ-1", Resource.HOT_WATER, D("0")), ("ХВ-778812", Resource.COLD_WATER, D("12.345")),
    ]  # fmt: skip


def test_refused_file_fails_the_job_with_the_reasons_and_writes_nothing(org):  # noqa: F811
    api = key_client(org, ["import"])
    before = snapshot(org)
    job_id = send(api, register_file(rows=[ROWS[2], ROWS[2]])).json()["id"]
    runner.job_run(job_id)
    state = api.get(f"/api/v1/org/jobs/{job_id}/").json()
    assert state["state"] == "failed" and "строка 3: счёт 200002 повторяет строку 2" in state["error"], state
    assert snapshot(org) == before
    assert not ExchangeFile.objects.filter(status=ExchangeFile.Status.ACCEPTED).exists()


def test_missing_file_own_billing_and_a_key_without_the_scope_are_refused(org):  # noqa: F811
    missing = key_client(org, ["import"]).post("/api/v1/org/register/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["error"]["fields"]
    no_scope = send(key_client(org, ["register"]), register_file())
    assert no_scope.status_code == 403 and no_scope.json()["error"]["code"] == "permission_denied"
    own = f.OrganisationFactory(billing_mode=Organisation.BillingMode.OWN)
    refused = send(key_client(own, ["import"]), register_file())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "own_billing"
    assert "собственный расчёт" in refused.json()["error"]["message"] and "реестр" in refused.json()["error"]["message"]
    assert not Job.objects.exists()


def test_another_organisations_register_job_is_404(org):  # noqa: F811
    job_id = send(key_client(org, ["import"]), register_file()).json()["id"]
    other = key_client(f.OrganisationFactory(billing_mode=Organisation.BillingMode.EXTERNAL), ["import"])
    answer = other.get(f"/api/v1/org/jobs/{job_id}/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
