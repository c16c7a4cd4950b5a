from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.exchange.bank_statement import statement_import
from abonent.exchange.errors import ExchangeRefused
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Загрузить банковскую выписку 1CClientBankExchange: import_bank_statement ФАЙЛ --org КОД"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True)

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Организация {options['org']} не найдена.")
        path = Path(options["file"])
        try:
            result = statement_import(organisation=org, data=path.read_bytes(), file_name=path.name)
        except (OSError, ExchangeRefused) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Зачислено: {result.credited}; не сопоставлено (в «Несопоставленных строках реестров»): "
            f"{result.unmatched}; уже были загружены: {result.duplicates}; не на расчётный счёт: {result.skipped}"
        )
