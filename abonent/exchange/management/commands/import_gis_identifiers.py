from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.gis_documents import gis_documents_import
from abonent.exchange.gis_identifiers import gis_identifiers_import
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Загрузить идентификаторы ГИС ЖКХ из XLSX: ЕЛС, ИЖКУ, GUID дома (import_gis_identifiers ФАЙЛ --org КОД) "
        "или идентификаторы платёжных документов (с --documents)"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True)
        parser.add_argument(
            "--documents", action="store_true", help="файл — ответ ГИС ЖКХ на загрузку платёжных документов"
        )

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Организация {options['org']} не найдена.")
        path = Path(options["file"])
        load = gis_documents_import if options["documents"] else gis_identifiers_import
        try:
            count = load(organisation=org, data=path.read_bytes(), file_name=path.name)
        except (OSError, ExchangeRefused) as exc:
            raise CommandError(str(exc)) from exc
        what = "платёжных документов" if options["documents"] else "лицевых счетов"
        self.stdout.write(f"Идентификаторы ГИС ЖКХ записаны для {count} {what}.")
