from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.billing.models import BillingPeriod
from abonent.exchange import gis_export
from abonent.lib.inputs import parse_ru_month
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Выгрузить для ГИС ЖКХ файл в раскладке его шаблона импорта: "
        "export_gis accounts|payment_documents|readings --org КОД [--month ММ.ГГГГ] --out ФАЙЛ.xlsx"
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["accounts", "payment_documents", "readings"])
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--month", help="месяц ММ.ГГГГ (для платёжных документов и показаний)")
        parser.add_argument("--out", required=True, help="куда записать XLSX")

    def handle(self, *args, what, org, month, out, **options):
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"Организация {org} не найдена.")
        if what == "accounts":
            stored = gis_export.accounts_export(organisation=organisation)
        else:
            day = parse_ru_month(month)
            if day is None:
                raise CommandError("Нужен месяц: --month ММ.ГГГГ.")
            stored = self._monthly(what, organisation, day)
        Path(out).write_bytes(bytes(stored.content))
        self.stdout.write(f"Записан {out}: {stored.parameters}, строк {stored.lines}.")

    def _monthly(self, what, organisation, day):
        if what == "readings":
            return gis_export.readings_export(organisation=organisation, month=day)
        period = BillingPeriod.objects.filter(organisation=organisation, month=day).first()
        if period is None or period.state != BillingPeriod.State.PUBLISHED:
            raise CommandError("Период не опубликован: платёжных документов за него нет.")
        return gis_export.payment_documents_export(period=period)
