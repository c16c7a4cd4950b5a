"""E-mails of the payments app: after a period is published, the amount due with the link to pay (once per user,
account and period, per the user's settings); when a payment is credited, a confirmation (once per payment)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from abonent.billing import cycle
from abonent.billing.models import AccountBalance, BillingPeriod, Service
from abonent.notifications.models import Kind
from abonent.notifications.services import notification_set
from abonent.payments import services
from abonent.payments.models import Payment, PaymentDueNotice
from abonent.testing import factories as f
from abonent.testing.smtp import smtp_server

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)
NBSP = "\u00a0"


def flat(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.fixture
def org():
    org = f.OrganisationFactory()
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code="fixed")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=Decimal("1234.56"))
    return org


def account(org):
    return f.PersonalAccountFactory(
        organisation=org, premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org))
    )


def publish(org, captured):
    with captured(execute=True):
        return cycle.period_close(organisation=org, month=MONTH)


def due_mails():
    return [m for m in mail.outbox if "К оплате" in m.subject]


def test_publish_mails_amount_due_once_per_user_and_account(org, django_capture_on_commit_callbacks):
    # given two accounts, one user linked to both, another to one, and a third who turned these e-mails off
    first, second = account(org), account(org)
    both = f.AccountLinkFactory(account=first).user
    f.AccountLinkFactory(account=second, user=both)
    only = f.AccountLinkFactory(account=second).user
    off = f.AccountLinkFactory(account=first).user
    notification_set(user=off, kind=Kind.RECEIPT, enabled=False)
    # when the period is published
    period = publish(org, django_capture_on_commit_callbacks)
    # then one e-mail per user and account, with the amount in Russian format and the link to pay
    assert period.state == BillingPeriod.State.PUBLISHED
    sent = sorted((m.to[0], m.subject) for m in due_mails())
    assert [to for to, _ in sent] == sorted([both.email, both.email, only.email])
    message = next(m for m in due_mails() if m.to == [only.email])
    assert second.number in message.subject
    assert "1 234,56 ₽" in flat(message.body) and "1 234,56 ₽" in flat(message.alternatives[0][0])
    assert "http://" in message.body and "/cabinet/pay/" in message.body
    assert "unsubscribe" in message.body and "unsubscribe" in message.extra_headers["List-Unsubscribe"]
    assert "List-Unsubscribe" in message.extra_headers
    assert PaymentDueNotice.objects.filter(period=period).count() == 3
    # a rerun of the publish step, or of the mailing itself, sends nothing again
    with django_capture_on_commit_callbacks(execute=True):
        cycle.period_close(organisation=org, month=MONTH, step="publish")
        assert services.payment_due_send(period=period) == {"sent": 0, "skipped": 3, "failed": 0}
    assert len(due_mails()) == 3


def test_nothing_before_commit_and_no_mail_without_debt(org, django_capture_on_commit_callbacks):
    acc = account(org)
    f.AccountLinkFactory(account=acc)
    cycle.period_close(organisation=org, month=MONTH, step="close_readings")
    cycle.period_close(organisation=org, month=MONTH, step="calculate")
    # an advance paid since the calculation: the account owes nothing
    AccountBalance.objects.filter(account=acc).update(paid=Decimal("2000.00"), closing=Decimal("-765.44"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cycle.period_close(organisation=org, month=MONTH, step="publish")
    assert callbacks and mail.outbox == []  # nothing goes out before the commit
    for callback in callbacks:
        callback()
    assert mail.outbox == [] and not PaymentDueNotice.objects.exists()


def test_publish_also_mails_receipts(org, django_capture_on_commit_callbacks):
    acc = account(org)
    link = f.AccountLinkFactory(account=acc, receipts_by_email=True)
    publish(org, django_capture_on_commit_callbacks)
    subjects = [m.subject for m in mail.outbox if m.to == [link.user.email]]
    assert len(subjects) == 2 and any(s.startswith("Квитанция") for s in subjects)


def test_credited_payment_is_mailed_once_to_those_who_want_it(org, django_capture_on_commit_callbacks):
    acc = account(org)
    wants = f.AccountLinkFactory(account=acc).user
    off = f.AccountLinkFactory(account=acc).user
    notification_set(user=off, kind=Kind.PAYMENT, enabled=False)
    payment = Payment.objects.create(
        organisation=org,
        account=acc,
        amount=Decimal("1234.56"),
        channel=Payment.Channel.BANK,
        external_id="r-1",
        paid_on=dt.date(2026, 11, 3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.payment_credit(payment=payment)
        assert mail.outbox == []  # on commit only
    assert [m.to for m in mail.outbox] == [[wants.email]]
    message = mail.outbox[0]
    assert "1 234,56 ₽" in flat(message.subject) and acc.number in message.body
    assert "List-Unsubscribe" in message.extra_headers and "unsubscribe" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.payment_credit(payment=payment)  # already credited: no second e-mail
    assert len(mail.outbox) == 1


def test_a_refused_letter_is_tried_again_by_the_next_run_and_the_others_go_on(
    org, settings, django_capture_on_commit_callbacks
):
    # given three indebted accounts, and a mail server that refuses the second subscriber's address
    users = [f.AccountLinkFactory(account=account(org)).user for _ in range(3)]
    with smtp_server(settings) as inbox:
        inbox.refused.add(users[1].email)
        # when the period is published: the publish commits and the others get their letters
        period = publish(org, django_capture_on_commit_callbacks)
        assert period.state == BillingPeriod.State.PUBLISHED
        assert sorted(m["To"] for m in inbox.messages) == sorted([users[0].email, users[2].email])
        # the refused letter is not marked as sent, so the next run sends it, and only it
        assert set(PaymentDueNotice.objects.values_list("user_id", flat=True)) == {users[0].pk, users[2].pk}
        inbox.refused.clear()
        assert services.payment_due_send(period=period) == {"sent": 1, "skipped": 2, "failed": 0}
        assert len(inbox.to(users[1].email)) == 1 and len(inbox.messages) == 3
        assert PaymentDueNotice.objects.filter(period=period).count() == 3


def test_an_optional_letter_the_server_refuses_does_not_break_what_it_reports(
    org, settings, django_capture_on_commit_callbacks
):
    # A payment's confirmation goes out after the credit commits: a refusal is logged and raises nowhere (the
    # cash desk's page, a provider's notification), and the letters of the same commit after it still go.
    acc = account(org)
    refused, other = (f.AccountLinkFactory(account=acc).user for _ in range(2))
    with smtp_server(settings) as inbox, django_capture_on_commit_callbacks(execute=True):
        inbox.refused.add(refused.email)
        payment = services.payment_cash_create(account=acc, amount=Decimal("100.00"), paid_on=MONTH, actor=None)
    assert [m["To"] for m in inbox.messages] == [other.email]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED
