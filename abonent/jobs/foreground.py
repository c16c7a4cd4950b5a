"""A job run by a management command in its own process, with a tqdm progress bar: recorded like any job (it shows
in the back office's list of jobs), its chunks run one after another here."""

from django.utils import timezone
from tqdm import tqdm

from . import registry, runner
from .models import Job
from .services import start_job


class AlreadyStarted(Exception):
    """The same job is queued or running already (started by an operator or the schedule): the workers run it."""

    def __init__(self, job: Job):
        self.job = job
        super().__init__(
            f"Такое задание уже в очереди или выполняется: №{job.pk} ({job.get_state_display()}); "
            "его ход — в списке фоновых заданий."
        )


def start_here(**start) -> Job:
    """A new job for this process to run (start_job's arguments); AlreadyStarted if the same one exists already,
    which is not run here too (its task is with the workers)."""
    before = timezone.now()
    job = start_job(**start, send=False)
    if job.created_at < before:
        raise AlreadyStarted(job)
    return job


def run_here(job: Job, stream, *, bar: bool = True) -> Job | None:
    """Run the queued `job` here; the job as it ended (None: already done or run by another process). Its error,
    if any, is recorded on it in Russian, as a worker would."""
    with tqdm(total=None, desc=registry.label(job.kind), unit="шт.", file=stream, disable=not bar) as shown:

        def listener(done=None, total=None, added=0):
            if total:
                shown.total = total
            if done is not None:
                shown.n = done
            shown.update(added)

        try:
            return runner.job_run(job.pk, inline=True, listener=listener)
        except Exception:  # recorded on the job with its Russian text
            return Job.objects.get(pk=job.pk)
