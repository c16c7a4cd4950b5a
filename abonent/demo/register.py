"""The two demo organisations of `seed_demo`: a vodokanal (seed 000) and a management company (seed 004).

Everything is generated from fixed random seeds, so two empty databases seeded on the same day hold the same
data. The dates that must look real (meter verification, the open period, the tariff change on 1 July) are
taken relative to each organisation's own "today".

The work is a list of steps, `STEPS`, run in order inside one transaction by the command. A later feature adds
its demo data by appending a step, e.g. in billing::

    from abonent.demo.register import STEPS, Step
    STEPS.append(Step("история начислений за 12 месяцев", billing_history))

A step is a function of the `DemoContext`; it reads the organisations and accounts created before it and draws
its random numbers from `ctx.rng_for(name)`, a generator of its own, so adding a step changes nothing the
earlier steps produced.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from abonent.billing.models import AccountServiceOff, BillingPeriod, Norm, Service, Tariff
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering.models import Meter, Resource
from abonent.news.models import News
from abonent.office.models import OfficeRole, Role
from abonent.orgs.dates import add_months, month_end, month_start
from abonent.orgs.models import Organisation, Supplier
from abonent.orgs.services import operators_group
from abonent.orgs.validators import account_with_key, inn_with_check
from abonent.outages.models import Outage
from abonent.payments.models import PayPoint
from abonent.support.models import PaidService
from abonent.users.models import AccountLink

from . import names
from .logins import ADMIN, DEMO_SUBSCRIBER, OPERATOR, VODOKANAL_OPERATOR
from .meters import DIGITS, initial_value, meter_dates

SEED = 20260701
VODOKANAL = "vodokanal"
UK = "uk"
DEMO_CODES = (VODOKANAL, UK)


@dataclass
class DemoContext:
    """What the steps share: the organisations and accounts made so far, and where to report."""

    write: Callable[[str], None] = print
    orgs: dict[str, Organisation] = field(default_factory=dict)
    accounts: dict[str, list[PersonalAccount]] = field(default_factory=dict)
    linked_accounts: list[PersonalAccount] = field(default_factory=list)
    # Months of billing history before the current one (None: the history step's default, a year).
    history_months: int | None = None

    def rng_for(self, name: str) -> random.Random:
        return random.Random(f"{SEED}:{name}")

    def today(self, code: str) -> dt.date:
        return self.orgs[code].today()


@dataclass
class Step:
    title: str
    run: Callable[[DemoContext], None]


def ogrn_with_check(first_twelve: str) -> str:
    return first_twelve + str(int(first_twelve) % 11 % 10)


# --- organisations -------------------------------------------------------------------------------------------------
ULYANOVSK_BIK = "047308602"  # Ульяновское отделение № 8588 ПАО Сбербанк
UFA_BIK = "048073601"  # Башкирское отделение № 8598 ПАО Сбербанк


def create_organisations(ctx: DemoContext) -> None:
    vodokanal, uk = _vodokanal(), _uk()
    for org in (vodokanal, uk):
        org.full_clean()
        org.save()
        ctx.orgs[org.code] = org
    year = uk.today().year
    uk.notice = (
        f"Уважаемые жители! С 1 июля {year} года изменились тарифы на коммунальные услуги. "
        "Показания счётчиков передавайте с 15 по 25 число. Аварийно-диспетчерская служба: +7 (347) 200-00-46."
    )
    uk.save(update_fields=["notice"])


def _vodokanal() -> Organisation:
    return Organisation(
        code=VODOKANAL,
        kind=Organisation.Kind.UTILITY,
        name="Муниципальное унитарное предприятие «Водоканал Демо»",
        short_name="МУП «Водоканал Демо»",
        inn=inn_with_check("732500731"),
        kpp="732501001",
        ogrn=ogrn_with_check("102730000731"),
        legal_address="432017, г. Ульяновск, ул. Водопроводная, д. 1",
        office_address="г. Ульяновск, ул. Водопроводная, д. 1, каб. 2 (отдел расчётов с населением)",
        phone="+7 (8422) 00-11-22",
        email="abonent@vodokanal-demo.example",
        office_hours=(
            "Понедельник–пятница: с 8:00 до 18:00, обед с 12:00 до 13:00\nСуббота: с 9:00 до 13:00, без обеда"
        ),
        bank_name="Ульяновское отделение № 8588 ПАО Сбербанк",
        bik=ULYANOVSK_BIK,
        correspondent_account="30101810000000000602",
        settlement_account=account_with_key(ULYANOVSK_BIK, "40702810069000007310"),
        timezone="Europe/Ulyanovsk",
        readings_first_day=7,
        readings_last_day=25,
        receipt_issue_day=5,
        notice=(
            "Показания индивидуальных приборов учёта принимаются с 7 по 25 число текущего месяца. "
            "Квитанции за холодное водоснабжение и водоотведение формируются 5–7 числа следующего месяца."
        ),
    )


def _uk() -> Organisation:
    return Organisation(
        code=UK,
        kind=Organisation.Kind.MANAGEMENT,
        name="Общество с ограниченной ответственностью «Управляющая компания «Демо-Дом»",
        short_name="ООО «УК «Демо-Дом»",
        inn=inn_with_check("027400457"),
        kpp="027401001",
        ogrn=ogrn_with_check("115028000457"),
        legal_address="450077, Республика Башкортостан, г. Уфа, ул. Кирова, д. 7",
        office_address="г. Уфа, ул. Кирова, д. 7, офис 3",
        phone="+7 (347) 200-00-45",
        email="dom@uk-demo.example",
        office_hours="Понедельник–четверг: с 9:00 до 18:00\nПятница: с 9:00 до 17:00\nОбед с 13:00 до 14:00",
        bank_name="Башкирское отделение № 8598 ПАО Сбербанк",
        bik=UFA_BIK,
        correspondent_account="30101810300000000601",
        settlement_account=account_with_key(UFA_BIK, "40702810006000004570"),
        timezone="Asia/Yekaterinburg",
        readings_first_day=15,
        readings_last_day=25,
        receipt_issue_day=3,
        notice="",
    )


# --- services, tariffs (changed on 1 July of the current year) and norms -------------------------------------------
M = Service.Method
U = Service.Unit
PER_RESIDENT = Norm.Basis.PER_RESIDENT
PER_M2 = Norm.Basis.PER_M2
NORMS_SINCE = dt.date(2017, 1, 1)

# code, name, unit, method, resource, price till 30 June, price from 1 July, norm (value, basis) or None
VODOKANAL_SERVICES = [
    ("cold_water", "Холодное водоснабжение", U.M3, M.METER, Resource.COLD_WATER, "45.27", "50.35", ("4.85", None)),
    ("sewerage", "Водоотведение", U.M3, M.SEWERAGE, "", "33.12", "36.80", None),
    # Вывоз ЖБО from a septic tank (seed 000): its volume is the water the house used, as for sewerage.
    ("liquid_waste", "Вывоз ЖБО", U.M3, M.SEWERAGE, "", "172.40", "181.05", None),
]
UK_SERVICES = [
    ("maintenance", "Содержание жилья", U.M2, M.AREA, "", "24.60", "26.90", None),
    ("repair", "Ремонт жилья", U.M2, M.AREA, "", "8.10", "8.85", None),
    ("heating", "Отопление", U.GCAL, M.METER, Resource.HEAT, "2185.40", "2403.94", ("0.0181", PER_M2)),
    ("cold_water", "Холодное водоснабжение", U.M3, M.METER, Resource.COLD_WATER, "30.51", "33.56", ("4.20", None)),
    ("hot_water", "Горячее водоснабжение", U.M3, M.METER, Resource.HOT_WATER, "212.30", "233.53", ("3.10", None)),
    ("sewerage", "Водоотведение", U.M3, M.SEWERAGE, "", "27.94", "30.73", None),
    ("electricity", "Электроснабжение", U.KWH, M.METER, Resource.ELECTRICITY, "4.64", "5.13", ("110", None)),
    ("common_cold", "Холодная вода на СОИ", U.M3, M.COMMON_HOUSE, Resource.COLD_WATER, "30.51", "33.56", ("0.026", PER_M2)),
    ("common_hot", "Горячая вода на СОИ", U.M3, M.COMMON_HOUSE, Resource.HOT_WATER, "212.30", "233.53", ("0.026", PER_M2)),
    ("common_power", "Электроэнергия на СОИ", U.KWH, M.COMMON_HOUSE, Resource.ELECTRICITY, "4.64", "5.13", ("0.90", PER_M2)),
]  # fmt: skip


def create_services(ctx: DemoContext) -> None:
    for code, table in ((VODOKANAL, VODOKANAL_SERVICES), (UK, UK_SERVICES)):
        org = ctx.orgs[code]
        create_service_table(org, table, year=ctx.today(code).year)


def create_service_table(org: Organisation, table, *, year: int) -> None:
    tariffs, norms = [], []
    for order, (code, name, unit, method, resource, first_half, second_half, norm) in enumerate(table, start=1):
        service = Service(
            organisation=org,
            code=code,
            name=name,
            unit=unit,
            method=method,
            resource=resource,
            # ПП РФ № 354: no multiplying factor for sewerage, and none for what a meter cannot be put on.
            multiplying_factor_applies=method == M.METER and resource in (Resource.COLD_WATER, Resource.HOT_WATER),
            sort_order=order * 10,
        )
        service.full_clean()
        service.save()
        tariffs += [
            Tariff(service=service, valid_from=dt.date(year, 1, 1), valid_to=dt.date(year, 6, 30), price=first_half),
            Tariff(service=service, valid_from=dt.date(year, 7, 1), valid_to=None, price=second_half),
        ]
        if norm:
            value, basis = norm
            norms.append(Norm(service=service, valid_from=NORMS_SINCE, value=value, basis=basis or PER_RESIDENT))
    Tariff.objects.bulk_create(tariffs)
    Norm.objects.bulk_create(norms)


# --- the management company's suppliers: two paid directly, one collected for as an agent ---------------------------
# (short name, full name, first nine digits of the ИНН, КПП, settlement account before its key, agent's fee, the
# services, how they are paid)
UK_SUPPLIERS = [
    ("АО «Теплосеть Демо»", "Акционерное общество «Теплосеть Демо»", "027401234", "027401001",
     "40702810306000001234", None, ("heating", "hot_water", "common_hot"), Service.Payee.DIRECT),
    ("ООО «Энергосбыт Демо»", "Общество с ограниченной ответственностью «Энергосбыт Демо»", "027405678",
     "027501001", "40702810506000005678", None, ("electricity", "common_power"), Service.Payee.DIRECT),
    ("ГУП «Водоканал Уфы Демо»", "Государственное унитарное предприятие «Водоканал Уфы Демо»", "027409012",
     "027401001", "40602810106000009012", Decimal("1.50"), ("cold_water", "sewerage", "common_cold"),
     Service.Payee.AGENT),
]  # fmt: skip


def create_suppliers(ctx: DemoContext) -> None:
    org = ctx.orgs[UK]
    for short, name, inn9, kpp, account, fee, codes, payee in UK_SUPPLIERS:
        supplier = Supplier(
            organisation=org,
            name=name,
            short_name=short,
            inn=inn_with_check(inn9),
            kpp=kpp,
            address="г. Уфа",
            bank_name=org.bank_name,
            bik=UFA_BIK,
            correspondent_account=org.correspondent_account,
            settlement_account=account_with_key(UFA_BIK, account),
            agent_fee_percent=fee,
        )
        supplier.full_clean()
        supplier.save()
        Service.objects.filter(organisation=org, code__in=codes).update(supplier=supplier, payee=payee)


# --- buildings, premises, accounts ---------------------------------------------------------------------------------
def _area(rng, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def _residents(rng) -> int:
    return rng.choices((1, 2, 3, 4, 5), weights=(25, 35, 22, 12, 6))[0]


def _opened(rng, today: dt.date) -> dt.date:
    return dt.date(rng.randint(2005, today.year - 1), rng.randint(1, 12), 1)


def _account(rng, org, premises, number: str, today: dt.date) -> PersonalAccount:
    return PersonalAccount(
        organisation=org,
        premises=premises,
        number=number,
        payer_name=names.full_name(rng),
        opened_on=_opened(rng, today),
        activation_code=names.activation_code(rng),
    )


def _block(org, address: str, *, flats: int, floors: int, built: int, rng) -> tuple[Building, list[Premises]]:
    building = Building.objects.create(organisation=org, address=address, floors=floors, built_year=built)
    premises = []
    for number in range(1, flats + 1):
        total = _area(rng, 30, 86)
        premises.append(
            Premises(
                building=building,
                number=str(number),
                kind=Premises.Kind.FLAT,
                total_area=total,
                living_area=(total * Decimal("0.62")).quantize(Decimal("0.01")),
                ownership=Premises.Ownership.MUNICIPAL if rng.random() < 0.15 else Premises.Ownership.PRIVATE,
                residents=_residents(rng),
            )
        )
    Premises.objects.bulk_create(premises)
    building.total_area = sum((p.total_area for p in premises), Decimal("0"))
    building.common_area = (building.total_area * Decimal("0.18")).quantize(Decimal("0.01"))
    building.save(update_fields=["total_area", "common_area"])
    return building, premises


VODOKANAL_BLOCKS = [
    ("ул. Гончарова", "12", 5, 1964),
    ("ул. Карла Маркса", "21А", 5, 1971),
    ("ул. Минаева", "8", 9, 1985),
]
VODOKANAL_HOUSES = 70
UK_BLOCKS = [("ул. Менделеева", "128", 9, 1982), ("пр-т Октября", "42/1", 9, 1979), ("ул. Российская", "19", 10, 2012),
             ("ул. Комсомольская", "151", 5, 1968)]  # fmt: skip


def create_vodokanal_register(ctx: DemoContext) -> None:
    rng = ctx.rng_for("vodokanal-register")
    org, today = ctx.orgs[VODOKANAL], ctx.today(VODOKANAL)
    premises: list[Premises] = []
    # Private houses: one building, one premises without a number each (the vodokanal's typical subscriber).
    used = set()
    while len(used) < VODOKANAL_HOUSES:
        used.add((rng.choice(names.ULYANOVSK_HOUSE_STREETS), rng.randint(1, 120)))
    houses = []
    for street, number in sorted(used):
        area = _area(rng, 38, 160)
        building = Building(
            organisation=org,
            address=f"г. Ульяновск, {street}, д. {number}",
            total_area=area,
            floors=rng.choice((1, 1, 1, 2)),
            built_year=rng.randint(1950, 2020),
        )
        houses.append(building)
    Building.objects.bulk_create(houses)
    houses_premises = [
        Premises(
            building=b,
            number="",
            kind=Premises.Kind.HOUSE,
            total_area=b.total_area,
            ownership=Premises.Ownership.PRIVATE,
            residents=_residents(rng),
        )
        for b in houses
    ]
    Premises.objects.bulk_create(houses_premises)
    premises += houses_premises
    for street, number, floors, built in VODOKANAL_BLOCKS:
        _, flats = _block(org, f"г. Ульяновск, {street}, д. {number}", flats=10, floors=floors, built=built, rng=rng)
        premises += flats
    accounts = [_account(rng, org, p, f"73{100001 + i * 7:08d}", today) for i, p in enumerate(premises)]
    PersonalAccount.objects.bulk_create(accounts)
    ctx.accounts[VODOKANAL] = sorted(accounts, key=lambda a: a.number)


def create_uk_register(ctx: DemoContext) -> None:
    rng = ctx.rng_for("uk-register")
    org, today = ctx.orgs[UK], ctx.today(UK)
    accounts = []
    serial = 1
    for street, number, floors, built in UK_BLOCKS:
        _, flats = _block(org, f"г. Уфа, {street}, д. {number}", flats=25, floors=floors, built=built, rng=rng)
        for flat in flats:
            accounts.append(_account(rng, org, flat, f"{820000000 + serial * 13}", today))
            serial += 1
    PersonalAccount.objects.bulk_create(accounts)
    ctx.accounts[UK] = sorted(accounts, key=lambda a: a.number)


# --- meters --------------------------------------------------------------------------------------------------------
class _Serials:
    """Factory numbers: 8 digits, unique across the demo, deterministic."""

    def __init__(self, rng):
        self.rng, self.seen = rng, set()

    def __call__(self) -> str:
        while True:
            value = f"{self.rng.randint(10_000_000, 99_999_999)}"
            if value not in self.seen:
                self.seen.add(value)
                return value


def _meter(rng, serials, today, resource: str, *, premises=None, building=None) -> Meter:
    installed, sealed, due = meter_dates(rng, today, resource)
    before, after = DIGITS[resource]
    if building is not None:
        model, place = names.HOUSE_METER_MODELS[resource], names.BUILDING_METER_PLACE
    else:
        model, place = rng.choice(names.METER_MODELS[resource]), rng.choice(names.METER_PLACES[resource])
    return Meter(
        premises=premises,
        building=building,
        resource=resource,
        serial_number=serials(),
        model_name=model,
        place=place,
        installed_on=installed,
        sealed_on=sealed,
        verification_due=due,
        digits_before=before,
        digits_after=after,
        initial_value=initial_value(rng, resource, installed=installed, today=today),
    )


# Share of premises with an individual meter of a resource; the rest are billed by the norm.
VODOKANAL_METERED = {Resource.COLD_WATER: 0.85}
UK_METERED = {Resource.COLD_WATER: 0.9, Resource.HOT_WATER: 0.85, Resource.ELECTRICITY: 0.97}


def create_meters(ctx: DemoContext) -> None:
    rng = ctx.rng_for("meters")
    serials = _Serials(rng)
    meters = []
    for code, shares in ((VODOKANAL, VODOKANAL_METERED), (UK, UK_METERED)):
        today = ctx.today(code)
        for account in ctx.accounts[code]:
            premises = account.premises
            for resource, share in shares.items():
                if rng.random() < share:
                    place_meter = _meter(rng, serials, today, resource, premises=premises)
                    if premises.kind == Premises.Kind.HOUSE:
                        place_meter.place = rng.choice(names.PRIVATE_HOUSE_METER_PLACES)
                    meters.append(place_meter)
    # The newest block of the management company has individual heat meters; the others pay heating by the norm.
    today = ctx.today(UK)
    newest = Building.objects.filter(organisation=ctx.orgs[UK]).order_by("-built_year").first()
    for premises in Premises.objects.filter(building=newest).order_by("id"):
        meters.append(_meter(rng, serials, today, Resource.HEAT, premises=premises))
    # Common-house meters (ОДПУ) on every building of the management company.
    for building in Building.objects.filter(organisation=ctx.orgs[UK]).order_by("address"):
        for resource in (Resource.COLD_WATER, Resource.HOT_WATER, Resource.ELECTRICITY, Resource.HEAT):
            meters.append(_meter(rng, serials, today, resource, building=building))
    Meter.objects.bulk_create(meters)


# --- services an account does not receive --------------------------------------------------------------------------
# Kept off the first accounts of each organisation (the demo subscriber's, the ones demo_logins offers for the
# registration) and off the house the README names, so their figures stay what the README says.
SPARED_ACCOUNTS = 5
UK_SERVICES_OFF_HOUSE = "ул. Российская, д. 19"


SEPTIC_TANK = "Частный дом без централизованной канализации (выгреб)"
SEWERED = "Централизованная канализация: вывоз ЖБО не нужен"


def create_services_off(ctx: DemoContext) -> None:
    rng = ctx.rng_for("services-off")
    rows = []
    org, today = ctx.orgs[VODOKANAL], ctx.today(VODOKANAL)
    services = {s.code: s for s in Service.objects.filter(organisation=org)}
    houses = [a for a in ctx.accounts[VODOKANAL][SPARED_ACCOUNTS:] if a.premises.kind == Premises.Kind.HOUSE]
    chosen = rng.sample(houses, 5)
    for account in chosen[:4]:  # a private house with a septic tank: cold water and вывоз ЖБО, no sewerage
        rows.append((account, services["sewerage"], account.opened_on, None, SEPTIC_TANK))
    # connected to the sewer at the end of the month half a year ago: sewerage from the month after, ЖБО till then
    connected = month_end(add_months(month_start(today), -6))
    rows.append((chosen[4], services["sewerage"], chosen[4].opened_on, connected, "Подключён к канализации"))
    rows.append((chosen[4], services["liquid_waste"], connected + dt.timedelta(days=1), None, SEWERED))

    org, today = ctx.orgs[UK], ctx.today(UK)
    services = {s.code: s for s in Service.objects.filter(organisation=org)}
    flats = [a for a in ctx.accounts[UK][SPARED_ACCOUNTS:] if UK_SERVICES_OFF_HOUSE in a.premises.building.address]
    hot, heat = rng.sample(flats, 2)
    rows.append((hot, services["hot_water"], hot.opened_on, None, "Нет подключения к горячему водоснабжению"))
    heat_off = add_months(month_start(today), -3)
    rows.append((heat, services["heating"], heat_off, None, "Переход на индивидуальное отопление"))
    for account, service, since, until, reason in rows:
        row = AccountServiceOff(account=account, service=service, since=since, until=until, reason=reason)
        row.full_clean()
        row.save()
    _liquid_waste_off_where_sewered(ctx, chosen)


def _liquid_waste_off_where_sewered(ctx: DemoContext, septic: list[PersonalAccount]) -> None:
    """Every service is charged to every account unless it is off: вывоз ЖБО is off for all the accounts on the
    sewer, i.e. all but the septic-tank houses (one bulk insert: nothing here can overlap)."""
    service = Service.objects.get(organisation=ctx.orgs[VODOKANAL], code="liquid_waste")
    spared = {a.pk for a in septic}
    AccountServiceOff.objects.bulk_create(
        AccountServiceOff(account=a, service=service, since=a.opened_on, until=None, reason=SEWERED)
        for a in ctx.accounts[VODOKANAL]
        if a.pk not in spared
    )


# --- the open month ------------------------------------------------------------------------------------------------
def create_periods(ctx: DemoContext) -> None:
    for code in DEMO_CODES:
        BillingPeriod.objects.create(
            organisation=ctx.orgs[code], month=month_start(ctx.today(code)), state=BillingPeriod.State.OPEN
        )


# --- demo logins ---------------------------------------------------------------------------------------------------
def create_users(ctx: DemoContext) -> None:
    User = get_user_model()
    group = operators_group()

    def make(login, **fields):
        user = User(username=login.username, first_name=login.first_name, last_name=login.last_name, **fields)
        user.set_password(login.password)  # the hasher the settings name (MD5 in tests, Argon2 otherwise)
        user.save()
        return user

    make(ADMIN, is_staff=True, is_superuser=True, email="admin@abonent.example")
    for login, code in ((OPERATOR, UK), (VODOKANAL_OPERATOR, VODOKANAL)):
        operator = make(login, is_staff=True, organisation=ctx.orgs[code], email=f"{login.username}@abonent.example")
        operator.groups.add(group)
        # Each demo operator administers their organisation in the office (/office/): every page, and the
        # operators' roles, so a newcomer can try each role by adding a colleague.
        OfficeRole.objects.create(user=operator, role=Role.ADMINISTRATOR)
    subscriber = make(DEMO_SUBSCRIBER, email="demo@abonent.example", phone="+79170000000")
    # The first account of each organisation: stable across runs, so the README can name it.
    ctx.linked_accounts = [ctx.accounts[VODOKANAL][0], ctx.accounts[UK][0]]
    AccountLink.objects.bulk_create(
        AccountLink(user=subscriber, account=account, method=AccountLink.Method.OPERATOR)
        for account in ctx.linked_accounts
    )


# --- an outage -----------------------------------------------------------------------------------------------------
def create_outages(ctx: DemoContext) -> None:
    """Repair of the cold-water main at the demo subscriber's house and two more, the day after tomorrow in the
    vodokanal's own time: the home page, the cabinet's list and /outages/ show it. Nobody is e-mailed."""
    org = ctx.orgs[VODOKANAL]
    home = ctx.linked_accounts[0].premises.building
    day = ctx.today(VODOKANAL) + dt.timedelta(days=2)
    outage = Outage.objects.create(
        organisation=org,
        kind=Outage.Kind.PLANNED,
        resource=Outage.Resource.COLD_WATER,
        starts_at=dt.datetime.combine(day, dt.time(9), tzinfo=org.tz),
        ends_at=dt.datetime.combine(day, dt.time(17), tzinfo=org.tz),
        description="Замена задвижки на водопроводной сети. Наберите воду заранее; после включения вода может "
        "быть мутной — дайте ей стечь несколько минут.",
    )
    neighbours = Building.objects.filter(organisation=org).exclude(pk=home.pk).order_by("address")[:2]
    outage.buildings.set([home, *neighbours])


# --- news, the paid-service catalogue, other ways to pay -----------------------------------------------------------
def create_news(ctx: DemoContext) -> None:
    """Three news items per organisation, the first pinned (the start page and the cabinet's news list show it
    on top), published over the last weeks of the organisation's own calendar."""
    for code in DEMO_CODES:
        org, today = ctx.orgs[code], ctx.today(code)
        items = [
            (
                "Приём показаний счётчиков с 15 по 25 число",
                "Передавайте показания приборов учёта в личном кабинете с 15 по 25 число каждого месяца.\n\n"
                "Показания, переданные позже, войдут в расчёт следующего месяца.",
                True,
                20,
            ),
            (
                "Оплата без комиссии в личном кабинете",
                "Оплатить услуги банковской картой можно на странице «Оплата» личного кабинета: комиссия не "
                "взимается, платёж зачисляется в день оплаты.",
                False,
                10,
            ),
            (
                "График работы в праздничные дни",
                f"Абонентский отдел ({org.office_address}) в праздничные дни не работает. Аварийная служба "
                f"работает круглосуточно: {org.phone}.",
                False,
                3,
            ),
        ]
        News.objects.bulk_create(
            News(organisation=org, title=title, body=body, pinned=pinned, published_on=today - dt.timedelta(days=ago))
            for title, body, pinned, ago in items
        )


