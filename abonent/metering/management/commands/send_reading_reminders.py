"""python manage.py send_reading_reminders [--org CODE]: run daily (or hourly); each reminder goes out once. The
reminders job (in the list of jobs) run here with a progress bar."""

from django.core.management.base import BaseCommand, CommandError

from abonent.jobs.foreground import AlreadyStarted, run_here, start_here
from abonent.jobs.models import Job
from abonent.metering import tasks
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Напоминания о передаче показаний: при открытии приёма и за два дня до его окончания."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="код организации (по умолчанию — все)")

    def handle(self, *args, org=None, **options):
        organisation = None
        if org:
            organisation = Organisation.objects.filter(code=org).first()
            if organisation is None:
                raise CommandError(f"Организация {org} не найдена.")
        try:
            job = start_here(kind=tasks.REMINDERS, organisation=organisation)
        except AlreadyStarted as exc:
            raise CommandError(str(exc)) from exc
        job = run_here(job, self.stderr._out) or Job.objects.get(pk=job.pk)
        if job.state != Job.State.FINISHED:
            raise CommandError(job.error)
        self.stdout.write(f"Всего отправлено: {job.result.get('sent', 0)}.")
