"""Jobs: one job for two operators, progress and results on the job's page, a failure in Russian and its retry,
fanned-out chunks done once, and nobody sees another organisation's job."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.urls import reverse

from abonent.jobs import registry, runner
from abonent.jobs.models import Job, JobChunk
from abonent.jobs.services import JobError, job_retry, start_job
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
CALLS: list = []


def _counting(job, progress):
    progress.phase("счёт", total=3)
    for n in range(1, 4):
        progress(n)
    return {"sent": 3}


def _flaky(job, progress):
    if job.attempts == 1:  # the first run fails, the retry works
        raise ZeroDivisionError("division by zero")
    return {"sent": 1}


def _plan(job):
    return [{"size": 2, "n": n} for n in range(3)]


def _chunk(job, params, progress):
    CALLS.append(params["n"])
    progress.add(params["size"])
    return {"sent": params["size"]}


registry.register(registry.Kind(name="tests.counting", label="Проверка: счёт", run=_counting))
registry.register(registry.Kind(name="tests.flaky", label="Проверка: сбой", run=_flaky))
registry.register(registry.Kind(name="tests.fan", label="Проверка: части", plan=_plan, chunk=_chunk))


@pytest.fixture
def org():
    return f.OrganisationFactory()


@pytest.fixture
def operator(client, org):
    user = f.OperatorFactory(organisation=org, is_superuser=True)
    user.is_superuser = False
    user.save()
    client.force_login(user)
    return user


def test_two_operators_starting_the_same_job_get_one(org):
    first = start_job(kind="tests.counting", organisation=org, params={"x": 1}, actor=f.OperatorFactory())
    second = start_job(kind="tests.counting", organisation=org, params={"x": 1}, actor=f.OperatorFactory())
    other = start_job(kind="tests.counting", organisation=org, params={"x": 2})
    assert first.pk == second.pk != other.pk
    runner.job_run(first.pk)
    again = start_job(kind="tests.counting", organisation=org, params={"x": 1})
    assert again.pk != first.pk and again.state == Job.State.QUEUED  # once ended, it may run again


def test_start_returns_at_once_and_the_job_runs_on_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as sent:
        job = start_job(kind="tests.counting", organisation=org)
    assert job.state == Job.State.QUEUED and len(sent) == 1  # nothing ran: the task is sent on commit
    sent[0]()
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.result, job.attempts) == (Job.State.FINISHED, 3, 3, {"sent": 3}, 1)


def test_a_failed_job_shows_the_error_in_russian_and_is_retried(client, operator, org):
    job = start_job(kind="tests.flaky", organisation=org, actor=operator)
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "внутренней ошибки" in job.error
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Ошибка" in page and "внутренней ошибки" in page and "Повторить" in page
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.error == ""
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result) == (Job.State.FINISHED, 2, {"sent": 1})
    with pytest.raises(JobError):
        job_retry(job=job)


def test_the_page_updates_itself_and_works_without_javascript(client, operator, org):
    job = start_job(kind="tests.counting", organisation=org, actor=operator)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'src="/static/jobs/progress.js"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page  # refreshes itself while queued
    assert "В очереди" in page and "ожидает начала" in page
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "queued" and 'data-job-active="1"' in status["html"]
    runner.job_run(job.pk)
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "finished" and 'data-job-active="0"' in status["html"]
    assert "отправлено: 3" in status["html"]
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "refresh" not in page
    listing = client.get(reverse("jobs:list")).content.decode()
    assert "Проверка: счёт" in listing and "Завершено" in listing


def test_another_organisations_job_is_not_found(client, operator):
    theirs = start_job(kind="tests.counting", organisation=f.OrganisationFactory())
    for name in ("detail", "status", "file"):
        assert client.get(reverse(f"jobs:{name}", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("jobs:retry", args=[theirs.pk])).status_code == 404
    assert "Заданий пока нет" in client.get(reverse("jobs:list")).content.decode()
    client.force_login(f.UserFactory())  # a subscriber: the back office's login page
    assert client.get(reverse("jobs:list")).status_code == 302


def test_fanned_out_chunks_run_once_and_a_retry_runs_only_what_is_left(org):
    CALLS.clear()
    job = start_job(kind="tests.fan", organisation=org)
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.chunks_total, job.chunks_done, job.total, job.result) == (
        Job.State.FINISHED,
        3,
        3,
        6,
        {"sent": 6},
    )
    assert sorted(CALLS) == [0, 1, 2]
    runner.chunk_run(job.pk, 1)  # a late second delivery of a chunk: nothing happens
    assert sorted(CALLS) == [0, 1, 2]
    # a job cut short: one chunk not done, the job failed; the retry runs that chunk only
    JobChunk.objects.filter(job=job, number=2).update(done=False)
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, chunks_done=2)
    job.refresh_from_db()
    job_retry(job=job)
    runner.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FINISHED and sorted(CALLS) == [0, 1, 2, 2]


def test_a_command_runs_a_job_in_the_foreground_with_a_progress_bar(org):
    out, err = io.StringIO(), io.StringIO()
    call_command("run_job", "tests.fan", "--org", org.code, stdout=out, stderr=err)
    job = Job.objects.get()
    assert job.state == Job.State.FINISHED and job.result == {"sent": 6}
    assert f"Задание №{job.pk}: Завершено" in out.getvalue()
    assert "Проверка: части" in err.getvalue() and "6/6" in err.getvalue()  # tqdm's bar
    call_command("run_job", "tests.counting", "--background", stdout=out)
    assert Job.objects.filter(kind="tests.counting", state=Job.State.QUEUED).exists()
    with pytest.raises(CommandError, match="Неизвестный вид задания"):
        call_command("run_job", "tests.nothing", stdout=out)


def test_the_progress_box_is_a_template_tag_for_other_pages(org, rf):
    job = start_job(kind="tests.counting", organisation=org)
    html = Template("{% load jobs %}{% job_progress job %}").render(Context({"job": job}))
    assert f'data-job-status="/admin/jobs/{job.pk}/status/"' in html and "В очереди" in html
