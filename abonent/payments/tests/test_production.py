"""Payments in production: the sandbox and known keys are refused at start-up (a fresh process with DEBUG=0 for
settings read at import), and at request time the sandbox's own key and switch decide what is believed."""

import hashlib
import hmac
from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.urls import reverse

from abonent import deploy_guard
from abonent.billing.models import LedgerEntry
from abonent.payments.models import Payment, SandboxCharge
from abonent.payments.providers import sandbox
from abonent.testing import factories as f
from abonent.testing.production import PRODUCTION, SIGNING_KEY, python

from .conftest import debt, indebted_account

PRINT_PROVIDER = "from django.conf import settings; print('provider=' + settings.PAYMENTS_PROVIDER)"


def without(*names):
    return {k: v for k, v in PRODUCTION.items() if k not in names}


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        (without("SECRET_KEY"), "SECRET_KEY не задан"),
        ({**PRODUCTION, "SECRET_KEY": deploy_guard.DEV_SECRET_KEY}, "SECRET_KEY совпадает с ключом разработки"),
        ({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY слишком короткий"),
        (without("PAYMENTS_PROVIDER", "YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY"), "задайте YOOKASSA_SHOP_ID"),
        (without("YOOKASSA_SECRET_KEY"), "задайте YOOKASSA_SHOP_ID и YOOKASSA_SECRET_KEY"),
        ({**PRODUCTION, "PAYMENTS_PROVIDER": "sandbox"}, "PAYMENTS_SANDBOX_ALLOWED=1"),
        (
            {**PRODUCTION, "PAYMENTS_PROVIDER": "sandbox", "PAYMENTS_SANDBOX_ALLOWED": "1"},
            "PAYMENTS_SIGNING_KEY не задан",
        ),
        (
            {
                **PRODUCTION,
                "PAYMENTS_PROVIDER": "sandbox",
                "PAYMENTS_SANDBOX_ALLOWED": "1",
                "PAYMENTS_SIGNING_KEY": deploy_guard.DEV_SIGNING_KEY,
            },
            "PAYMENTS_SIGNING_KEY совпадает с ключом разработки",
        ),
        ({**PRODUCTION, "PAYMENTS_PROVIDER": "paypal"}, "допустимы yookassa или sandbox"),
    ],
)
def test_unsafe_production_settings_refuse_to_start(env, refusal):
    done = python(PRINT_PROVIDER, env)
    assert done.returncode != 0, done.stdout
    assert "ImproperlyConfigured" in done.stderr
    assert refusal in done.stderr


@pytest.mark.parametrize(
    ("env", "provider"),
    [
        ({}, "sandbox"),  # `make run`: DEBUG defaults to 1, nothing set — the sandbox, no keys needed
        (PRODUCTION, "yookassa"),
        (  # a staging site: the sandbox on purpose, with its own signing key
            {
                **PRODUCTION,
                "PAYMENTS_PROVIDER": "sandbox",
                "PAYMENTS_SANDBOX_ALLOWED": "1",
                "PAYMENTS_SIGNING_KEY": SIGNING_KEY,
            },
            "sandbox",
        ),
    ],
)
def test_safe_settings_start(env, provider):
    done = python(PRINT_PROVIDER, env)
    assert done.returncode == 0, done.stderr
    assert f"provider={provider}" in done.stdout


def _notify(client, token, status, key: bytes):
    body = sandbox.notification(token, status)
    signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("payments:notify", args=["sandbox"]),
        data=body,
        content_type="application/json",
        **{sandbox.SIGNATURE_HEADER: signature},
    )


def _pending_charge(client):
    account = indebted_account()
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client.force_login(user)
    r = client.post(reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": "1500,00"})
    assert r.status_code == 302
    return account, Payment.objects.get(account=account)


@pytest.mark.django_db
def test_notification_signed_with_a_known_key_is_refused_in_production(client):
    account, payment = _pending_charge(client)
    with override_settings(DEBUG=False, PAYMENTS_SANDBOX_ALLOWED=True, PAYMENTS_SIGNING_KEY=SIGNING_KEY):
        # the keys anyone can read in the repository: the development SECRET_KEY (what signed notifications before)
        # and the development signing key
        for known in ("sandbox:" + deploy_guard.DEV_SECRET_KEY, deploy_guard.DEV_SIGNING_KEY):
            r = _notify(client, payment.provider_payment_id, "succeeded", known.encode())
            assert r.status_code == 403
        payment.refresh_from_db()
        assert payment.status == Payment.Status.PROCESSING
        assert not LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.PAYMENT).exists()
        assert debt(account) == D("1500.00")
        # the site's own key is believed (the charge itself succeeded)
        SandboxCharge.objects.filter(token=payment.provider_payment_id).update(status="succeeded")
        assert _notify(client, payment.provider_payment_id, "succeeded", SIGNING_KEY.encode()).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED


@pytest.mark.django_db
def test_sandbox_switched_off_takes_nothing(client):
    account, payment = _pending_charge(client)
    token = payment.provider_payment_id
    with override_settings(PAYMENTS_SANDBOX_ALLOWED=False):
        assert client.get(reverse("payments:sandbox_pay", args=[token])).status_code == 404
        card = {"number": "4111111111111111", "expiry": "12/30", "cvc": "123"}
        assert client.post(reverse("payments:sandbox_pay", args=[token]), card).status_code == 404
        assert _notify(client, token, "succeeded", sandbox.secret()).status_code == 404
        # the payer's return asks nobody and credits nothing
        assert client.get(reverse("payments:result", args=[payment.order])).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert SandboxCharge.objects.get(token=token).status == "pending"
    assert debt(account) == D("1500.00")
