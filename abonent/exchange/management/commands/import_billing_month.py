from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.billing.errors import BillingError
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.month_import import billing_month_import
from abonent.lib.inputs import parse_ru_month
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Загрузить месяц из биллинга организации: import_billing_month ФАЙЛ --org КОД --month ММ.ГГГГ [--publish]"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--month", required=True, help="месяц: ММ.ГГГГ")
        parser.add_argument("--format", choices=["csv", "xlsx", "dbf"], help="по умолчанию — по расширению файла")
        parser.add_argument("--publish", action="store_true", help="опубликовать период сразу после загрузки")

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Организация {options['org']} не найдена.")
        month = parse_ru_month(options["month"])
        if month is None:
            raise CommandError(f"Неверный месяц «{options['month']}»: нужен ММ.ГГГГ.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Файл не прочитан: {exc}") from exc
        try:
            result = billing_month_import(
                organisation=org,
                month=month,
                data=data,
                file_name=path.name,
                file_format=options["format"],
                publish=options["publish"],
            )
        except (ExchangeRefused, BillingError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
