"""python manage.py close_period --org <code> --period YYYY-MM [--step close_readings|calculate|publish|all]
[--reason "…"] (a step before its day runs only with a reason, kept on its run record)"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from abonent.billing import cycle, errors
from abonent.orgs.dates import month_label, parse_month
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Закрыть расчётный период организации: один шаг или все по порядку (повторный запуск ничего не меняет)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--period", required=True, help="месяц, ГГГГ-ММ")
        parser.add_argument("--step", default="all", choices=[*cycle.STEPS, "all"])
        parser.add_argument("--no-progress", action="store_true", help="без индикатора хода")
        parser.add_argument("--reason", default=None, help="причина досрочного шага (до срока без неё — отказ)")

    def handle(self, *args, org, period, step, no_progress, reason=None, **options):
        try:
            organisation = Organisation.objects.get(code=org)
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"Нет организации с кодом {org}") from exc
        try:
            month = parse_month(period)
        except ValueError as exc:
            raise CommandError(f"Месяц задаётся как ГГГГ-ММ, получено: {period}") from exc
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if no_progress:
                return
            if bar is None:
                bar = tqdm(total=total, unit="л/с", desc="расчёт", file=self.stderr._out)
            bar.update(done - bar.n)

        try:
            result = cycle.period_close(
                organisation=organisation, month=month, step=step, progress=progress, force_reason=reason
            )
        except errors.BillingError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(f"{organisation.code} {month_label(month)}: {result.get_state_display()}")
