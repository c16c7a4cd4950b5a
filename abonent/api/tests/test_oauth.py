"""OAuth 2 authorization code with PKCE (django-oauth-toolkit): a resident allows a third-party app on our consent
page, the app exchanges the code with its verifier, and the token acts as the resident with the scope allowed;
without PKCE no code; revoked in the profile, the token stops at once."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from oauth2_provider.models import AccessToken as OAuthToken
from oauth2_provider.models import Application
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
REDIRECT = "https://app.example.ru/callback"


@pytest.fixture
def app(db):
    return Application.objects.create(
        name="Умный дом", client_type=Application.CLIENT_PUBLIC, redirect_uris=REDIRECT,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    )  # fmt: skip


def _pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorise(client, app, scope, challenge):
    query = {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT, "scope": scope}
    if challenge:
        query.update(code_challenge=challenge, code_challenge_method="S256")
    page = client.get(reverse("oauth2_provider:authorize"), query)
    return page, query


def _token(client, resident, app, scope):
    client.force_login(resident.user)
    verifier, challenge = _pkce()
    page, query = _authorise(client, app, scope, challenge)
    assert page.status_code == 200 and "Разрешить приложению «Умный дом»" in page.content.decode()
    allowed = client.post(reverse("oauth2_provider:authorize"), {**query, "allow": "Authorize"})
    code = parse_qs(urlsplit(allowed["Location"]).query)["code"][0]
    token = client.post(reverse("oauth2_provider:token"), {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": app.client_id,
        "code_verifier": verifier,
    })  # fmt: skip
    assert token.status_code == 200, token.content
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")


def test_code_with_pkce_gives_a_token_acting_as_the_resident(client, resident, app):
    api = _token(client, resident, app, "read")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == resident.user.username and me["token_scope"] == "read"
    assert [a["id"] for a in api.get("/api/v1/accounts/").json()] == [resident.account.pk]
    body = {"items": [{"account": resident.account.pk, "amount": "10"}]}
    assert api.post("/api/v1/payments/", body, format="json").status_code == 403  # read scope: no writing


def test_another_residents_account_stays_404_through_oauth(client, resident, stranger, app):
    api = _token(client, resident, app, "read write")
    assert api.get(f"/api/v1/accounts/{stranger.account.pk}/").status_code == 404
    assert api.get("/api/v1/me/").json()["token_scope"] == "write"


def test_without_pkce_there_is_no_code(client, resident, app):
    client.force_login(resident.user)
    page, query = _authorise(client, app, "read", challenge=None)
    answer = client.post(reverse("oauth2_provider:authorize"), {**query, "allow": "Authorize"})
    location = answer.get("Location", "")
    assert "code=" not in location


def test_revoked_in_the_profile_stops_at_once(client, resident, app):
    api = _token(client, resident, app, "read")
    assert api.get("/api/v1/me/").status_code == 200
    token = OAuthToken.objects.get(user=resident.user)
    assert "Умный дом" in client.get(reverse("api:tokens")).content.decode()
    assert client.post(reverse("api:app_revoke", args=[token.pk])).status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
