"""python manage.py run_schedule [--background] — for cron where there is no Celery beat (hourly is fine: every
step is idempotent). What is due runs as the schedule's jobs (in the list of jobs, started by «расписание»): here,
with a progress bar, or with --background queued for the workers."""

from django.core.management.base import BaseCommand, CommandError

from abonent.billing import tasks
from abonent.jobs.foreground import run_here
from abonent.jobs.models import Job


class Command(BaseCommand):
    help = "Выполнить шаги закрытия месяца, которые положены сегодня по местному времени каждой организации."

    def add_arguments(self, parser):
        parser.add_argument("--background", action="store_true", help="поставить в очередь для рабочих процессов")
        parser.add_argument("--no-progress", action="store_true", help="без индикатора хода")

    def handle(self, *args, background, no_progress, **options):
        failed = []
        for job in tasks.schedule_start(send=background):
            if background:
                self.stdout.write(f"{job.organisation.code}: задание №{job.pk} в очереди")
                continue
            ended = run_here(job, self.stderr._out, bar=not no_progress) or Job.objects.get(pk=job.pk)
            for note in ended.result.get("_notes", []):
                self.stdout.write(f"{job.organisation.code} {note}")
            if ended.state == Job.State.FAILED:
                failed.append(f"{job.organisation.code}: {ended.error}")
        if failed:
            raise CommandError("; ".join(failed))
