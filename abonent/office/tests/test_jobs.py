"""The office's jobs: the dashboard lists the organisation's running and failed jobs, a job opens on the office's
own page (another organisation's is a 404), and the registry and readings imports run as jobs whose page shows
the result."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.jobs.models import Job
from abonent.office.models import OfficeAction, Role
from abonent.payments.models import Payment, UnmatchedLine
from abonent.payments.tests.test_registry import build, line

from .conftest import make_operator
from .world import world

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_the_organisations_running_and_failed_jobs_only(client):
    w = world()
    other = world()
    Job.objects.create(kind="billing.close", organisation=w["org"], params={"period": w["period"].pk, "step": "publish"},
                       dedupe_key="running", state=Job.State.RUNNING, done=3, total=10)  # fmt: skip
    other["job"].error = "Чужая ошибка"
    other["job"].save()
    client.force_login(make_operator(w["org"], Role.AUDITOR))
    page = client.get("/office/").content.decode()
    assert "Тарифа нет" in page and "3 из 10" in page
    assert "Чужая ошибка" not in page
    assert f'href="/office/jobs/{w["job"].pk}/"' in page


def test_a_jobs_page_and_status_are_the_offices_and_another_organisations_job_is_404(client):
    w = world()
    stranger_job = world()["job"]
    client.force_login(make_operator(w["org"], Role.DISPATCHER))
    page = client.get(f"/office/jobs/{w['job'].pk}/").content.decode()
    assert "Закрытие месяца" in page and "Тарифа нет" in page
    status = client.get(f"/office/jobs/{w['job'].pk}/status/").json()
    assert status["state"] == "failed" and f'data-job-status="/office/jobs/{w["job"].pk}/status/"' in status["html"]
    for url in (f"/office/jobs/{stranger_job.pk}/", f"/office/jobs/{stranger_job.pk}/status/", "/office/jobs/x/"):
        assert client.get(url).status_code == 404


def test_a_failed_close_is_retried_by_the_accountant_and_the_auditor_has_no_button(client,
                                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    w = world()
    client.force_login(make_operator(w["org"], Role.AUDITOR))
    page = client.get(f"/office/jobs/{w['job'].pk}/").content.decode()
    assert "Тарифа нет" in page and "Повторить" not in page
    assert client.post(f"/office/jobs/{w['job'].pk}/retry/").status_code == 403
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    assert f'action="/office/jobs/{w["job"].pk}/retry/"' in client.get("/office/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # runs again; December's close is early on 01.12 itself
        response = client.post(f"/office/jobs/{w['job'].pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/office/jobs/{w['job'].pk}/"
    w["job"].refresh_from_db()
    assert (w["job"].state, w["job"].attempts) == ("failed", 1) and "Рано" in w["job"].error


def test_the_accountant_uploads_a_registry_and_sees_its_result(client, django_capture_on_commit_callbacks):
    w = world()
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    assert "Формат" in client.get("/office/imports/registry/").content.decode()
    data = build([line(w["account"].number, "100.00", "O1"), line("404404", "200.00", "O2")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/office/imports/registry/", {"file": SimpleUploadedFile("r.txt", data), "layout": "sber"}
        )
    assert response.status_code == 302 and response["Location"].startswith("/office/jobs/")
    page = client.get(response["Location"]).content.decode()
    assert "зачислено платежей: 1" in page and "не сопоставлено: 1" in page
    assert Payment.objects.get().amount == D("100.00") and UnmatchedLine.objects.filter(payment=None).count() == 2
    # the unmatched line, from the job's page to the list, credited to the account the accountant names
    assert 'href="/office/imports/unmatched/"' in page
    unmatched = UnmatchedLine.objects.get(amount=D("200.00"))
    listing = client.get("/office/imports/unmatched/").content.decode()
    assert "200,00" in listing and f'action="/office/imports/unmatched/{unmatched.pk}/"' in listing
    refused = client.post(f"/office/imports/unmatched/{unmatched.pk}/", {"account": "нет такого"}, follow=True)
    assert "не найден" in refused.content.decode()
    client.post(f"/office/imports/unmatched/{unmatched.pk}/", {"account": w["account"].number})
    unmatched.refresh_from_db()
    assert unmatched.payment.account == w["account"] and unmatched.payment.amount == D("200.00")
    assert OfficeAction.objects.filter(kind="unmatched_resolved", account=w["account"]).exists()


def test_a_registry_in_the_wrong_encoding_is_refused_on_the_form_and_nothing_runs(client):
    w = world()
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    data = build([line(w["account"].number, "100.00", "E1")], encoding="utf-8")
    response = client.post("/office/imports/registry/", {"file": SimpleUploadedFile("r.txt", data), "layout": "sber"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not Job.objects.filter(kind="payments.registry").exists()


def test_the_dispatcher_imports_readings_and_a_broken_file_is_refused_on_the_jobs_page(client,
                                                                                       django_capture_on_commit_callbacks):  # fmt: skip
    w = world()
    client.force_login(make_operator(w["org"], Role.DISPATCHER))
    data = f"{w['account'].number};{w['meter'].serial_number};не число;01.12.2026\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/office/imports/readings/", {"file": SimpleUploadedFile("p.csv", data)})
    assert response.status_code == 302 and response["Location"].startswith("/office/jobs/")
    page = client.get(response["Location"]).content.decode()
    assert "Ничего не загружено" in page and "строка 1" in page
    assert Job.objects.get(kind="metering.import").organisation == w["org"]


def test_a_report_file_is_downloaded_by_whoever_may_open_the_report_only(client, django_capture_on_commit_callbacks):
    """The debtors list as XLSX (a job): the accountant downloads it from the office's job page; a dispatcher, who
    may not open the debtors, sees the job but gets no link and a 404 for the file; another organisation, 404."""
    w = world()
    client.force_login(make_operator(w["org"], Role.ACCOUNTANT))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/office/debtors/", {"format": "xlsx"})
    job = Job.objects.get(kind="office.export")
    assert response["Location"] == f"/office/jobs/{job.pk}/" and job.state == "finished" and job.result_file
    file_url = f"/office/jobs/{job.pk}/file/"
    assert file_url in client.get(response["Location"]).content.decode()
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"PK")
    client.force_login(make_operator(w["org"], Role.DISPATCHER))
    assert file_url not in client.get(response["Location"]).content.decode()
    assert client.get(file_url).status_code == 404
    client.force_login(make_operator(world()["org"], Role.ACCOUNTANT))
    assert client.get(file_url).status_code == 404
