"""Realistic meter dates, shared by the demo register and the synthetic city."""

import datetime as dt
from decimal import Decimal

# Межповерочный интервал by resource, in years (typical passport values of household meters).
VERIFICATION_YEARS = {"cold_water": 6, "hot_water": 4, "electricity": 16, "heat": 4, "gas": 10}
# How a counter looks: water and heat 5 + 3 (00123,456), electricity 6 + 1 (012345,6).
DIGITS = {"cold_water": (5, 3), "hot_water": (5, 3), "heat": (5, 3), "electricity": (6, 1), "gas": (5, 3)}


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def meter_dates(rng, today: dt.date, resource: str) -> tuple[dt.date, dt.date, dt.date]:
    """Installation, admission (sealing) and verification due dates of a meter seen on `today`.

    Ages are spread up to a year past the interval, so about one meter in seven is overdue for verification
    and a few expire within the next months: the portal has to show both.
    """
    years = VERIFICATION_YEARS[resource]
    age_days = rng.randint(20, int(years * 365.25) + 400)
    installed = today - dt.timedelta(days=age_days)
    sealed = min(installed + dt.timedelta(days=rng.randint(0, 14)), today)
    return installed, sealed, add_years(installed, years)


def initial_value(rng, resource: str, *, installed: dt.date, today: dt.date) -> Decimal:
    """What the counter showed when it was admitted: zero for a new one, a few months' use for a re-sealed one."""
    if (today - installed).days < 365 or rng.random() < 0.5:
        return Decimal("0")
    places = DIGITS[resource][1]
    whole = rng.randint(1, 300 if resource != "electricity" else 3000)
    fraction = rng.randrange(10**places) if places else 0
    return Decimal(f"{whole}.{fraction:0{places}d}") if places else Decimal(whole)
