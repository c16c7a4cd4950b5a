from django.core.management.base import BaseCommand, CommandError

from abonent.receipts.services import ReceiptError, receipts_send

from ._common import period_of


class Command(BaseCommand):
    help = "Разослать квитанции периода подписанным абонентам (повторный запуск не шлёт повторно)"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--period", required=True, help="ГГГГ-ММ")

    def handle(self, *args, org, period, **options):
        try:
            counts = receipts_send(period=period_of(org, period))
        except ReceiptError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"отправлено {counts['sent']}, пропущено {counts['skipped']}, ошибок {counts['failed']}")
