from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.orgs.models import Organisation
from abonent.payments.registry import LAYOUTS, RegistryError, registry_import


class Command(BaseCommand):
    help = "Загрузить банковский реестр платежей: import_payments FILE --format sber [--org CODE]"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", default="sber", choices=sorted(LAYOUTS))
        parser.add_argument("--org", help="код организации (обязателен, если организаций несколько)")

    def handle(self, *args, **options):
        if options["org"]:
            org = Organisation.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"Организация {options['org']} не найдена.")
        else:
            orgs = list(Organisation.objects.all()[:2])
            if len(orgs) != 1:
                raise CommandError("Укажите организацию: --org CODE.")
            org = orgs[0]
        path = Path(options["file"])
        try:
            result = registry_import(
                organisation=org, data=path.read_bytes(), file_name=path.name, layout=LAYOUTS[options["format"]]
            )
        except (OSError, RegistryError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Зачислено платежей: {result.created}; уже были загружены: {result.duplicates}; "
            f"не сопоставлено: {result.unmatched}; показаний: {result.readings}"
        )
        for message in result.reading_errors[:20]:
            self.stdout.write(f"  показание не принято — {message}")
