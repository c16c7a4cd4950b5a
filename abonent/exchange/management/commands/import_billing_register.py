from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.register_import import billing_register_import
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Загрузить реестр из биллинга (дома, помещения, лицевые счета, приборы учёта): ФАЙЛ --org КОД"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--format", choices=["csv", "xlsx", "dbf"], help="по умолчанию — по расширению файла")

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Организация {options['org']} не найдена.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Файл не прочитан: {exc}") from exc
        with tqdm(total=None, desc="реестр", unit="шт.", file=self.stderr._out) as bar:

            def progress(done, total):
                bar.total, bar.n = total, done
                bar.refresh()

            try:
                result = billing_register_import(
                    organisation=org, data=data, file_name=path.name, file_format=options["format"], progress=progress
                )
            except ExchangeRefused as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
