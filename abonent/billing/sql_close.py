"""The close on PostgreSQL, set-based: the same rules as calculations.py, written as SQL.

The lines — metered volumes (current − previous accepted reading, counter rollover), the average of the last real
readings for at most 3 months without one and the норматив after, норматив × residents or m² (× the multiplying
factor without a meter, where the service allows it), area × tariff, a fixed sum per account, sewerage = cold + hot,
common-house needs by the house meter or the норматив — are computed by a few INSERT … SELECT over readings,
meters, tariffs and нормативы; the services an account does not receive this month (in_force.services_off, the
set the Python engine uses too) are a temporary table every statement leaves out, and the pairs served part of
the month (in_force.month_days.part: proration by days) another one each statement joins. Only a meter read again after a
gap stays in Python (engine.Engine): its volume is shared over the gap and the estimated months are
recalculated, with the reasons written out. The balances and publish's ledger entries are one INSERT … SELECT
each too (in ledger). SQLite keeps the Python engine for everything; the tests run on both, and test_sql_close
compares every line of the SQL with the Python engine's over random registers.

Every rounding is PostgreSQL's round(numeric, n), half away from zero: the same as ROUND_HALF_UP here, since every
rounded value (volumes, volume × price) is non-negative.

The lines are gathered in a temporary table first (no WAL, no indexes) because sewerage and common-house needs are
computed from the individual lines' volumes; then one INSERT … SELECT writes them all into billing_charge.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from abonent.lib.bulk import insert_checked
from abonent.metering.models import Meter
from abonent.orgs.dates import add_months, month_end

from .engine import AccountRow, Engine
from .in_force import in_force, month_days
from .models import BillingPeriod, Norm, Recalculation, Service, Tariff

# The base volume (before the multiplying factor) is what sewerage and common-house needs add up; it is NULL for
# lines that are not a volume of a resource (area, fixed, a meter installed this month).
LINE_TABLE = """
CREATE TEMPORARY TABLE close_line (
    account_id bigint NOT NULL,
    service_id bigint NOT NULL,
    meter_id bigint,
    basis varchar(16) NOT NULL,
    previous_value numeric(18, 6),
    current_value numeric(18, 6),
    volume numeric(18, 6) NOT NULL,
    price numeric(14, 4) NOT NULL,
    factor numeric(4, 2),
    factor_excess numeric(14, 2) NOT NULL,
    amount numeric(14, 2) NOT NULL,
    house_volume numeric(18, 6),
    resource varchar(16) NOT NULL,
    base_volume numeric(18, 6)
)
"""
LINE_COLUMNS = (
    "account_id, service_id, meter_id, basis, previous_value, current_value, volume, price, factor, factor_excess, "
    "amount, house_volume, resource, base_volume"
)

# The accounts open in the month with what their lines need.
ACCOUNTS = """
CREATE TEMPORARY TABLE close_account AS
SELECT a.id AS account_id, a.premises_id, p.building_id, p.total_area AS area, p.residents,
       least(coalesce(a.closed_on, %(end)s), %(end)s) - greatest(a.opened_on, %(month)s) + 1 AS days
