"""In a real browser: the job's page follows the job by itself (jobs/progress.js) — queued, then running with
its figures, then finished with its counts — without the operator reloading it."""

import pytest

from abonent.jobs import registry, runner
from abonent.jobs.models import Job
from abonent.jobs.services import start_job
from abonent.testing import factories as f


def _half(job, progress):
    return {"sent": 2}


registry.register(registry.Kind(name="tests.e2e", label="Проверка в браузере", run=_half))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_job_page_updates_itself(live_server, page):
    operator = f.OperatorFactory(username="operator", password="operator-2026")
    job = start_job(kind="tests.e2e", organisation=operator.organisation, actor=operator, send=False)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/jobs/{job.pk}/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "operator-2026")
    page.click("input[type=submit]")
    page.get_by_text("В очереди").wait_for()
    page.evaluate("window.sameDocument = true")  # gone if the page were reloaded
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, done=3, total=4, phase="проверка")
    page.get_by_text("3 из 4 (75%)").wait_for(timeout=10_000)
    assert page.locator("progress").get_attribute("value") == "3"
    assert page.get_by_text("Этап: проверка").is_visible()
    runner.job_run(job.pk)
    page.get_by_text("отправлено: 2").wait_for(timeout=10_000)
    assert page.get_by_text("Завершено").is_visible()
    assert page.evaluate("window.sameDocument === true")  # updated in place, never reloaded
