"""When readings may be sent: the organisation's window days, the month whose readings are closed, the period a
reading sent on a day belongs to, and the window the readings page announces. Every other app asks here (the
reminders, the back office's cycle, the demo): the organisation only keeps the two window days and clamps them to
a month's length (Organisation.readings_window).

The window is the organisation's own (ПП РФ №354, п.31 «е»: the executor takes readings in the days it set); a
month is closed for readings once billing's close takes them (ReadingMonth), whatever the calendar says.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from abonent.lib.dates import ru_date as fmt_date
from abonent.orgs.dates import add_months, month_label, month_start
from abonent.orgs.models import Organisation

from .errors import ReadingError
from .lookups import meters_of_organisation_q
from .models import Reading, ReadingMonth

# Channels that bring readings after the fact (a bank's registry, an operator's file): a reading dated after
# the window counts for the next period instead of being refused.
LATE_CHANNELS = {Reading.Channel.IMPORT, Reading.Channel.BANK, Reading.Channel.OPERATOR}


def readings_window(organisation: Organisation, month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last local day on which readings for `month` are taken."""
    return organisation.readings_window(month)


def readings_close_day(organisation: Organisation, month: dt.date) -> dt.date:
    """The first day `month`'s readings may be closed: the day after the window's last (on that day subscribers
    may still send them)."""
    return readings_window(organisation, month)[1] + dt.timedelta(days=1)


def next_window(organisation: Organisation, day: dt.date) -> tuple[dt.date, dt.date]:
    """The window that is open on `day` or opens next."""
    first, last = readings_window(organisation, month_start(day))
    if day <= last:
        return first, last
    return readings_window(organisation, add_months(month_start(day), 1))


def announced_window(organisation: Organisation, today: dt.date) -> tuple[dt.date, dt.date]:
    """The window the readings page names as the next one when today's is closed: this month's before it opens,
    otherwise next month's."""
    first, last = readings_window(organisation, month_start(today))
    return next_window(organisation, today if today < first else last + dt.timedelta(days=1))


def period_for(organisation: Organisation, day: dt.date, channel: str) -> dt.date:
    """The period a reading sent on the organisation's local `day` belongs to, or ReadingError outside the window."""
    month = month_start(day)
    first, last = readings_window(organisation, month)
    if first <= day <= last:
        return month
    if channel in LATE_CHANNELS:
        # Before the window the month is still open; after it, the reading waits for the next period.
        return month if day < first else add_months(month, 1)
    opens, closes = next_window(organisation, day)
    raise ReadingError(
        _("Показания принимаются с %(first)s по %(last)s число месяца. Следующий приём: %(window)s.")
        % {
            "first": organisation.readings_first_day,
            "last": organisation.readings_last_day,
            "window": _("с %(a)s по %(b)s") % {"a": fmt_date(opens), "b": fmt_date(closes)},
        },
        code="window",
    )


def local_day(organisation: Organisation, when: dt.datetime) -> dt.date:
    return when.astimezone(organisation.tz).date()


# --- the closed month ----------------------------------------------------------------------------------


def period_readings_closed(organisation: Organisation, period: dt.date) -> bool:
    """Whether the month's readings are closed (billing's close records it here), whatever the calendar."""
    return ReadingMonth.objects.filter(organisation=organisation, month=period).exists()


def closed_months(organisation: Organisation, months) -> set[dt.date]:
    """Which of `months` have their readings closed: one query."""
    return set(ReadingMonth.objects.filter(organisation=organisation, month__in=months).values_list("month", flat=True))


def window_is_open(organisation: Organisation, period: dt.date, day: dt.date) -> bool:
    """What the readings page tells: open on the window's days, unless the month's readings are already closed
    (an early close): then a field to fill in would only lead to a refusal."""
    first, last = readings_window(organisation, period)
    return first <= day <= last and not period_readings_closed(organisation, period)


def closed_period_error(period: dt.date) -> ReadingError:
    return ReadingError(
        _("Приём показаний за %(month)s закрыт: период уже рассчитывается.") % {"month": month_label(period)},
        code="period_closed",
    )


def closed_month_refusal(period: dt.date) -> str:
    """A file's line of a closed month (a file is checked whole before anything is written)."""
    return _("Приём показаний за %(month)s закрыт.") % {"month": month_label(period)}


def refuse_closed_period(organisation: Organisation, period: dt.date) -> None:
    if period_readings_closed(organisation, period):
        raise closed_period_error(period)


def readings_close_month(*, organisation: Organisation, month: dt.date) -> int:
    """The month's close takes its readings: the pending ones are accepted and the month takes no more (of any
    channel). Idempotent; returns how many readings were accepted. Run inside the close's transaction, so a failed
    close leaves the month open."""
    accepted = readings_accept_period(organisation=organisation, period=month)
    ReadingMonth.objects.get_or_create(organisation=organisation, month=month, defaults={"closed_at": timezone.now()})
    return accepted


def readings_accept_period(*, organisation: Organisation, period: dt.date) -> int:
    """At the month's close: the current pending readings of the period become "Принято". Idempotent: returns
    how many changed (0 the second time)."""
    ids = Reading.objects.filter(
        meters_of_organisation_q(organisation.pk, "meter__"),
        period=period,
        status=Reading.Status.PENDING,
        is_current=True,
    ).values("pk")
    return Reading.objects.filter(pk__in=ids).update(status=Reading.Status.ACCEPTED)