FROM housing_personalaccount a JOIN housing_premises p ON p.id = a.premises_id
WHERE a.organisation_id = %(org)s AND a.opened_on <= %(end)s AND (a.closed_on IS NULL OR a.closed_on >= %(month)s)
"""

# The (account, service) pairs not charged this month: in_force.services_off, the one rule of both engines.
OFF_TABLE = "CREATE TEMPORARY TABLE close_off (account_id bigint NOT NULL, service_id bigint NOT NULL)"
# Every line of an account and a service is written only where this holds (a and s: its account and service).
NOT_OFF = "NOT EXISTS (SELECT 1 FROM close_off o WHERE o.account_id = a.account_id AND o.service_id = s.service_id)"

# Proration by days (in_force.month_days): the pairs served part of the month, with their days and Σ of the day's
# tariff; every other pair has its service's (close_service.days, .rate, .price). DAYS joins them as d.
PART_TABLE = """
CREATE TEMPORARY TABLE close_part (
    account_id bigint NOT NULL, service_id bigint NOT NULL, days int NOT NULL, rate numeric NOT NULL,
    price numeric(14, 4) NOT NULL
)
"""


def days_of(alias: str) -> str:
    """d.days, d.rate, d.price of the pair of account `alias`.account_id and service s."""
    return f"""LEFT JOIN close_part p ON p.account_id = {alias}.account_id AND p.service_id = s.service_id
    CROSS JOIN LATERAL (SELECT coalesce(p.days, s.days) AS days, coalesce(p.rate, s.rate) AS rate,
                               coalesce(p.price, s.price) AS price) d"""


def by_days(volume: str) -> str:
    """calculations.charge_line_by_days: the volume split by days at each tariff, rounded once (the divisor's
    scale keeps 20 decimals of the quotient, as Decimal's 28 digits do)."""
    return f"round({volume} * d.rate / d.days::numeric(30, 20), 2)"


def prorated(volume: str, days: str = "d.days", of: str = "%(days)s") -> str:
    """calculations.prorated_volume: the volume for `days` of `of` days."""
    return f"CASE WHEN {days} = {of} THEN {volume} ELSE round({volume} * {days} / {of}::numeric(30, 20), 6) END"


SERVICE_TABLE = """
CREATE TEMPORARY TABLE close_service (
    service_id bigint NOT NULL,
    method varchar(16) NOT NULL,
    resource varchar(16) NOT NULL,
    price numeric(14, 4) NOT NULL,
    days int NOT NULL,
    rate numeric NOT NULL,
    norm numeric(18, 6),
    norm_per_m2 boolean NOT NULL,
    factor numeric(4, 2),
    capped boolean NOT NULL
)
"""

# This month's and last month's accepted real readings (an estimate is not a reading), all the SQL needs of the
# readings. Taken apart (by the period index) and analysed so that the joins below are hash joins whatever the
# statistics of metering_reading say (a freshly loaded register has none, and a nested loop there costs minutes).
READINGS = """
CREATE TEMPORARY TABLE close_reading AS
SELECT meter_id, period, value FROM metering_reading
WHERE period IN (%(month)s, %(previous)s) AND is_current AND status = 'accepted' AND channel <> 'estimate'
"""

# Individual meters of the accounts' premises working in the month, with their readings of the two months.
METERS = f"""
CREATE TEMPORARY TABLE close_meter AS
SELECT a.account_id, s.service_id, m.id AS meter_id, date_trunc('month', m.installed_on)::date AS installed,
       m.verification_due, 10::numeric ^ m.digits_before AS capacity, m.initial_value,
       cur.value AS current_value, prev.value AS previous_value
FROM close_account a
JOIN close_service s ON s.method = 'meter'
JOIN metering_meter m ON m.premises_id = a.premises_id AND m.resource = s.resource
LEFT JOIN close_reading cur ON cur.meter_id = m.id AND cur.period = %(month)s
LEFT JOIN close_reading prev ON prev.meter_id = m.id AND prev.period = %(previous)s
WHERE m.status = 'active' AND m.installed_on <= %(end)s AND (m.closed_on IS NULL OR m.closed_on > %(month)s)
      AND {NOT_OFF}
"""

# A meter measured the month when it has a reading of this month within its verification and the previous one is
# last month's (or it was installed last month: its initial value). Installed this month: nothing measured yet.
# Everything else (no reading, a gap since the previous one) is left to the Python engine.
MEASURED = "m.installed < %(month)s AND m.current_value IS NOT NULL AND %(end)s <= m.verification_due"
PREVIOUS = "CASE WHEN m.installed = %(previous)s THEN m.initial_value ELSE m.previous_value END"
HAS_PREVIOUS = "(m.installed = %(previous)s OR m.previous_value IS NOT NULL)"

QUANTITY = "CASE WHEN s.norm_per_m2 THEN a.area ELSE a.residents END"
NORM_VOLUME = f"round(s.norm * {QUANTITY}, 6)"

INDIVIDUAL = [
    # by area
    f"""INSERT INTO close_line ({LINE_COLUMNS})
    SELECT a.account_id, s.service_id, NULL, 'area', NULL, NULL, round(a.area, 6), d.price, NULL, 0,
           round(a.area * d.rate / %(days)s::numeric(30, 20), 2), NULL, s.resource, NULL
    FROM close_account a JOIN close_service s ON s.method = 'area'
    {days_of("a")}
    WHERE {NOT_OFF}""",
    # a fixed sum
    f"""INSERT INTO close_line ({LINE_COLUMNS})
    SELECT a.account_id, s.service_id, NULL, 'fixed', NULL, NULL, 1, d.price, NULL, 0,
           round(d.rate / %(days)s::numeric(30, 20), 2), NULL, s.resource, NULL
    FROM close_account a JOIN close_service s ON s.method = 'fixed'
    {days_of("a")}
    WHERE {NOT_OFF}""",
    # by норматив
    f"""INSERT INTO close_line ({LINE_COLUMNS})
    SELECT a.account_id, s.service_id, NULL, 'norm', NULL, NULL, v.volume, d.price, NULL, 0,
           {by_days("v.volume")}, NULL, s.resource, CASE WHEN s.resource <> '' THEN v.volume END
    FROM close_account a JOIN close_service s ON s.method = 'norm' AND s.norm IS NOT NULL
    {days_of("a")}
    CROSS JOIN LATERAL (SELECT {prorated(NORM_VOLUME)} AS volume) v
    WHERE {NOT_OFF}""",
    # by meter, without one: the норматив, × the factor where the service allows it
    f"""INSERT INTO close_line ({LINE_COLUMNS})
    SELECT a.account_id, s.service_id, NULL,
           CASE WHEN s.factor IS NULL THEN 'norm' ELSE 'norm_factor' END, NULL, NULL,
           CASE WHEN s.factor IS NULL THEN v.volume ELSE round(v.volume * s.factor, 6) END,
           d.price, s.factor,
           CASE WHEN s.factor IS NULL THEN 0
                ELSE {by_days("v.volume * s.factor")} - {by_days("v.volume")} END,
           {by_days("v.volume * coalesce(s.factor, 1)")}, NULL, s.resource, v.volume
    FROM close_account a JOIN close_service s ON s.method = 'meter' AND s.norm IS NOT NULL
    {days_of("a")}
    CROSS JOIN LATERAL (SELECT {prorated(NORM_VOLUME)} AS volume) v
    WHERE NOT EXISTS (SELECT 1 FROM close_meter m WHERE m.account_id = a.account_id AND m.service_id = s.service_id)
          AND {NOT_OFF}""",
    # by meter, measured: current − previous, through zero when the counter rolled over
    f"""INSERT INTO close_line ({LINE_COLUMNS})
    SELECT m.account_id, m.service_id, m.meter_id, 'meter', r.value, m.current_value, v.volume, d.price, NULL, 0,
           {by_days("v.volume")}, NULL, s.resource, v.volume
    FROM close_meter m JOIN close_service s USING (service_id)
    {days_of("m")}
    CROSS JOIN LATERAL (SELECT {PREVIOUS} AS value) r
    CROSS JOIN LATERAL (SELECT CASE WHEN m.current_value >= r.value THEN m.current_value - r.value
                                    ELSE m.current_value + m.capacity - r.value END AS volume) v
    WHERE {MEASURED} AND {HAS_PREVIOUS}""",
    # by meter, installed this month
    f"""INSERT INTO close_line ({LINE_COLUMNS})
    SELECT m.account_id, m.service_id, m.meter_id, 'meter', NULL, NULL, 0, d.price, NULL, 0, 0, NULL, s.resource, NULL
    FROM close_meter m JOIN close_service s USING (service_id)
    {days_of("m")}
    WHERE m.installed = %(month)s""",
]

# No reading of this month within the verification: charged by the average of the last months of real readings
# for at most 3 months, then by the норматив (calculations.average_monthly_volume, estimated_volume).
NOT_READ = "m.installed < %(month)s AND NOT (m.current_value IS NOT NULL AND %(end)s <= m.verification_due)"


def month_index(day: str) -> str:
    return f"(date_part('year', {day}) * 12 + date_part('month', {day}))::int"


# The history the average needs, as the Python engine loads it: the real readings of the 10 months before this one
# or, for a meter silent since before them, its last earlier reading; only those within the verification and after
# the installation count, and the installation value counts as the reading of the installation month. Of these,
# the window: the last reading and those at most 6 months before it; its span in months and the volume over it
# (counter rollovers unwound between consecutive readings).
HISTORY = f"""
CREATE TEMPORARY TABLE close_history AS
WITH estimated AS MATERIALIZED (
    SELECT DISTINCT m.meter_id, m.installed, m.verification_due, m.capacity, m.initial_value
    FROM close_meter m WHERE {NOT_READ}
),
recent AS MATERIALIZED (
    SELECT r.meter_id, r.period, r.value FROM metering_reading r JOIN estimated e USING (meter_id)
    WHERE r.period >= %(since)s AND r.period < %(month)s AND r.is_current AND r.status = 'accepted'
          AND r.channel <> 'estimate'
),
older AS (
    SELECT e.meter_id, o.period, o.value FROM estimated e
    CROSS JOIN LATERAL (
        SELECT r.period, r.value FROM metering_reading r
        WHERE r.meter_id = e.meter_id AND r.period < %(since)s AND r.is_current AND r.status = 'accepted'
              AND r.channel <> 'estimate'
        ORDER BY r.period DESC LIMIT 1
    ) o
    WHERE NOT EXISTS (SELECT 1 FROM recent x WHERE x.meter_id = e.meter_id)
),
real AS (
    SELECT meter_id, installed AS period, initial_value AS value FROM estimated
    UNION ALL
    SELECT h.meter_id, h.period, h.value
    FROM (SELECT * FROM recent UNION ALL SELECT * FROM older) h JOIN estimated e USING (meter_id)
    WHERE h.period > e.installed AND (h.period + interval '1 month')::date - 1 <= e.verification_due
),
latest AS (
    SELECT meter_id, max(period) AS last FROM real GROUP BY meter_id
),
recent_window AS (
    SELECT r.meter_id, r.period, r.value, l.last, e.capacity,
           lag(r.value) OVER (PARTITION BY r.meter_id ORDER BY r.period) AS before
    FROM real r JOIN latest l USING (meter_id) JOIN estimated e USING (meter_id)
    WHERE {month_index("l.last")} - {month_index("r.period")} <= 6
)
SELECT meter_id, last,
       max(value) FILTER (WHERE period = last) AS last_value,
       {month_index("last")} - min({month_index("period")}) AS span,
       coalesce(sum(CASE WHEN before IS NULL THEN 0 WHEN value >= before THEN value - before
                         ELSE value + capacity - before END), 0) AS total
FROM recent_window GROUP BY meter_id, last
"""

ESTIMATED = f"""
INSERT INTO close_line ({LINE_COLUMNS})
SELECT m.account_id, m.service_id, m.meter_id, e.basis, h.last_value, NULL, x.volume, d.price, NULL, 0,
       {by_days("x.volume")}, NULL, s.resource, x.volume
FROM close_meter m JOIN close_history h USING (meter_id) JOIN close_service s USING (service_id)
JOIN close_account a USING (account_id)
{days_of("m")}
CROSS JOIN LATERAL (
    -- the divisor's scale keeps 20 decimals of the quotient before the rounding to 6, as Decimal would
    SELECT CASE WHEN h.span >= 3 THEN round(h.total / h.span::numeric(30, 20), 6) END AS average,
           {NORM_VOLUME} AS norm,
           {month_index("%(month)s::date")} - {month_index("h.last")} AS without
) v
CROSS JOIN LATERAL (
    SELECT CASE WHEN v.average IS NOT NULL AND v.without BETWEEN 1 AND 3 THEN 'average' ELSE 'norm' END AS basis,
           CASE WHEN v.average IS NOT NULL AND v.without BETWEEN 1 AND 3 THEN v.average ELSE v.norm END AS volume
) e
CROSS JOIN LATERAL (SELECT {prorated("e.volume")} AS volume) x
WHERE {NOT_READ} AND e.volume IS NOT NULL
"""

# What the Python engine takes: a reading after a gap, whose volume is shared over the gap and whose estimated
# months are recalculated.
LEFT_TO_PYTHON = f"""
SELECT m.account_id, a.premises_id, a.building_id, a.area, a.residents, m.service_id, m.meter_id
FROM close_meter m JOIN close_account a USING (account_id)
WHERE {MEASURED} AND NOT {HAS_PREVIOUS}
ORDER BY m.account_id, m.service_id, m.meter_id
"""

# Sewerage: the cold and hot water volumes of the account's lines; the норматив when it has none.
SEWERAGE = f"""
INSERT INTO close_line ({LINE_COLUMNS})
WITH water AS MATERIALIZED (
    SELECT account_id, sum(base_volume) AS volume, bool_or(basis IN ('norm', 'norm_factor')) AS by_norm,
           bool_or(basis = 'average') AS by_average
    FROM close_line WHERE resource IN ('cold_water', 'hot_water') AND base_volume IS NOT NULL
    GROUP BY account_id
)
SELECT a.account_id, s.service_id, NULL,
       CASE WHEN w.account_id IS NULL OR w.by_norm THEN 'norm' WHEN w.by_average THEN 'average' ELSE 'meter' END,
       NULL, NULL, v.volume, d.price, NULL, 0, {by_days("v.volume")}, NULL, s.resource, NULL
FROM close_account a JOIN close_service s ON s.method = 'sewerage'
LEFT JOIN water w ON w.account_id = a.account_id
{days_of("a")}
-- the water is already for the days the account is open; sewerage off for some of them takes its share
CROSS JOIN LATERAL (SELECT CASE WHEN w.account_id IS NULL THEN {prorated(NORM_VOLUME)}
                                ELSE {prorated("w.volume", of="a.days")} END AS volume) v
WHERE v.volume IS NOT NULL AND {NOT_OFF}
"""

# Common-house needs: the house meter's month less the individual volumes, shared by area (capped at the норматив
# share unless the owners decided otherwise), or the норматив × the common area shared by area.
COMMON_HOUSE = f"""
INSERT INTO close_line ({LINE_COLUMNS})
WITH individual AS MATERIALIZED (
    SELECT a.building_id, l.resource, sum(l.base_volume) AS volume
    FROM close_line l JOIN close_account a USING (account_id)
    WHERE l.base_volume IS NOT NULL GROUP BY a.building_id, l.resource
),
building AS MATERIALIZED (  -- the premises' total when the register leaves the building's empty
    SELECT b.id AS building_id, b.common_area,
           CASE WHEN coalesce(b.total_area, 0) <> 0 THEN b.total_area ELSE coalesce(t.area, 0) END AS total_area
    FROM housing_building b
    LEFT JOIN (SELECT building_id, sum(area) AS area FROM close_account GROUP BY building_id) t
         ON t.building_id = b.id
    WHERE b.organisation_id = %(org)s
),
house_meter AS MATERIALIZED (
    SELECT DISTINCT ON (m.building_id, m.resource) m.building_id, m.resource,
           date_trunc('month', m.installed_on)::date AS installed, m.verification_due,
           10::numeric ^ m.digits_before AS capacity, m.initial_value, cur.value AS now, prev.value AS before
    FROM metering_meter m JOIN housing_building b ON b.id = m.building_id AND b.organisation_id = %(org)s
    LEFT JOIN close_reading cur ON cur.meter_id = m.id AND cur.period = %(month)s
    LEFT JOIN close_reading prev ON prev.meter_id = m.id AND prev.period = %(previous)s
    WHERE m.status = 'active' AND m.installed_on <= %(end)s AND (m.closed_on IS NULL OR m.closed_on > %(month)s)
    ORDER BY m.building_id, m.resource, m.serial_number DESC, m.id DESC
),
house AS MATERIALIZED (
    SELECT h.building_id, h.resource, CASE WHEN r.before IS NULL OR r.now IS NULL THEN NULL
                                           WHEN r.now >= r.before THEN r.now - r.before
                                           ELSE r.now + h.capacity - r.before END AS volume
    FROM house_meter h CROSS JOIN LATERAL (
        SELECT CASE WHEN h.installed = %(month)s THEN h.initial_value
                    WHEN h.installed < %(month)s AND %(end)s <= h.verification_due THEN h.now END AS now,
               CASE WHEN h.installed = %(previous)s THEN h.initial_value
                    WHEN h.installed < %(previous)s AND %(previous_end)s <= h.verification_due THEN h.before
               END AS before
    ) r
),
share AS MATERIALIZED (
    SELECT a.account_id, s.service_id, d.price, d.rate, d.days, s.resource, s.capped,
           CASE WHEN s.norm IS NULL THEN NULL WHEN b.total_area = 0 THEN 0
                ELSE round(s.norm * b.common_area * a.area / b.total_area, 6) END AS by_norm,
           round(s.norm * b.common_area, 6) AS norm_common,
           greatest(h.volume - coalesce(i.volume, 0), 0) AS common,
           CASE WHEN h.volume IS NULL THEN NULL WHEN b.total_area = 0 THEN 0
                ELSE round(greatest(h.volume - coalesce(i.volume, 0), 0) * a.area / b.total_area, 6) END AS by_meter
    FROM close_account a JOIN close_service s ON s.method = 'common'
    JOIN building b ON b.building_id = a.building_id
    LEFT JOIN house h ON h.building_id = a.building_id AND h.resource = s.resource
    LEFT JOIN individual i ON i.building_id = a.building_id AND i.resource = s.resource
    {days_of("a")}
    WHERE {NOT_OFF}
),
month_line AS (
    SELECT account_id, service_id, price, rate, days, resource,
           CASE WHEN by_meter IS NULL THEN by_norm
                WHEN capped AND by_norm IS NOT NULL THEN least(by_meter, by_norm)
                ELSE by_meter END AS volume,
           CASE WHEN by_meter IS NULL THEN norm_common ELSE common END AS house_volume
    FROM share
),
line AS (
    SELECT account_id, service_id, price, rate, days, resource, {prorated("volume", "days")} AS volume, house_volume
    FROM month_line
)
SELECT account_id, service_id, NULL, 'common_house', NULL, NULL, volume, price, NULL, 0,
       round(volume * rate / days::numeric(30, 20), 2), house_volume, resource, NULL
FROM line WHERE volume IS NOT NULL
"""

WRITE = """
INSERT INTO billing_charge (account_id, period_id, service_id, meter_id, basis, previous_value, current_value, volume,
                            price, factor, factor_excess, amount, house_volume)
SELECT account_id, %(period)s, service_id, meter_id, basis, previous_value, current_value, volume, price, factor,
       factor_excess, amount, house_volume
FROM close_line ORDER BY account_id, service_id, meter_id
"""

TEMPORARY = (
    "close_line",
    "close_account",
    "close_service",
    "close_off",
    "close_part",
    "close_reading",
    "close_meter",
    "close_history",
)


@dataclass
class Result:
    charges: int
    accounts: int
    recalculations: list[Recalculation]


def calculate_charges(period: BillingPeriod, progress=None) -> Result:
    """Write the period's charges (the draft is already deleted) and return the recalculations by readings."""
    month = period.month
    previous = add_months(month, -1)
    params = {
        "org": period.organisation_id,
        "period": period.pk,
        "month": month,
        "end": month_end(month),
        "previous": previous,
        "previous_end": month_end(previous),
        "since": add_months(month, -10),
        "days": month_end(month).day,
    }
    engine = _engine(period, progress)
    with connection.cursor() as cursor:
        # These statements are cheap to plan and run; JIT-compiling their expressions would cost seconds.
        cursor.execute("SET LOCAL jit = off")
        # Enough memory to sort and aggregate a city's lines without spilling to disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        _drop(cursor)
        accounts = _load(cursor, engine, params)
        _individual_lines(cursor, params)
        _report(progress, accounts, 1, 4)
        cursor.execute(LEFT_TO_PYTHON, params)
        recalcs = _python_meters(engine, cursor, cursor.fetchall())
        _report(progress, accounts, 2, 4)
        cursor.execute(SEWERAGE, params)
        cursor.execute(COMMON_HOUSE, params)
        _report(progress, accounts, 3, 4)
        written = insert_checked(
            cursor,
            WRITE,
            params,
            {
                "housing_personalaccount": "SELECT account_id FROM close_line",
                "billing_service": "SELECT service_id FROM close_line",
                "metering_meter": "SELECT meter_id FROM close_line",
            },
        )
        _drop(cursor)
    _report(progress, accounts, 4, 4)
    return Result(written, accounts, recalcs)


def _engine(period: BillingPeriod, progress) -> Engine:
    """The Python engine with what the month has in force: it gives the services' rows and takes the meters the
    SQL leaves to it."""
    org, month = period.organisation, period.month
    engine = Engine(org, period, progress)
    engine.services = list(Service.objects.filter(organisation=org, is_active=True))
    engine.tariffs = in_force(Tariff, engine.services, month)
    engine.norms = in_force(Norm, engine.services, month)
    engine.days = month_days(org, month, engine.services)
    engine.off = engine.days.off
    return engine


def _load(cursor, engine: Engine, params: dict) -> int:
    """The temporary tables of accounts, services, services off, readings and meters; returns the accounts."""
    cursor.execute(ACCOUNTS, params)
    cursor.execute("SELECT count(*) FROM close_account")
    accounts = cursor.fetchone()[0]
    cursor.execute(SERVICE_TABLE)
    cursor.executemany(
        "INSERT INTO close_service VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        _service_rows(engine, engine.org.multiplying_factor),
    )
    cursor.execute(OFF_TABLE)
    with cursor.cursor.copy("COPY close_off (account_id, service_id) FROM STDIN") as copy:
        for pair in sorted(engine.off):
            copy.write_row(pair)
    cursor.execute(PART_TABLE)
    with cursor.cursor.copy("COPY close_part (account_id, service_id, days, rate, price) FROM STDIN") as copy:
        for (account_id, service_id), served in sorted(engine.days.part.items()):
            copy.write_row((account_id, service_id, served.days, served.rate, served.price))
    cursor.execute(READINGS, params)
    cursor.execute("ANALYZE close_account; ANALYZE close_reading; ANALYZE close_off; ANALYZE close_part")
    cursor.execute(METERS, params)
    cursor.execute("ANALYZE close_meter")
    return accounts


def _individual_lines(cursor, params: dict) -> None:
    """The lines of each account's own services: by area, fixed, норматив, meter, and estimated."""
    cursor.execute(LINE_TABLE)
    for statement in INDIVIDUAL:
        cursor.execute(statement, params)
    cursor.execute(HISTORY, params)
    cursor.execute(ESTIMATED, params)


def _drop(cursor) -> None:
    # Dropped explicitly rather than ON COMMIT: a rerun inside one transaction (the tests) needs fresh tables.
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(TEMPORARY))


