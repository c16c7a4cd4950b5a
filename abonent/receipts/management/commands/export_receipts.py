from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from abonent.billing.models import AccountBalance
from abonent.receipts.services import ReceiptError, receipts_export

from ._common import period_of


class Command(BaseCommand):
    help = "Все квитанции периода одним PDF или ZIP-архивом для типографии"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--period", required=True, help="ГГГГ-ММ")
        parser.add_argument("--format", choices=["zip", "pdf"], default="pdf")
        parser.add_argument("--output", help="файл; по умолчанию receipts-<org>-<period>.<format>")

    def handle(self, *args, org, period, format, output, **options):
        billing_period = period_of(org, period)
        path = Path(output or f"receipts-{org}-{period}.{format}")
        total = AccountBalance.objects.filter(period=billing_period).count()
        with tqdm(total=total, unit="кв.", desc="квитанции", file=self.stderr._out) as bar:
            try:
                data = receipts_export(period=billing_period, fmt=format, progress=bar.update)
            except ReceiptError as exc:
                raise CommandError(str(exc)) from exc
        path.write_bytes(data)
        self.stdout.write(f"{path}: {total} квитанций, {len(data)} байт")