PAID_SERVICES = {
    VODOKANAL: [
        ("Замена прибора учёта воды", "Демонтаж старого и установка нового счётчика, опломбировка.", "1500.00"),
        ("Опломбировка прибора учёта", "Выезд контролёра и установка пломбы.", "450.00"),
        ("Выезд сантехника", "Осмотр и мелкий ремонт внутриквартирной разводки.", "800.00"),
        ("Вывоз жидких бытовых отходов", "Ассенизаторская машина до 4 м³, за рейс.", "2600.00"),
    ],
    UK: [
        ("Замена смесителя", "Работа сантехника, смеситель — заказчика.", "900.00"),
        ("Установка и замена счётчика воды", "Монтаж, опломбировка и ввод в эксплуатацию.", "1700.00"),
        ("Электромонтажные работы", "Замена розетки, выключателя или автомата, за точку.", "500.00"),
        ("Прочистка канализации", "Устранение засора внутриквартирной канализации.", "1200.00"),
    ],
}


def create_paid_services(ctx: DemoContext) -> None:
    """The catalogue on «Заявки на платные услуги» (seed 002's "Платные услуги"), in the shown order."""
    PaidService.objects.bulk_create(
        PaidService(organisation=ctx.orgs[code], name=name, description=text, price=Decimal(price), sort_order=i)
        for code, rows in PAID_SERVICES.items()
        for i, (name, text, price) in enumerate(rows)
    )


