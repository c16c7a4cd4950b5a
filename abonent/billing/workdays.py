"""The production calendar (производственный календарь): which days are working, for ГК РФ ст.193 — a due date on a
non-working day moves to the next working day.

The federal calendar — Saturdays and Sundays, the holidays of ТК РФ ст.112 and the Government's yearly transfers of
days off, with the Saturdays made working — comes from the `holidays` library: its Russia calendar carries the
transfers and the working Saturdays year by year and is maintained (a new decree appears in a release), while
`workalendar` has had no release since 2023. Operators add what the library does not know yet (a decree published
after the pinned release) or what applies only in their region (a subject's own non-working day) as CalendarDay
rows: a row of the organisation beats a row for all organisations, which beats the library.
"""

from __future__ import annotations

import datetime as dt

import holidays
from django.db.models import Q

from abonent.orgs.models import Organisation

from .models import CalendarDay

# A run of non-working days longer than this is an operator's mistake in the exceptions, not a calendar.
LONGEST_BREAK = 60


class WorkCalendar:
    """The working days of one organisation: the federal calendar with the operators' exceptions."""

    def __init__(self, exceptions: dict[dt.date, bool]):
        self.exceptions = exceptions
        self.federal = holidays.country_holidays("RU")

    def is_working(self, day: dt.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.federal.is_working_day(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it (ГК РФ ст.193)."""
        for shift in range(LONGEST_BREAK + 1):
            candidate = day + dt.timedelta(days=shift)
            if self.is_working(candidate):
                return candidate
        raise ValueError(
            f"Нет рабочего дня в {LONGEST_BREAK} днях после {day:%d.%m.%Y}: проверьте исключения календаря."
        )


def work_calendar(organisation: Organisation) -> WorkCalendar:
    """The organisation's calendar: the library's days, then the exceptions for all, then the organisation's own."""
    rows = CalendarDay.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=organisation.pk))
    exceptions: dict[dt.date, bool] = {}
    # Rows for all first, so the organisation's own row for the same day replaces them.
    for day, is_working, _org in sorted(
        rows.values_list("day", "is_working", "organisation_id"), key=lambda r: r[2] is not None
    ):
        exceptions[day] = is_working
    return WorkCalendar(exceptions)
