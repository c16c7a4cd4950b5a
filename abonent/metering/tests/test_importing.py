"""Importing a file of readings: all or nothing, the same checks as the portal's, late lines to the next period."""

import datetime as dt

import pytest
from django.db import connection

from abonent.metering import importing
from abonent.metering.importing import ImportRow, readings_import
from abonent.metering.models import Reading
from abonent.metering.window import readings_close_month
from abonent.testing.factories import MeterFactory, OperatorFactory, OrganisationFactory

from .conftest import NOV, OCT, add_reading, submit

pytestmark = pytest.mark.django_db


class TestImport:
    def rows(self, account, meter, *lines):
        return [
            ImportRow(line=i + 2, account_number=a or account.number, serial_number=s or meter.serial_number,
                      value_text=v, day=d)
            for i, (a, s, v, d) in enumerate(lines)
        ]  # fmt: skip

    def test_a_broken_line_imports_nothing_and_is_reported(self, account, meter, org):
        operator = OperatorFactory(organisation=org)
        rows = self.rows(
            account,
            meter,
            (None, None, "10,5", dt.date(2026, 11, 10)),
            (None, None, "abc", dt.date(2026, 11, 11)),
            ("999999999", None, "11", dt.date(2026, 11, 11)),
        )
        report = readings_import(organisation=org, rows=rows, actor=operator)
        assert not report.ok and report.imported == 0
        assert [line for line, _ in report.refused] == [3, 4]
        assert "только цифры" in report.refused[0][1]
        assert "не найден" in report.refused[1][1]
        assert Reading.objects.count() == 0

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="статистика планировщика PostgreSQL")
    def test_a_large_import_refreshes_the_planners_statistics(self, account, meter, org, monkeypatch):
        # After a city's file the statistics must know the period's readings, or the portal's save scans the
        # whole period (bench/readings.py: 145 → 50 submissions/s). "Large" is 10 000 lines; 1 here.

        monkeypatch.setattr(importing, "ANALYZE_AFTER", 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'metering_reading'")
            assert cursor.fetchone()[0] <= 0  # never analysed
            report = readings_import(
                organisation=org,
                rows=self.rows(account, meter, (None, None, "10,5", dt.date(2026, 11, 10))),
                actor=None,
            )
            assert report.ok
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'metering_reading'")
            assert cursor.fetchone()[0] == 1

    def test_lines_of_one_meter_last_counts_late_goes_to_next_period(self, account, meter, org, premises):
        add_reading(meter, OCT, "5")
        second = MeterFactory(premises=premises, resource="hot_water")
        rows = self.rows(
            account,
            meter,
            (None, None, "10,5", dt.date(2026, 11, 10)),
            (None, None, "11", dt.date(2026, 11, 12)),
            (None, None, "12", dt.date(2026, 11, 28)),
            (None, second.serial_number, "3.25", dt.date(2026, 11, 20)),
        )
        report = readings_import(organisation=org, rows=rows, actor=None)
        assert report.ok and report.imported == 4
        nov = Reading.objects.filter(meter=meter, period=NOV)
        assert nov.count() == 2 and nov.get(is_current=True).value == 11
        assert Reading.objects.get(meter=meter, period=dt.date(2026, 12, 1)).value == 12
        assert Reading.objects.get(meter=second).channel == Reading.Channel.IMPORT

    def test_import_replaces_a_portal_reading_and_refuses_less_than_previous(self, account, meter, org):
        add_reading(meter, OCT, "50")
        portal = submit(meter, "55")
        report = readings_import(
            organisation=org, rows=self.rows(account, meter, (None, None, "56", dt.date(2026, 11, 21))), actor=None
        )
        assert report.ok
        portal.refresh_from_db()
        assert not portal.is_current
        report = readings_import(
            organisation=org, rows=self.rows(account, meter, (None, None, "40", dt.date(2026, 11, 22))), actor=None
        )
        assert not report.ok and "меньше предыдущего" in report.refused[0][1]
        assert Reading.objects.get(meter=meter, period=NOV, is_current=True).value == 56

    def test_import_takes_high_consumption_and_flags_it(self, account, meter, org):
        add_reading(meter, OCT, "50")
        report = readings_import(
            organisation=org, rows=self.rows(account, meter, (None, None, "150", dt.date(2026, 11, 21))), actor=None
        )
        assert report.ok
        assert Reading.objects.get(meter=meter, period=NOV).flagged

    def test_lines_of_a_closed_month_are_refused(self, account, meter, org):
        readings_close_month(organisation=org, month=NOV)
        report = readings_import(
            organisation=org, rows=self.rows(account, meter, (None, None, "10", dt.date(2026, 11, 21))), actor=None
        )
        assert not report.ok and report.refused == [(2, "Приём показаний за ноябрь 2026 закрыт.")]
        assert Reading.objects.count() == 0

    def test_another_organisations_meter_is_not_found(self, account, meter):
        other = OrganisationFactory()
        report = readings_import(
            organisation=other, rows=self.rows(account, meter, (None, None, "1", dt.date(2026, 11, 21))), actor=None
        )
        assert not report.ok and Reading.objects.count() == 0