def create_pay_points(ctx: DemoContext) -> None:
    """ "Другие способы оплаты" on the pay page, as in seed 002: banks' sites, the organisation's cash desk and a
    bank's office with their hours, a terminal."""
    rows = {
        VODOKANAL: [
            (PayPoint.Kind.BANK_LINK, "СберБанк Онлайн", "https://online.sberbank.ru/", "", ""),
            (PayPoint.Kind.BANK_LINK, "ВТБ Онлайн", "https://online.vtb.ru/", "", ""),
            (PayPoint.Kind.OFFICE, "Касса водоканала", "", "г. Ульяновск, ул. Водопроводная, д. 1", "пн–пт 8:00–17:00"),
            (PayPoint.Kind.OFFICE, "Почта России", "", "г. Ульяновск, ул. Гончарова, д. 9", "пн–сб 8:00–20:00"),
            (PayPoint.Kind.ATM, "Терминалы СберБанка", "", "во всех отделениях города", "круглосуточно"),
        ],
        UK: [
            (PayPoint.Kind.BANK_LINK, "СберБанк Онлайн", "https://online.sberbank.ru/", "", ""),
            (PayPoint.Kind.BANK_LINK, "Т-Банк", "https://www.tbank.ru/", "", ""),
            (
                PayPoint.Kind.OFFICE,
                "Офис управляющей компании",
                "",
                "г. Уфа, ул. Кирова, д. 7, офис 3",
                "пн–пт 9:00–18:00",
            ),
            (PayPoint.Kind.OFFICE, "Отделение СберБанка", "", "г. Уфа, ул. Ленина, д. 30", "пн–сб 9:00–19:00"),
        ],
    }
    PayPoint.objects.bulk_create(
        PayPoint(organisation=ctx.orgs[code], kind=kind, name=name, url=url, address=address, hours=hours, sort_order=i)
        for code, points in rows.items()
        for i, (kind, name, url, address, hours) in enumerate(points)
    )


STEPS: list[Step] = [
    Step("организации", create_organisations),
    Step("услуги, тарифы и нормативы", create_services),
    Step("поставщики услуг управляющей компании", create_suppliers),
    Step("дома и лицевые счета водоканала", create_vodokanal_register),
    Step("дома и лицевые счета управляющей компании", create_uk_register),
    Step("приборы учёта", create_meters),
    Step("услуги, которые не оказываются", create_services_off),
    Step("открытые расчётные периоды", create_periods),
    Step("демо-пользователи", create_users),
    Step("плановое отключение", create_outages),
    Step("новости", create_news),
    Step("каталог платных услуг", create_paid_services),
    Step("другие способы оплаты", create_pay_points),
]


def seed(ctx: DemoContext) -> DemoContext:
    for step in STEPS:
        step.run(ctx)
        ctx.write(f"  ✓ {step.title}")
    return ctx
