"""Organisation API keys: made in the back office by the organisation's administrator and shown once; the
register and the exports since a cursor hold only the key's organisation; scopes enforced; another
organisation's account answers 404; keys and residents' tokens do not open each other's endpoints."""

import pytest
import time_machine
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from abonent.api import tokens
from abonent.api.models import OrgApiKey
from abonent.metering.models import Reading
from abonent.payments import services as payments
from abonent.testing import factories as f

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db


def key_client(org, scopes=("register", "readings", "payments")):
    _, raw = tokens.key_create(organisation=org, name="1С", scopes=list(scopes), actor=None)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_administrator_makes_a_key_in_the_admin_shown_once(client, resident):
    admin = f.OperatorFactory(organisation=resident.org)
    admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="api"))
    client.force_login(admin)
    answer = client.post("/admin/api/orgapikey/add/", {"name": "Биллинг", "scopes": ["register"]}, follow=True)
    assert answer.status_code == 200
    key = OrgApiKey.objects.get()
    assert key.organisation == resident.org and key.created_by == admin  # the operator's own, not a choice
    shown = [str(m) for m in answer.context["messages"]]
    raw = next(word for text in shown for word in text.split() if word.startswith("abk_"))
    assert tokens.digest(raw) == key.digest
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/org/accounts/").status_code == 200


def test_register_and_its_scope(resident, stranger):
    api = key_client(resident.org)
    body = api.get("/api/v1/org/accounts/").json()
    assert [a["number"] for a in body["results"]] == [resident.account.number]
    assert api.get(f"/api/v1/org/accounts/{resident.account.pk}/").status_code == 200
    other = api.get(f"/api/v1/org/accounts/{stranger.account.pk}/")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    readings_only = key_client(resident.org, ["readings"])
    refused = readings_only.get("/api/v1/org/accounts/")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"


def test_tokens_and_keys_do_not_open_each_others_endpoints(resident):
    assert resident.read.get("/api/v1/org/accounts/").status_code == 403
    assert key_client(resident.org).get("/api/v1/accounts/").status_code == 403


def test_revoked_key_stops_at_once(resident):
    api = key_client(resident.org)
    assert api.get("/api/v1/org/accounts/").status_code == 200
    OrgApiKey.objects.update(revoked_at="2026-11-20T00:00:00Z")
    assert api.get("/api/v1/org/accounts/").status_code == 401


@time_machine.travel(IN_WINDOW, tick=False)
def test_readings_export_since_a_cursor(resident, stranger):
    api = key_client(resident.org)
    for value in ("10", "11", "12"):
        resident.write.post(f"/api/v1/accounts/{resident.account.pk}/readings/",
                            {"readings": [{"meter": resident.meter.pk, "value": value}], "confirm": True},
                            format="json")  # fmt: skip
    stranger.write.post(f"/api/v1/accounts/{stranger.account.pk}/readings/",
                        {"readings": [{"meter": stranger.meter.pk, "value": "5"}], "confirm": True}, format="json")  # fmt: skip
    first = api.get("/api/v1/org/readings/", {"limit": 2}).json()
    assert [r["value"] for r in first["results"]] == ["10.000000", "11.000000"] and first["has_more"] is True
    assert first["results"][0]["account"] == resident.account.number
    rest = api.get("/api/v1/org/readings/", {"after": first["next_cursor"]}).json()
    assert [r["value"] for r in rest["results"]] == ["12.000000"] and rest["has_more"] is False
    assert rest["results"][0]["is_current"] is True
    again = api.get("/api/v1/org/readings/", {"after": rest["next_cursor"]}).json()
    assert again["results"] == [] and again["next_cursor"] == rest["next_cursor"]
    assert Reading.objects.count() == 4  # the stranger's reading is there, but not in this organisation's export
    bad = api.get("/api/v1/org/readings/", {"after": "-1"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_cursor"


def test_payments_export_lists_credits(resident):
    api = key_client(resident.org, ["payments"])
    order = resident.write.post("/api/v1/payments/", {"items": [{"account": resident.account.pk, "amount": "100"}]},
                                format="json").json()["order"]  # fmt: skip
    assert api.get("/api/v1/org/payments/").json()["results"] == []  # not credited yet: nothing to export
    payment = resident.account.payments.get(order=order)
    payments.payment_credit(payment=payment)
    rows = api.get("/api/v1/org/payments/").json()["results"]
    assert [(r["event"], r["amount"], r["account"]) for r in rows] == [("credited", "100.00", resident.account.number)]
