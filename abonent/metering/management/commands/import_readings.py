"""python manage.py import_readings FILE --org CODE: a CSV or XLSX of readings, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.metering.importing import FileError, read_rows, readings_import
from abonent.metering.models import Reading
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Импорт показаний из CSV или XLSX: лицевой счёт; заводской номер; показание; дата. Всё или ничего."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument(
            "--channel", default=Reading.Channel.IMPORT, choices=[Reading.Channel.IMPORT, Reading.Channel.BANK]
        )

    def handle(self, *args, file, org, channel, **options):
        try:
            organisation = Organisation.objects.get(code=org)
        except Organisation.DoesNotExist:
            raise CommandError(f"Нет организации с кодом «{org}».") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Нет файла {path}.")
        try:
            rows = read_rows(path.read_bytes(), path.name)
        except FileError as exc:
            raise CommandError(str(exc)) from None
        report = readings_import(organisation=organisation, rows=rows, actor=None, channel=channel)
        if not report.ok:
            for line, reason in report.refused:
                self.stderr.write(f"строка {line}: {reason}")
            raise CommandError(f"Ничего не загружено: отклонено строк — {len(report.refused)} из {report.total}.")
        self.stdout.write(f"Загружено показаний: {report.imported}.")
