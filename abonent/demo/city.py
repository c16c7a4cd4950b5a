"""A synthetic city for benchmarks: `seed_demo --accounts N` makes a third organisation, code `city`.

It is a settlement centre («Расчётный центр «Демоград»») of N personal accounts in apartment blocks of 100 flats,
each flat with a cold water meter and often hot water and electricity ones (1–3 meters), the services and
tariffs those need, and the open month. Rows go in with `bulk_create` in batches, a block of buildings at a time,
so memory stays flat and there is no query per row; on SQLite Django shrinks each batch to the variable limit.
The random numbers are seeded, so two cities of the same size are the same.
"""

import datetime as dt
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tqdm import tqdm

from abonent.billing.models import BillingPeriod, Service
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.metering.models import Meter, Resource
from abonent.orgs.dates import month_start
from abonent.orgs.models import Organisation
from abonent.orgs.validators import account_with_key, inn_with_check

from . import names
from .meters import DIGITS, initial_value, meter_dates
from .register import SEED, create_service_table, ogrn_with_check

CITY = "city"
FLATS_PER_BUILDING = 100
BATCH_SIZE = 5000
SAMARA_BIK = "043601607"  # Самарское отделение № 6991 ПАО Сбербанк
# Share of flats with a meter besides cold water (which every flat has).
HOT_WATER_SHARE = 0.6
ELECTRICITY_SHARE = 0.4

M = Service.Method
U = Service.Unit
CITY_SERVICES = [
    ("cold_water", "Холодное водоснабжение", U.M3, M.METER, Resource.COLD_WATER, "38.40", "42.24", ("4.20", None)),
    ("hot_water", "Горячее водоснабжение", U.M3, M.METER, Resource.HOT_WATER, "198.20", "218.02", ("3.10", None)),
    ("sewerage", "Водоотведение", U.M3, M.SEWERAGE, "", "29.10", "32.01", None),
    ("electricity", "Электроснабжение", U.KWH, M.METER, Resource.ELECTRICITY, "5.02", "5.52", ("110", None)),
]


@dataclass
class CityResult:
    organisation: Organisation
    buildings: int = 0
    premises: int = 0
    accounts: int = 0
    meters: int = 0


def create_city_organisation() -> Organisation:
    org = Organisation(
        code=CITY,
        kind=Organisation.Kind.UTILITY,
        name="Акционерное общество «Расчётный центр «Демоград»",
        short_name="АО «РЦ «Демоград»",
        inn=inn_with_check("631500999"),
        kpp="631501001",
        ogrn=ogrn_with_check("116631500999"),
        legal_address="443000, г. Демоград, ул. Ленина, д. 1",
        phone="+7 (846) 000-00-00",
        office_hours="Понедельник–пятница: с 8:00 до 17:00",
        bank_name="Самарское отделение № 6991 ПАО Сбербанк",
        bik=SAMARA_BIK,
        correspondent_account=account_with_key(SAMARA_BIK, "30101810200000000607", correspondent=True),
        settlement_account=account_with_key(SAMARA_BIK, "40702810054400009990"),
        timezone="Europe/Samara",
        readings_first_day=15,
        readings_last_day=25,
        notice="Синтетические данные для нагрузочных тестов.",
    )
    org.full_clean()
    org.save()
    return org


