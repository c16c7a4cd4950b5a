"""Schemathesis reads /api/v1/schema/ and calls every operation as a resident's write token, through the WSGI
app: no 500, and every answer (status, content type, headers, body) conforms to the schema. The ids in paths
are the resident's own, so the answers are the real ones, not only 404s (other ids: test_isolation)."""

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import given as hypothesis_given
from schemathesis import checks

from abonent.wsgi import application

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
EXAMPLES = 6  # per operation: the whole run stays well under a minute
# positive_data_acceptance would call a refused reading (a value lower than the last) a failure: it is a 400 by
# the rules, documented as such.
EXCLUDED = [checks.positive_data_acceptance]


def _own_ids(case, resident, owned):
    ids = {
        "account_id": resident.account.pk, "meter_id": resident.meter.pk, "appeal_id": owned["appeal"],
        "attachment_id": owned["attachment"], "request_id": owned["request"], "news_id": owned["news"],
        "order": owned["order"], "month": "2024-03",
    }  # fmt: skip
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


def test_every_operation_conforms_to_the_schema(resident, owned):
    headers = {"Authorization": f"Bearer {resident.write.raw_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
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
    print(sorted(seen.items()))
    # the resident's own ids: every read answered with data at least once (not only errors)
    reads = {label: codes for label, codes in seen.items() if label.startswith("GET")}
    assert all(200 in codes for codes in reads.values()), reads