def _report(progress, accounts: int, done: int, parts: int) -> None:
    if progress:
        progress(accounts * done // parts, accounts)


def _service_rows(engine, factor: Decimal) -> list[tuple]:
    """The services with a tariff in the month (the others are not charged), with their норматив and factor."""
    rows = []
    for service in engine.services:
        tariff = engine.tariffs.get(service.pk)
        if tariff is None:
            continue
        norm = engine.norms.get(service.pk)
        served = engine.days.standard[service.pk]
        applies = service.multiplying_factor_applies and factor != 1  # calculations.factor_applies, no meter
        rows.append(
            (
                service.pk,
                service.method,
                service.resource or "",
                served.price,
                served.days,
                served.rate,
                norm.value if norm else None,
                bool(norm and norm.basis == Norm.Basis.PER_M2),
                factor if applies else None,
                service.common_house_capped,
            )
        )
    return rows


def _python_meters(engine, cursor, left: list[tuple]) -> list[Recalculation]:
    """The meters whose line needs their history, through the Python engine; their lines join the others."""
    if not left:
        return []
    services_by_id = {s.pk: s for s in engine.services}
    meter_ids = sorted({row[6] for row in left})
    engine.meters = {m["id"]: m for m in _meters(meter_ids)}
    engine.readings = engine._load_readings(meter_ids)
    engine.charges, engine.recalcs, engine.gap_checks = [], [], []
    engine.volumes, engine.bases = defaultdict(Decimal), defaultdict(set)  # unused here: close_line keeps them
    for account_id, premises_id, building_id, area, residents, service_id, meter_id in left:
        service = services_by_id[service_id]
        account = AccountRow(account_id, premises_id, building_id, area, residents)
        engine._charge_meter(account, service, engine.meters[meter_id], engine.days.of(account_id, service_id))
    engine._recalculate_gaps()
    resources = {s.pk: s.resource for s in engine.services}
    with cursor.cursor.copy(f"COPY close_line ({LINE_COLUMNS}) FROM STDIN") as copy:
        for row in engine.charges:
            (account_id, _, service_id, meter_id, basis, prev, cur, volume, price, factor, excess, amount, house) = row
            # Every line _charge_meter writes is a volume of the resource (the factor never applies to a meter).
            copy.write_row(
                (account_id, service_id, meter_id, basis, prev, cur, volume, price, factor, excess, amount, house)
                + (resources[service_id], volume)
            )
    return engine.recalcs


def _meters(ids: list[int]) -> list[dict]:
    fields = ("id", "serial_number", "installed_on", "verification_due", "digits_before", "initial_value")
    return list(Meter.objects.filter(id__in=ids).values(*fields))
