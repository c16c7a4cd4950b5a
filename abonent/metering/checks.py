"""The checks of one reading, without the database: what was typed, whether the meter takes readings, a value below
the previous one (a typo or a counter through zero), a consumption too large. The portal, the operator's form and
the file import all go through `evaluate`, fed with facts read from the database, so a rule changes in one place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from abonent.lib.dates import ru_date as fmt_date  # numbers and dates in messages: the pages' rules
from abonent.lib.inputs import has_non_ascii_digits
from abonent.lib.numbers import format_decimal as fmt
from abonent.orgs.dates import month_end, month_label, month_start

from .errors import ReadingError
from .models import Meter, Resource

# A month's consumption above which a reading needs the sender's confirmation (and is flagged for operators),
# when it is also several times the meter's own average. Settings with these defaults, not constants: each
# organisation's houses differ.
DEFAULT_MONTHLY_CEILING = {
    Resource.COLD_WATER: Decimal("30"),
    Resource.HOT_WATER: Decimal("30"),
    Resource.GAS: Decimal("300"),
    Resource.ELECTRICITY: Decimal("2000"),
    Resource.HEAT: Decimal("5"),
}
DEFAULT_AVERAGE_FACTOR = Decimal("3")
# A reading below the previous one is a counter that went through zero only if the implied consumption is a
# small part of what the counter can show (99 999 → 00 012 is 13 м³; 99 999 → 50 000 is a typo).
ROLLOVER_SHARE = Decimal("0.1")
AVERAGE_MONTHS = 6  # п.59 «б» ПП РФ №354: the average over the last 6 months
VERIFICATION_WARNING_DAYS = 30  # the readings page and the home warn this long before a verification ends
# 0-9 only (re.ASCII): without it \d takes «５８» and Decimal() reads it as 58.
NUMBER = re.compile(r"^(\d+)(?:[.,](\d+))?$", re.ASCII)


def monthly_ceiling(resource: str) -> Decimal:
    configured = getattr(settings, "READINGS_MONTHLY_CEILING", {}) or {}
    return Decimal(str(configured.get(resource, DEFAULT_MONTHLY_CEILING.get(resource, Decimal("1000")))))


def average_factor() -> Decimal:
    return Decimal(str(getattr(settings, "READINGS_AVERAGE_FACTOR", DEFAULT_AVERAGE_FACTOR)))


# --- what was typed ------------------------------------------------------------------------------------


def parse_value(text, *, digits_before: int, digits_after: int) -> Decimal:
    """What a person typed → a Decimal the meter could show, or ReadingError saying what is wrong."""
    raw = "" if text is None else str(text)
    cleaned = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise ReadingError(_("Введите показание."), code="empty")
    if cleaned.startswith("-"):
        raise ReadingError(_("Показание не может быть отрицательным."), code="negative")
    if has_non_ascii_digits(cleaned):
        raise ReadingError(_("Введите показание цифрами 0–9, например 123,45."), code="non_ascii_digits")
    match = NUMBER.match(cleaned)
    if not match:
        raise ReadingError(
            _("Показание — это число: только цифры и запятая, например 123,45. Введено: «%(text)s».")
            % {"text": raw.strip()[:40]},
            code="format",
        )
    whole, fraction = match.group(1), (match.group(2) or "")
    significant = whole.lstrip("0") or "0"
    if len(significant) > digits_before:
        raise ReadingError(
            _("У этого счётчика %(n)s цифр до запятой, а введено %(got)s.")
            % {"n": digits_before, "got": len(significant)},
            code="too_many_digits",
        )
    fraction = fraction.rstrip("0")
    if len(fraction) > digits_after:
        raise _too_many_decimals(digits_after, len(fraction))
    try:
        return Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ReadingError(_("Показание — это число, например 123,45."), code="format") from None


def _too_many_decimals(digits_after: int, got: int) -> ReadingError:
    if digits_after == 0:
        message = _("Этот счётчик показывает только целые числа: введите показание без дробной части.")
    else:
        message = _("У этого счётчика %(n)s знака после запятой, а введено %(got)s.") % {"n": digits_after, "got": got}
    return ReadingError(message, code="too_many_decimals")


# --- the facts and the verdict -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MeterFacts:
    """What the checks need to know about a meter, read in one go (also in bulk for imports)."""

    meter_id: int
    resource: str
    digits_before: int
    digits_after: int
    verification_due: dt.date
    status: str
    installed_on: dt.date
    closed_on: dt.date | None
    baseline: Decimal  # the last accepted (or not yet rejected) reading before the period, or the initial value
    baseline_period: dt.date | None
    average: Decimal | None  # average monthly consumption over the last 6 months, None if not known

    @classmethod
    def of(cls, meter: Meter, *, baseline, baseline_period, average) -> MeterFacts:
        return cls(
            meter_id=meter.pk,
            resource=meter.resource,
            digits_before=meter.digits_before,
            digits_after=meter.digits_after,
            verification_due=meter.verification_due,
            status=meter.status,
            installed_on=meter.installed_on,
            closed_on=meter.closed_on,
            baseline=baseline,
            baseline_period=baseline_period,
            average=average,
        )


@dataclasses.dataclass(frozen=True)
class Verdict:
    value: Decimal
    period: dt.date
    consumption: Decimal
    rollover: bool
    flagged: bool


def months_between(earlier: dt.date | None, later: dt.date) -> int:
    if earlier is None:
        return 1
    return max(1, (later.year - earlier.year) * 12 + later.month - earlier.month)


def average_from(points: list[tuple[dt.date, Decimal]]) -> Decimal | None:
    """Average monthly consumption from (period, value) pairs of at least two months, oldest first."""
    if len(points) < 2:
        return None
    (first_period, first_value), (last_period, last_value) = points[0], points[-1]
    months = months_between(first_period, last_period)
    used = last_value - first_value
    if used < 0:  # a rollover in the window: no sound average, so only the ceiling applies
        return None
    return used / months


# --- whether the meter takes readings ------------------------------------------------------------------


def closed_meter_message(facts: MeterFacts | Meter, day: dt.date) -> str | None:
    """Why a meter takes no readings on `day`, or None if it does. A meter taken out of service, not yet installed
    or past its verification measures nothing that counts (ПП РФ №354, п.59 «а», п.81(12) «д»)."""
    if (
        facts.status != Meter.Status.CLOSED
        and (facts.closed_on is None or facts.closed_on > day)
        and facts.installed_on <= day <= facts.verification_due
    ):
        return None  # the usual case, checked first: an import asks 100 000 times
    after = _(
        "До замены или поверки прибора начисление идёт по среднемесячному потреблению (не более 3 месяцев), "
        "затем по нормативу (ПП РФ №354, п.59, п.60)."
    )
    if facts.status == Meter.Status.CLOSED or (facts.closed_on is not None and facts.closed_on <= day):
        return _("Прибор учёта выведен из эксплуатации, показания по нему не принимаются. %(after)s") % {"after": after}
    if facts.installed_on > day:
        return _("Прибор учёта ещё не установлен: показания принимаются с %(day)s.") % {
            "day": fmt_date(facts.installed_on)
        }
    if facts.verification_due < day:
        return _(
            "Срок поверки прибора учёта истёк %(day)s: показания с него не принимаются к расчёту. %(after)s "
            "Закажите поверку или замену прибора и сообщите нам."
        ) % {"day": fmt_date(facts.verification_due), "after": after}
    return None


def verification_notice(meter: Meter, day: dt.date) -> str | None:
    """A warning while the meter's verification ends within VERIFICATION_WARNING_DAYS of `day`, or None.

    The close counts a month's reading only if the verification lasts to the month's end (billing.engine
    `_real_readings`; ПП РФ №354, п.81(12) «д»): a reading accepted on the 10th of a month whose verification ends
    on the 15th is not used, and the month is charged by the average, then by the norm (п.59, п.60). Said before
    the reading is sent, not found out on the receipt."""
    due = meter.verification_due
    if meter.status == Meter.Status.CLOSED or due < day or (due - day).days > VERIFICATION_WARNING_DAYS:
        return None
    if due < month_end(month_start(day)):
        return _(
            "Срок поверки прибора учёта истекает %(day)s, до конца месяца: показание за %(month)s не будет "
            "принято к расчёту, начисление — по среднемесячному потреблению (не более 3 месяцев), затем по "
            "нормативу (ПП РФ №354, п.59, п.60). Закажите поверку или замену прибора."
        ) % {"day": fmt_date(due), "month": month_label(month_start(day))}
    return _(
        "Срок поверки прибора учёта истекает %(day)s: после этой даты показания не принимаются к расчёту, "
        "начисление — по среднемесячному потреблению, затем по нормативу (ПП РФ №354, п.59, п.60). Закажите "
        "поверку или замену прибора заранее."
    ) % {"day": fmt_date(due)}


# --- the value against the meter's past ----------------------------------------------------------------


def evaluate(
    facts: MeterFacts,
    *,
    value: Decimal,
    period: dt.date,
    day: dt.date,
    confirm_rollover: bool,
    confirm_high: bool,
    ceiling: Decimal | None = None,
    factor: Decimal | None = None,
) -> Verdict:
    """Every rule for one reading, without the database: a Verdict, or ReadingError with the Russian reason.
    `ceiling` and `factor` default to the settings (an import passes them, read once)."""
    refusal = closed_meter_message(facts, day)
    if refusal:
        raise ReadingError(refusal, code="meter_closed")
    consumption, rollover = consumption_since_baseline(facts, value, confirm_rollover=confirm_rollover)
    # With no earlier reading the consumption runs from the installation (the initial value).
    months = months_between(facts.baseline_period or month_start(facts.installed_on), period)
    high = is_high(facts, consumption, months, ceiling=ceiling, factor=factor)
    if high and not confirm_high:
        raise ReadingError(
            _(
                "Расход %(used)s за %(months)s мес. необычно велик. Проверьте показание; если оно верно, "
                "подтвердите его — оператор его проверит."
            )
            % {"used": fmt(consumption, facts.digits_after), "months": months},
            code="confirm_high",
        )
    return Verdict(value=value, period=period, consumption=consumption, rollover=rollover, flagged=high or rollover)


def consumption_since_baseline(facts: MeterFacts, value: Decimal, *, confirm_rollover: bool) -> tuple[Decimal, bool]:
    """(consumption, whether the counter went through zero); a value below the baseline is a typo unless the
    implied consumption is small, and then only once the sender confirms the rollover."""
    if value >= facts.baseline:
        return value - facts.baseline, False
    capacity = Decimal(10) ** facts.digits_before
    wrapped = capacity - facts.baseline + value
    if wrapped > capacity * ROLLOVER_SHARE:
        raise ReadingError(
            _("Показание %(value)s меньше предыдущего принятого (%(prev)s). Проверьте цифры до запятой.")
            % {"value": fmt(value, facts.digits_after), "prev": fmt(facts.baseline, facts.digits_after)},
            code="less_than_previous",
        )
    if not confirm_rollover:
        raise ReadingError(
            _(
                "Показание %(value)s меньше предыдущего (%(prev)s). Если счётчик перешёл через ноль, "
                "подтвердите это: расход составит %(used)s."
            )
            % {
                "value": fmt(value, facts.digits_after),
                "prev": fmt(facts.baseline, facts.digits_after),
                "used": fmt(wrapped, facts.digits_after),
            },
            code="confirm_rollover",
        )
    return wrapped, True


def is_high(
    facts: MeterFacts, consumption: Decimal, months: int, *, ceiling: Decimal | None, factor: Decimal | None
) -> bool:
    """Above the resource's monthly ceiling over `months` and, when the meter's average is known, above that
    average times the factor as well."""
    ceiling = (monthly_ceiling(facts.resource) if ceiling is None else ceiling) * months
    factor = average_factor() if factor is None else factor
    return consumption > ceiling and (facts.average is None or consumption > facts.average * factor * months)
