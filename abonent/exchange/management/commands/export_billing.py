from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.exporting import billing_export
from abonent.lib.inputs import parse_ru_date, parse_ru_month
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Выгрузить для биллинга показания или платежи: export_billing readings|payments ФАЙЛ --org КОД "
        "[--month ММ.ГГГГ] [--since ДД.ММ.ГГГГ] [--since-last] [--format csv|xlsx|dbf] [--encoding cp1251]"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["readings", "payments"])
        parser.add_argument("file")
        parser.add_argument("--org", required=True)
        parser.add_argument("--month")
        parser.add_argument("--since")
        parser.add_argument("--since-last", action="store_true", help="только строки после последней выгрузки")
        parser.add_argument("--format", choices=["csv", "xlsx", "dbf"])
        parser.add_argument(
            "--encoding", choices=["utf-8", "cp1251", "cp866"], help="по умолчанию — из настройки обмена"
        )

    def handle(self, *args, **options):
        org = Organisation.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"Организация {options['org']} не найдена.")
        month = parse_ru_month(options["month"]) if options["month"] else None
        since = parse_ru_date(options["since"]) if options["since"] else None
        if (options["month"] and month is None) or (options["since"] and since is None):
            raise CommandError("Месяц — ММ.ГГГГ, дата — ДД.ММ.ГГГГ.")
        path = Path(options["file"])
        fmt = options["format"] or path.suffix.lstrip(".").lower()
        if fmt not in ("csv", "xlsx", "dbf"):
            raise CommandError("Формат — csv, xlsx или dbf (--format или расширение файла).")
        try:
            export = billing_export(
                organisation=org,
                kind=options["kind"],
                fmt=fmt,
                month=month,
                since=since,
                since_last=options["since_last"],
                encoding=options["encoding"],
            )
        except UnicodeEncodeError as exc:
            raise CommandError(f"Текст не записывается в кодировке {options['encoding']}: {exc}") from exc
        except ExchangeRefused as exc:
            raise CommandError("; ".join(exc.errors)) from exc
        path.write_bytes(export.data)
        self.stdout.write(f"Выгружено строк: {export.rows} → {path}")