def seed_city(
    *, accounts: int, batch_size: int = BATCH_SIZE, progress: bool = True, write: Callable[[str], None] = print
) -> CityResult:
    """Create the city organisation with `accounts` accounts; the caller holds the transaction."""
    rng = random.Random(f"{SEED}:city")
    org = create_city_organisation()
    today = org.today()
    create_service_table(org, CITY_SERVICES, year=today.year)
    BillingPeriod.objects.create(organisation=org, month=month_start(today), state=BillingPeriod.State.OPEN)
    result = CityResult(organisation=org)

    buildings_per_batch = max(1, batch_size // FLATS_PER_BUILDING)
    total_buildings = -(-accounts // FLATS_PER_BUILDING)
    bar = tqdm(total=accounts, unit=" л/с", file=sys.stderr, disable=not progress, desc="Лицевые счета")
    for first in range(0, total_buildings, buildings_per_batch):
        indices = range(first, min(first + buildings_per_batch, total_buildings))
        made = _batch(rng, org, today, indices, accounts=accounts, batch_size=batch_size, result=result)
        bar.update(made)
    bar.close()
    write(
        f"  ✓ город «{org.short_name}»: домов {result.buildings}, помещений {result.premises}, "
        f"лицевых счетов {result.accounts}, приборов учёта {result.meters}"
    )
    return result


def _building_address(index: int) -> str:
    street = names.CITY_STREETS[index % len(names.CITY_STREETS)]
    return f"г. Демоград, {street}, д. {index // len(names.CITY_STREETS) + 1}"


def _batch(rng, org, today: dt.date, indices: range, *, accounts: int, batch_size: int, result: CityResult) -> int:
    """One block of buildings with their flats, accounts and meters: four bulk inserts.

    The phases draw from `rng` in the same order as ever (buildings, then flats, then each flat's account and
    meters), so a seed gives the same city."""
    buildings, flats = _buildings(rng, org, indices, accounts=accounts)
    Building.objects.bulk_create(buildings, batch_size=batch_size)
    premises = _premises(rng, buildings, flats)
    Premises.objects.bulk_create(premises, batch_size=batch_size)
    account_rows, meters = _accounts_and_meters(rng, org, today, premises, result=result)
    PersonalAccount.objects.bulk_create(account_rows, batch_size=batch_size)
    Meter.objects.bulk_create(meters, batch_size=batch_size)

    result.buildings += len(buildings)
    result.premises += len(premises)
    result.accounts += len(account_rows)
    result.meters += len(meters)
    return len(account_rows)


def _buildings(rng, org, indices: range, *, accounts: int) -> tuple[list[Building], list[list[Decimal]]]:
    """The block's buildings (not saved yet) and the areas of each one's flats."""
    buildings, flats = [], []
    for index in indices:
        count = min(FLATS_PER_BUILDING, accounts - index * FLATS_PER_BUILDING)
        areas = [Decimal(f"{rng.uniform(28, 95):.2f}") for _ in range(count)]
        total = sum(areas, Decimal("0"))
        building = Building(
            organisation_id=org.id,
            address=_building_address(index),
            total_area=total,
            common_area=(total * Decimal("0.18")).quantize(Decimal("0.01")),
            floors=rng.choice((5, 9, 10, 12, 16)),
            built_year=rng.randint(1960, 2022),
        )
        buildings.append(building)
        flats.append(areas)
    return buildings, flats


def _premises(rng, buildings: list[Building], flats: list[list[Decimal]]) -> list[Premises]:
    premises = []
    for building, areas in zip(buildings, flats, strict=True):
        for number, area in enumerate(areas, start=1):
            premises.append(
                Premises(
                    building_id=building.id,
                    number=str(number),
                    kind=Premises.Kind.FLAT,
                    total_area=area,
                    ownership=Premises.Ownership.MUNICIPAL if rng.random() < 0.1 else Premises.Ownership.PRIVATE,
                    residents=rng.choices((1, 2, 3, 4, 5), weights=(25, 35, 22, 12, 6))[0],
                )
            )
    return premises


def _accounts_and_meters(
    rng, org, today: dt.date, premises: list[Premises], *, result: CityResult
) -> tuple[list[PersonalAccount], list[Meter]]:
    """Each flat's account and meters; numbers and serials go on from what earlier blocks made."""
    serial_base = 60_000_000 + result.meters
    account_rows, meters = [], []
    for offset, flat in enumerate(premises):
        sequence = result.accounts + offset
        account_rows.append(
            PersonalAccount(
                organisation_id=org.id,
                premises_id=flat.id,
                number=f"{5_000_000_001 + sequence}",
                payer_name=names.full_name(rng),
                opened_on=dt.date(rng.randint(2005, today.year - 1), rng.randint(1, 12), 1),
                activation_code=names.activation_code(rng),
            )
        )
        for resource in _flat_resources(rng):
            meters.append(_meter(rng, today, flat, resource, serial=str(serial_base + len(meters))))
    return account_rows, meters


def _flat_resources(rng) -> list[str]:
    resources = [Resource.COLD_WATER]
    if rng.random() < HOT_WATER_SHARE:
        resources.append(Resource.HOT_WATER)
    if rng.random() < ELECTRICITY_SHARE:
        resources.append(Resource.ELECTRICITY)
    return resources


def _meter(rng, today: dt.date, flat: Premises, resource: str, *, serial: str) -> Meter:
    installed, sealed, due = meter_dates(rng, today, resource)
    before, after = DIGITS[resource]
    return Meter(
        premises_id=flat.id,
        resource=resource,
        serial_number=serial,
        model_name=names.METER_MODELS[resource][0],
        place=names.METER_PLACES[resource][0],
        installed_on=installed,
        sealed_on=sealed,
        verification_due=due,
        digits_before=before,
        digits_after=after,
        initial_value=initial_value(rng, resource, installed=installed, today=today),
    )
