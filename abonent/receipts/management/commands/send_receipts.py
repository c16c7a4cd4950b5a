"""python manage.py send_receipts --org CODE --period YYYY-MM — the period's receipts mailing as a job (in the
list of jobs), run here with a progress bar; a rerun sends nothing twice."""

from django.core.management.base import BaseCommand, CommandError

from abonent.jobs.foreground import AlreadyStarted, run_here, start_here
from abonent.jobs.models import Job
from abonent.receipts import tasks

from ._common import period_of


class Command(BaseCommand):
    help = "Разослать квитанции периода подписанным абонентам (повторный запуск не шлёт повторно)"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--period", required=True, help="ГГГГ-ММ")

    def handle(self, *args, org, period, **options):
        found = period_of(org, period)
        try:
            job = start_here(kind=tasks.MAIL, organisation=found.organisation_id, params={"period": found.pk})
        except AlreadyStarted as exc:
            raise CommandError(str(exc)) from exc
        job = run_here(job, self.stderr._out) or Job.objects.get(pk=job.pk)
        if job.state != Job.State.FINISHED:
            raise CommandError(job.error)
        counts = {"sent": 0, "skipped": 0, "failed": 0, **job.result}
        self.stdout.write(f"отправлено {counts['sent']}, пропущено {counts['skipped']}, ошибок {counts['failed']}")
