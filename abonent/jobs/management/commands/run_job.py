"""python manage.py run_job KIND [--org CODE] [--param name=value ...] [--file PATH] [--user LOGIN] [--background]

Runs a background job in the foreground with a progress bar (its chunks one after another in this process), or
with --background queues it for the workers and prints its number. The job is recorded either way and shows in
the back office's list of jobs. Every kind runs so: --file for the kinds that read an uploaded file (a registry,
a readings file, a billing month, a bank statement), --user for those that act as an operator (an admin list's
export is the list that operator sees)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abonent.jobs import registry
from abonent.jobs.foreground import AlreadyStarted, run_here, start_here
from abonent.jobs.models import Job
from abonent.jobs.services import start_job
from abonent.orgs.models import Organisation


class Command(BaseCommand):
    help = "Выполнить фоновое задание здесь же (с индикатором хода) или поставить его в очередь (--background)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="вид задания: " + ", ".join(registry.names()))
        parser.add_argument("--org", help="код организации")
        parser.add_argument("--param", action="append", default=[], help="параметр имя=значение (значение — JSON)")
        parser.add_argument("--file", help="файл, который задание читает (реестр, показания, месяц, выписка)")
        parser.add_argument("--user", help="от имени какого сотрудника (логин)")
        parser.add_argument("--background", action="store_true", help="поставить в очередь для рабочих процессов")

    def handle(self, *args, kind, org, param, background, file=None, user=None, **options):
        try:
            registry.get(kind)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        organisation = None
        if org:
            organisation = Organisation.objects.filter(code=org).first()
            if organisation is None:
                raise CommandError(f"Организация {org} не найдена.")
        start = {"kind": kind, "organisation": organisation, "params": _params(param), "actor": _user(user)}
        start.update(_upload(file))
        if background:
            job = start_job(**start)
            self.stdout.write(f"Задание №{job.pk} в очереди ({job.get_state_display()}).")
            return
        try:
            job = run_here(start_here(**start), self.stderr._out)
        except AlreadyStarted as exc:
            raise CommandError(str(exc)) from exc
        if job is None or job.state != Job.State.FINISHED:
            raise CommandError(job.error if job else "Задание уже выполнено или выполняется другим процессом.")
        self.stdout.write(
            f"Задание №{job.pk}: {job.get_state_display()}; итоги: {json.dumps(job.result, ensure_ascii=False)}"
        )
        if job.result_file:
            self.stdout.write(f"Файл: {job.result_file.path}")


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


def _user(login: str | None):
    if not login:
        return None
    from django.contrib.auth import get_user_model  # noqa: PLC0415  (jobs knows no users' app)

    found = get_user_model().objects.filter(username=login).first()
    if found is None:
        raise CommandError(f"Сотрудник {login} не найден.")
    return found


def _upload(path: str | None) -> dict:
    if not path:
        return {}
    try:
        return {"upload": Path(path).read_bytes(), "upload_name": Path(path).name}
    except OSError as exc:
        raise CommandError(f"Файл {path} не прочитан: {exc.strerror}") from exc
