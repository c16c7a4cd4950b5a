from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.gis_identifiers import gis_identifiers_import
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Загрузить идентификаторы ГИС ЖКХ (ЕЛС, ИЖКУ, GUID дома) из XLSX: import_gis_identifiers ФАЙЛ --org КОД"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True)

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Организация {options['org']} не найдена.")
        path = Path(options["file"])
        try:
            count = gis_identifiers_import(organisation=org, data=path.read_bytes(), file_name=path.name)
        except (OSError, ExchangeRefused) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Идентификаторы ГИС ЖКХ записаны для {count} лицевых счетов.")
