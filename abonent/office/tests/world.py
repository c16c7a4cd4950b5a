"""A small world built with factories (fast): one organisation's house, account, meter with a reading that needs
a look, an appeal, a paid request, a letter to a debtor — each an object URL of the office."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from abonent.billing.models import BillingPeriod
from abonent.jobs.models import Job
from abonent.metering.models import Reading
from abonent.news.models import News
from abonent.office.models import DebtNotice
from abonent.payments.models import Registry, UnmatchedLine
from abonent.support.models import Appeal, PaidService, PaidServiceRequest
from abonent.testing import factories as f


def world(organisation=None):
    org = organisation or f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=building))
    meter = f.MeterFactory(premises=account.premises)
    subscriber = f.UserFactory(email="subscriber@example.ru")
    f.AccountLinkFactory(user=subscriber, account=account)
    reading = Reading.objects.create(
        meter=meter, period=dt.date(2026, 11, 1), value=Decimal("900"), submitted_at=timezone.now(),
        submitted_by=subscriber, channel=Reading.Channel.PORTAL, flagged=True,
    )  # fmt: skip
    appeal = Appeal.objects.create(
        organisation=org, account=account, author=subscriber, topic=Appeal.Topic.READINGS,
        text="Не принимаются показания", contact="subscriber@example.ru",
    )  # fmt: skip
    service = PaidService.objects.create(organisation=org, name="Замена смесителя", price=Decimal("1500"))
    paid = PaidServiceRequest.objects.create(
        organisation=org, account=account, author=subscriber, service=service, price=Decimal("1500"),
        desired_date=dt.date(2026, 12, 20), contact="subscriber@example.ru",
    )  # fmt: skip
    notice = DebtNotice.objects.create(
        organisation=org, account=account, kind=DebtNotice.Kind.RESTRICTION, debt=Decimal("12000.00"),
        issued_on=dt.date(2026, 12, 1), pay_by=dt.date(2026, 12, 21),
    )  # fmt: skip
    period = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 12, 1))
    job = Job.objects.create(kind="billing.close", organisation=org, params={"period": period.pk, "step": "all"},
                             dedupe_key=f"world:{period.pk}", state=Job.State.FAILED, error="Тарифа нет")  # fmt: skip
    registry = Registry.objects.create(organisation=org, file_name="reestr.txt", layout="sber", sha256=f"w{org.pk}")
    unmatched = UnmatchedLine.objects.create(registry=registry, organisation=org, external_id=f"world-{org.pk}",
                                             account_number="404404", amount=Decimal("250.00"),
                                             paid_on=dt.date(2026, 11, 20))  # fmt: skip
    news = News.objects.create(organisation=org, title="Плановое отключение воды", body="С 10:00 до 14:00.",
                               published_on=dt.date(2026, 11, 30), is_published=False)  # fmt: skip
    return {"news": news, "period": period, "job": job, "unmatched": unmatched, "org": org, "building": building, "account": account, "meter": meter, "reading": reading,
            "appeal": appeal, "paid": paid, "notice": notice, "subscriber": subscriber}  # fmt: skip
