"""Notices through the bot, in Telegram and MAX alike: a published period's «квитанция готова», a payment credited
and an operator's answer to an appeal reach the linked chat once, by a background job (run here in the foreground), not a chat whose
user turned them off, not twice on a rerun; a messenger answering 500 loses nothing and doubles nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from abonent.billing.models import BillingPeriod
from abonent.billing.signals import period_published
from abonent.bots import linking
from abonent.bots.models import BotNotice
from abonent.bots.notify import NoticeError
from abonent.bots.tasks import NOTICES
from abonent.jobs.models import Job
from abonent.jobs.runner import job_run
from abonent.jobs.services import job_retry, start_job
from abonent.notifications.models import Kind
from abonent.notifications.selectors import wanted_chat_kinds, wanted_kinds
from abonent.notifications.services import chat_notifications_update
from abonent.outages.models import Outage
from abonent.outages.services import outage_notify
from abonent.payments import services as payments
from abonent.payments.models import Payment
from abonent.support import services as support
from abonent.support.models import Appeal
from abonent.testing import factories as f

from .conftest import texts


def _linked(chat, resident):
    chat.say(f"/start {linking.issue_code(resident.user).code}")
    chat.press("balance")  # the answers so far are seen: what follows is the notices
    return chat


class _Delivered:  # what Chat._answers checks of a webhook's answer: the notices come without one
    status_code = 200


def _sent(chat) -> list[dict]:
    """What the chat received since the last look."""
    return chat._answers(_Delivered())


def _published(resident) -> Job:
    period_published.send(sender=BillingPeriod, period=resident.period)
    return Job.objects.get(kind=NOTICES)


def _run(job: Job) -> Job:
    return job_run(job.pk, inline=True)


def test_publish_sends_receipt_ready_once(chat, resident):
    _linked(chat, resident)
    job = _run(_published(resident))
    sent = _sent(chat)
    month = f"{resident.period.month:%m.%Y}"
    assert len(sent) == 1 and f"Квитанция за {month} готова: ЛС {resident.account.number}" in texts(sent)
    assert job.state == Job.State.FINISHED and job.result["sent"] == 1
    # The same event's job started again (an operator, a resent signal): the claimed notice is skipped.
    again = _run(start_job(kind=NOTICES, organisation=resident.org, params=job.params, send=False))
    assert again.result == {"sent": 0, "skipped": 1, "refused": 0, "failed": 0}
    assert _sent(chat) == []
    assert BotNotice.objects.get().sent_at is not None


def test_no_receipt_notice_to_a_chat_that_turned_it_off(chat, resident):
    _linked(chat, resident)
    chat_notifications_update(user=resident.user, wanted={Kind.APPEAL_ANSWER})
    job = _run(_published(resident))
    assert job.result == {} and not BotNotice.objects.exists()
    assert _sent(chat) == []


def test_a_500_is_retried_and_delivered_once(chat, resident):
    _linked(chat, resident)
    chat.recorder.fail_next = 1
    job = _published(resident)
    with pytest.raises(NoticeError):  # run in the foreground, the job raises what a worker records
        _run(job)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "Не доставлено уведомлений в мессенджер: 1" in job.error
    assert not BotNotice.objects.exists()  # the claim released
    job = _run(job_retry(job=job))
    assert job.state == Job.State.FINISHED and job.result["sent"] == 1
    sent = _sent(chat)
    assert len(sent) == 2  # the refused call (recorded with its 500) and the delivered one
    assert BotNotice.objects.get().sent_at is not None


def test_a_chat_that_blocked_the_bot_is_not_retried(chat, resident):
    _linked(chat, resident)
    chat.recorder.fail_next, chat.recorder.fail_status = 1, 403
    try:
        job = _run(_published(resident))
    finally:
        chat.recorder.fail_status = 500
    assert job.state == Job.State.FINISHED and job.result["refused"] == 1
    assert BotNotice.objects.get().sent_at is None  # kept claimed: a rerun does not knock again
    again = _run(start_job(kind=NOTICES, organisation=resident.org, params=job.params, send=False))
    assert again.result["skipped"] == 1 and len(_sent(chat)) == 1


def test_an_answer_to_an_appeal_comes_to_the_chat(chat, resident):
    _linked(chat, resident)
    appeal = Appeal.objects.create(
        organisation=resident.org, account=resident.account, author=resident.user, topic=Appeal.Topic.OTHER,
        text="Когда придёт перерасчёт?", contact=resident.user.email,
    )  # fmt: skip
    operator = f.OperatorFactory(organisation=resident.org)
    support.appeal_answer(appeal=appeal, operator=operator, text="Перерасчёт будет в следующей квитанции.")
    _run(Job.objects.get(kind=NOTICES))
    sent = _sent(chat)
    assert texts(sent) == f"Ответ на обращение № {appeal.pk}:\nПерерасчёт будет в следующей квитанции."


def test_the_settings_page_offers_the_chat_only_with_a_linked_chat(chat, resident):
    page = Client()
    page.force_login(resident.user)
    assert "Присылать в мессенджер" not in page.get("/profile/notifications/").content.decode()
    # Without a linked chat a POST of the e-mail choices leaves the chat's kinds as they are (on).
    page.post("/profile/notifications/", {"kinds": [Kind.RECEIPT]})
    assert wanted_chat_kinds(resident.user) == {Kind.RECEIPT, Kind.PAYMENT, Kind.OUTAGE, Kind.APPEAL_ANSWER}
    _linked(chat, resident)
    html = page.get("/profile/notifications/").content.decode()
    assert "Присылать в мессенджер" in html and html.count('name="chat_kinds"') == 4
    assert html.count('name="chat_kinds" value="receipt" id="id_chat_kinds_0" checked') == 1
    response = page.post("/profile/notifications/", {"kinds": [Kind.RECEIPT], "chat_kinds": [Kind.APPEAL_ANSWER]})
    assert response.status_code == 302
    assert wanted_chat_kinds(resident.user) == {Kind.APPEAL_ANSWER}
    assert wanted_kinds(resident.user) == {Kind.RECEIPT}
    response = page.post("/profile/notifications/", {"chat_kinds": ["nonsense"]})
    assert response.status_code == 200 and "Выберите корректный вариант" in response.content.decode()
    assert wanted_chat_kinds(resident.user) == {Kind.APPEAL_ANSWER}


def test_a_credited_payment_comes_to_the_chat_once(chat, resident):
    _linked(chat, resident)
    other = f.PersonalAccountFactory(premises=f.PremisesFactory(building=resident.account.premises.building))
    for account, amount in ((resident.account, "1234.56"), (other, "99")):  # another's payment tells this chat nothing
        payment = Payment.objects.create(
            organisation=resident.org, account=account, amount=Decimal(amount), channel=Payment.Channel.BANK,
            external_id=f"r-{account.pk}", paid_on=dt.date(2026, 11, 3),
        )  # fmt: skip
        assert payments.payment_credit(payment=payment)
    assert not payments.payment_credit(payment=payment)  # credited already: no second job, no second notice
    for job in Job.objects.filter(kind=NOTICES).order_by("pk"):
        _run(job)
    sent = _sent(chat)
    assert texts(sent) == f"Платёж 1\xa0234,56\xa0₽ по ЛС {resident.account.number} зачислен (03.11.2026)."


def test_an_outage_at_my_house_comes_once(chat, resident):
    _linked(chat, resident)
    starts = dt.datetime(2027, 3, 10, 7, 0, tzinfo=dt.UTC)  # 11:00 in Ulyanovsk (UTC+4), the organisation's time
    outage = Outage.objects.create(
        organisation=resident.org, resource=Outage.Resource.COLD_WATER, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6), description="Замена задвижки.",
    )  # fmt: skip
    elsewhere = f.BuildingFactory(organisation=resident.org)
    outage.buildings.set([elsewhere])
    outage_notify(outage)
    _run(Job.objects.get(kind=NOTICES))
    assert _sent(chat) == []  # not my house
    outage.buildings.add(resident.account.premises.building)
    outage_notify(outage)
    outage_notify(outage)  # saved again: the same job while it is queued, and no second notice after
    for job in Job.objects.filter(kind=NOTICES, state=Job.State.QUEUED):
        _run(job)
    _run(start_job(kind=NOTICES, organisation=resident.org, params={"kind": Kind.OUTAGE, "outage": outage.pk}))
    sent = texts(_sent(chat))
    assert sent == (
        f"Отключение по вашему адресу. Холодное водоснабжение: 10.03 11:00 — 10.03 17:00, {resident.account.premises.address}. "
        "Замена задвижки."
    )
