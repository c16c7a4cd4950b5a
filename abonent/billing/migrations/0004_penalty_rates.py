"""The penalty rates the law fixed (ЖК РФ ст.155 ч.14 and the decrees; docs/BILLING.md, «Пени»): operators may
edit them."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

RATES = [
    # ПП РФ №424: no penalties from 06.04.2020 to 01.01.2021.
    (dt.date(2020, 4, 6), dt.date(2021, 1, 1), Decimal("0"), True, "Мораторий, ПП РФ от 02.04.2020 №424"),
    # ПП РФ №474: the key rate of 27.02.2022, 9.5 %, fixed from 28.02.2022.
    (dt.date(2022, 2, 28), dt.date(2022, 12, 31), Decimal("9.5"), False, "ПП РФ от 26.03.2022 №474"),
    # 2023–2024: the lesser of 9.5 % and the key rate (7.5 % until 23.07.2023, 8.5 % until 14.08.2023).
    (dt.date(2023, 1, 1), dt.date(2023, 7, 23), Decimal("7.5"), False, "Ключевая ставка (меньше 9,5 %)"),
    (dt.date(2023, 7, 24), dt.date(2023, 8, 14), Decimal("8.5"), False, "Ключевая ставка (меньше 9,5 %)"),
    (dt.date(2023, 8, 15), dt.date(2024, 12, 31), Decimal("9.5"), False, "Не выше 9,5 %, ПП РФ №474"),
    (dt.date(2025, 1, 1), dt.date(2026, 12, 31), Decimal("9.5"), False, "9,5 % на 2025–2026 годы"),
]


def seed(apps, schema_editor):
    PenaltyRate = apps.get_model("billing", "PenaltyRate")
    for valid_from, valid_to, rate, moratorium, note in RATES:
        PenaltyRate.objects.get_or_create(
            valid_from=valid_from,
            defaults={"valid_to": valid_to, "rate": rate, "moratorium": moratorium, "note": note},
        )


def unseed(apps, schema_editor):
    PenaltyRate = apps.get_model("billing", "PenaltyRate")
    PenaltyRate.objects.filter(valid_from__in=[row[0] for row in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_charges_ledger_penalties")]

    operations = [migrations.RunPython(seed, unseed)]
