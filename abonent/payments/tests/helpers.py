"""Shared steps of the fiscal, refund, СБП and auto-pay tests: a subscriber pays in the sandbox."""

from django.urls import reverse

from abonent.payments.models import Payment
from abonent.payments.providers import sandbox
from abonent.testing import factories as f


def subscriber(client, *accounts, email=None):
    user = f.UserFactory(**({"email": email} if email else {}))
    for a in accounts:
        f.AccountLinkFactory(user=user, account=a)
    client.force_login(user)
    return user


def pay_by_card(client, capture, account, amount="1500,00", *, save=False, card=sandbox.SUCCESS_CARD) -> Payment:
    """The pay page, then the sandbox's card page; the notification and what follows it run after commit."""
    data = {f"pay_{account.pk}": "on", f"amount_{account.pk}": amount, "method": "card"}
    if save:
        data["save_method"] = "on"
    r = client.post(reverse("payments:pay"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    with capture(execute=True):
        client.post(r["Location"], {"number": card, "expiry": "12/30", "cvc": "123"})
    return Payment.objects.filter(account=account).order_by("-pk").first()
