"""The demo organisation that keeps its own billing: «РКЦ Демо» in external-billing mode, its last month loaded from
the bundled sample file (abonent/demo/data/billing_month.csv, Windows-1251, preset «abonent») by the exchange's
import and published, so the portal, the ЕПД and the debt show that file's figures. Made by `seed_external_demo` (`make
demo`, `make run`), kept apart from `seed_demo`'s two organisations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from abonent.billing.models import Service
from abonent.exchange.models import BillingMapping
from abonent.exchange.month_import import billing_month_import
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.orgs.dates import add_months, month_start
from abonent.orgs.models import Organisation
from abonent.orgs.validators import account_with_key, inn_with_check

from .register import ULYANOVSK_BIK, DemoContext, ogrn_with_check

EXTERNAL = "rkc"
SAMPLE = Path(__file__).parent / "data" / "billing_month.csv"
SERVICES = [
    ("maintenance", "Содержание жилого помещения", Service.Unit.M2, Service.Method.AREA),
    ("heating", "Отопление", Service.Unit.GCAL, Service.Method.AREA),
    ("cold", "Холодное водоснабжение", Service.Unit.M3, Service.Method.FIXED),
]
PAYERS = ["Смирнова А. П.", "Кузнецов Д. В.", "Попова Е. С.", "Васильев И. Н.", "Петрова О. А.", "Соколов М. Ю.",
          "Михайлова Т. Г.", "Новиков С. Р."]  # fmt: skip


def _organisation() -> Organisation:
    return Organisation.objects.create(
        code=EXTERNAL,
        kind=Organisation.Kind.MANAGEMENT,
        name="Общество с ограниченной ответственностью «Расчётный центр Демо»",
        short_name="ООО «РКЦ Демо»",
        inn=inn_with_check("732500955"),
        kpp="732501001",
        ogrn=ogrn_with_check("102730000955"),
        legal_address="432017, г. Ульяновск, ул. Гончарова, д. 40",
        phone="+7 (8422) 00-33-44",
        bank_name="Ульяновское отделение № 8588 ПАО Сбербанк",
        bik=ULYANOVSK_BIK,
        correspondent_account="30101810000000000602",
        settlement_account=account_with_key(ULYANOVSK_BIK, "40702810069000009550"),
        timezone="Europe/Ulyanovsk",
        billing_mode=Organisation.BillingMode.EXTERNAL,
        notice="Начисления рассчитывает наш биллинг; в личном кабинете они обновляются раз в месяц, после 5 числа.",
    )


def create_external_billing(ctx: DemoContext) -> None:
    org = _organisation()
    ctx.orgs[EXTERNAL] = org
    for order, (code, name, unit, method) in enumerate(SERVICES, start=1):
        Service.objects.create(
            organisation=org, code=code, name=name, unit=unit, method=method, resource="", sort_order=order * 10
        )
    building = Building.objects.create(organisation=org, address="г. Ульяновск, ул. Гончарова, д. 40", floors=5)
    accounts = []
    for number, payer in enumerate(PAYERS, start=1):
        premises = Premises.objects.create(
            building=building, number=str(number), kind=Premises.Kind.FLAT, total_area=Decimal("52.10"), residents=2
        )
        accounts.append(
            PersonalAccount.objects.create(
                organisation=org,
                premises=premises,
                number=f"5500{number:02d}",
                payer_name=payer,
                opened_on=month_start(add_months(org.today(), -24)),
                activation_code=f"5500-0000-{number:04d}",
            )
        )
    ctx.accounts[EXTERNAL] = accounts
    BillingMapping.objects.create(organisation=org, preset="abonent", encoding="cp1251")
    last_month = add_months(month_start(org.today()), -1)
    billing_month_import(
        organisation=org,
        month=last_month,
        data=SAMPLE.read_bytes(),
        file_name=SAMPLE.name,
        channel="demo",
        publish=True,
    )
