"""Schemathesis reads /api/v1/schema/ and calls every operation as a resident's write token, through the WSGI
app: no 500, and every answer (status, content type, headers, body) conforms to the schema. The ids in paths
are the resident's own, so the answers are the real ones, not only 404s (other ids: test_isolation)."""

import datetime as dt

import pytest
import schemathesis
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import given as hypothesis_given
from schemathesis import checks

from abonent.api import tokens
from abonent.api.models import OrgScope
from abonent.exchange.tasks import month_import_start, register_start
from abonent.exchange.tests.test_register import ROWS, org, register_file  # noqa: F401  (the exchange's fixture)
from abonent.jobs import runner
from abonent.wsgi import application

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(owned):
    """As Django's test client does: the WSGI app must not close the connection that holds the test's transaction
    at the end of each request (PostgreSQL would lose the test's data; SQLite's in-memory database shrugs). After
    `owned`, whose test client connects the handlers again when its requests end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
EXAMPLES = 6  # per operation: the whole run stays well under a minute
# positive_data_acceptance would call a refused reading (a value lower than the last) a failure: it is a 400 by
# the rules, documented as such.
EXCLUDED = [checks.positive_data_acceptance]


def _own_ids(case, resident, owned):
    ids = {
        "account_id": resident.account.pk, "meter_id": resident.meter.pk, "appeal_id": owned["appeal"],
        "attachment_id": owned["attachment"], "request_id": owned["request"], "news_id": owned["news"],
        "order": owned["order"], "month": "2024-03", "job_id": owned.get("job"),
    }  # fmt: skip
    if "/org/" in case.path:
        ids["account_id"] = resident.account.pk
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    _own_body(case.body, resident, owned)


def _own_body(body, resident, owned):
    """The ids in a generated body made the resident's, so the services get past "not yours" to their rules."""
    if not isinstance(body, dict):
        return
    if "account" in body:
        body["account"] = resident.account.pk
    if "service" in body:
        body["service"] = owned["service"]
    for item in body.get("readings") or []:
        if isinstance(item, dict):
            item["meter"] = resident.meter.pk
    for item in body.get("items") or []:
        if isinstance(item, dict):
            item["account"] = resident.account.pk


def _run(operations, headers, resident, owned) -> dict[str, set[int]]:
    seen: dict[str, set[int]] = {}

    for operation in operations:

        @hypothesis_given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            _own_ids(case, resident, owned)
            case.headers = {**(case.headers or {}), **headers}  # the generated Authorization would be a random one
            response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
            seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)

        with time_machine.travel(IN_WINDOW):
            check()
    return seen


def _operations(of_org: bool):
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if op.path.startswith("/api/v1/org/") == of_org]


def test_every_resident_operation_conforms_to_the_schema(resident, owned):
    operations = _operations(of_org=False)
    assert len(operations) >= 20
    seen = _run(operations, {"Authorization": f"Bearer {resident.write.raw_token}"}, resident, owned)
    # the resident's own ids: every read answered with data at least once (not only errors)
    reads = {label: codes for label, codes in seen.items() if label.startswith("GET")}
    assert len(reads) == len([op for op in operations if op.method.upper() == "GET"])
    assert all(200 in codes for codes in reads.values()), reads


def test_every_organisation_operation_conforms_to_the_schema(resident, owned):
    _, raw = tokens.key_create(organisation=resident.org, name="1С", scopes=OrgScope.values, actor=None)
    owned["job"] = month_import_start(
        organisation=resident.org, month=dt.date(2024, 3, 1), data=b"x", file_name="m.csv", publish=False,
        channel="api",
    ).pk  # fmt: skip
    operations = _operations(of_org=True)
    assert len(operations) == 7
    seen = _run(operations, {"Authorization": f"Bearer {raw}"}, resident, owned)
    assert all(200 in codes for label, codes in seen.items() if label.startswith("GET")), seen
    # the resident's organisation computes its own charges: the month and the register are refused, as documented
    assert seen["POST /api/v1/org/month-import/"] == {403}, seen
    assert seen["POST /api/v1/org/register/"] == {403}, seen


def test_finished_and_failed_register_jobs_conform_to_the_schema(org):  # noqa: F811
    """The generated run above reads a queued month job only: a register job's counts and a refusal's reasons are
    checked against the documented job here."""
    _, raw = tokens.key_create(organisation=org, name="1С", scopes=[OrgScope.IMPORT], actor=None)
    operation = schema["/api/v1/org/jobs/{job_id}/"]["GET"]
    for data, state in ((register_file(), "finished"), (register_file(rows=[ROWS[2], ROWS[2]]), "failed")):
        job = register_start(organisation=org, data=data, file_name="register.csv", channel="api")
        runner.job_run(job.pk)
        case = operation.Case(path_parameters={"job_id": job.pk})
        response = case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, excluded_checks=EXCLUDED)
        assert response.status_code == 200 and response.json()["state"] == state, response.json()
