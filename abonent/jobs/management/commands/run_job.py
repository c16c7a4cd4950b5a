"""python manage.py run_job KIND [--org CODE] [--param name=value ...] [--background]

Runs a background job in the foreground with a progress bar (its chunks one after another in this process), or
with --background queues it for the workers and prints its number. The job is recorded either way and shows in
the back office's list of jobs."""

import json

from django.core.management.base import BaseCommand, CommandError

from abonent.jobs import registry
from abonent.jobs.foreground import run_here
from abonent.jobs.models import Job
from abonent.jobs.services import start_job
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Выполнить фоновое задание здесь же (с индикатором хода) или поставить его в очередь (--background)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="вид задания: " + ", ".join(registry.names()))
        parser.add_argument("--org", help="код организации")
        parser.add_argument("--param", action="append", default=[], help="параметр имя=значение (значение — JSON)")
        parser.add_argument("--background", action="store_true", help="поставить в очередь для рабочих процессов")

    def handle(self, *args, kind, org, param, background, **options):
        try:
            registry.get(kind)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        organisation = None
        if org:
            organisation = Organisation.objects.filter(code=org).first()
            if organisation is None:
                raise CommandError(f"Организация {org} не найдена.")
        job = start_job(kind=kind, organisation=organisation, params=_params(param), send=background)
        if background:
            self.stdout.write(f"Задание №{job.pk} в очереди ({job.get_state_display()}).")
            return
        job = run_here(job, self.stderr._out)
        if job is None or job.state != Job.State.FINISHED:
            raise CommandError(job.error if job else "Задание уже выполнено или выполняется другим процессом.")
        self.stdout.write(
            f"Задание №{job.pk}: {job.get_state_display()}; итоги: {json.dumps(job.result, ensure_ascii=False)}"
        )


def _params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise CommandError(f"Параметр «{pair}»: нужно имя=значение.")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    return params
