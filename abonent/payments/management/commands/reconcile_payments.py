from django.core.management.base import BaseCommand, CommandError

from abonent.lib.inputs import parse_ru_date
from abonent.payments import reconciliation


class Command(BaseCommand):
    help = "Сверка платежей провайдера с нашими за день (по умолчанию — за вчера)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="ДД.ММ.ГГГГ")

    def handle(self, *args, day=None, **options):
        if day:
            parsed = parse_ru_date(day)
            if parsed is None:
                raise CommandError("Дата указывается как ДД.ММ.ГГГГ.")
            report = reconciliation.reconcile(day=parsed)
        else:
            report = reconciliation.reconcile_yesterday()
        state = "расхождений нет" if report.is_clean else "есть расхождения"
        self.stdout.write(f"{report}: {state}")
