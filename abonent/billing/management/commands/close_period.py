"""python manage.py close_period --org <code> --period YYYY-MM [--step close_readings|calculate|publish|all]
[--reason "…"] (a step before its day runs only with a reason, kept on its run record). The step runs as the
close's job (in the list of jobs, like one started in the back office), here with a progress bar."""

from django.core.management.base import BaseCommand, CommandError

from abonent.billing import cycle, tasks
from abonent.billing.models import BillingPeriod
from abonent.jobs.foreground import AlreadyStarted, run_here
from abonent.jobs.models import Job
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
        found, _ = BillingPeriod.objects.get_or_create(organisation=organisation, month=month)
        try:
            job = tasks.close_start(period=found, step=step, reason=reason, here=True)
        except AlreadyStarted as exc:
            raise CommandError(str(exc)) from exc
        job = run_here(job, self.stderr._out, bar=not no_progress) or Job.objects.get(pk=job.pk)
        if job.state != Job.State.FINISHED:
            raise CommandError(job.error)
        found.refresh_from_db()
        self.stdout.write(f"{organisation.code} {month_label(month)}: {found.get_state_display()}")
