"""Personal access tokens: made in the profile and shown once, stored as a digest, revoked at once; scopes and
the rate limit per token."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from abonent.api.models import AccessToken
from abonent.api.throttling import PerTokenThrottle
from abonent.api.tokens import digest

from .conftest import client_with

pytestmark = pytest.mark.django_db


def test_profile_page_creates_a_token_shown_once_and_stored_hashed(client, resident):
    client.force_login(resident.user)
    assert "Доступ для приложений" in client.get(reverse("users:profile")).content.decode()
    answer = client.post(reverse("api:tokens"), {"name": "Умный дом", "scope": "read"})
    assert answer.status_code == 200
    raw = answer.context["created"]
    assert raw.startswith("abt_") and raw in answer.content.decode()
    token = AccessToken.objects.get(user=resident.user, name="Умный дом")
    assert token.digest == digest(raw) and raw not in (token.digest, token.prefix)
    again = client.get(reverse("api:tokens")).content.decode()
    assert raw not in again and token.prefix in again  # listed, never shown again


def test_profile_refuses_a_token_without_a_name(client, resident):
    client.force_login(resident.user)
    answer = client.post(reverse("api:tokens"), {"name": " ", "scope": "write"})
    assert answer.status_code == 400
    assert "Назовите токен" in answer.content.decode()


def test_revoked_token_stops_working_at_once(client, resident):
    api = resident.read
    assert api.get("/api/v1/me/").status_code == 200
    token = AccessToken.objects.get(digest=digest(api.raw_token))
    client.force_login(resident.user)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    answer = api.get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "authentication_failed"
    assert "отозван" in answer.json()["error"]["message"]


def test_another_users_token_cannot_be_revoked(client, resident, stranger):
    token = AccessToken.objects.get(digest=digest(stranger.read.raw_token))
    client.force_login(resident.user)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert stranger.read.get("/api/v1/me/").status_code == 200


def test_no_token_and_a_wrong_token_are_refused_in_russian(resident):
    anonymous = APIClient().get("/api/v1/accounts/")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == {"code": "not_authenticated", "message": anonymous.json()["error"]["message"]}
    assert "токен" in anonymous.json()["error"]["message"]
    wrong = APIClient(HTTP_AUTHORIZATION="Bearer abt_nonsense").get("/api/v1/accounts/")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "authentication_failed"


def test_read_token_cannot_write(resident):
    body = {"readings": [{"meter": resident.meter.pk, "value": "10"}], "confirm": True}
    answer = resident.read.post(f"/api/v1/accounts/{resident.account.pk}/readings/", body, format="json")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"
    pay = resident.read.post("/api/v1/payments/", {"items": [{"account": resident.account.pk, "amount": "1"}]},
                             format="json")  # fmt: skip
    assert pay.status_code == 403


def test_rate_limit_per_token(resident, monkeypatch):
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"token": "3/min"})
    other = client_with(resident.user, "read")
    for _ in range(3):
        assert resident.read.get("/api/v1/me/").status_code == 200
    limited = resident.read.get("/api/v1/me/")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "throttled" and limited.json()["error"]["retry_after"] >= 1
    assert other.get("/api/v1/me/").status_code == 200  # another token of the same person counts apart
