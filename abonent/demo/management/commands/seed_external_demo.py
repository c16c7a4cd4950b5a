"""`seed_external_demo`: the demo organisation in external-billing mode, its month loaded from the sample file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from abonent.demo.external import EXTERNAL, create_external_billing
from abonent.demo.register import DemoContext
from abonent.demo.reset import purge
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Создаёт демо-организацию «РКЦ Демо» во внешнем биллинге: её прошлый месяц загружается из файла-образца "
        "(abonent/demo/data/billing_month.csv) и публикуется."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Ничего не делать, если организация уже есть.")
        parser.add_argument("--reset", action="store_true", help="Удалить прежнюю и создать заново.")

    def handle(self, *args, **options):
        exists = Organisation.objects.filter(code=EXTERNAL).exists()
        if exists and options["if_empty"]:
            self.stdout.write("Организация во внешнем биллинге уже есть: ничего не делаю.")
            return
        if exists and not options["reset"]:
            raise CommandError("Организация rkc уже есть; чтобы создать её заново, добавьте --reset.")
        with transaction.atomic():
            if options["reset"]:
                purge(Organisation.objects.filter(code=EXTERNAL))
            create_external_billing(DemoContext(write=self.stdout.write))
        self.stdout.write("Готово: «РКЦ Демо» (код rkc), месяц загружен из файла биллинга и опубликован.")
