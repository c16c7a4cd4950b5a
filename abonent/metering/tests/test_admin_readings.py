"""The operators' readings registry: scoping, rejection, export, entry by phone, file import, silent accounts."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from abonent.billing.models import Service
from abonent.housing.models import Building
from abonent.metering.models import Reading
from abonent.testing.downloads import job_download
from abonent.testing.factories import MeterFactory, OperatorFactory, PersonalAccountFactory, ServiceFactory

from .conftest import UTC, add_reading

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def in_window():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def operator(client, org):
    operator = OperatorFactory(organisation=org)
    client.force_login(operator)
    return operator


@pytest.fixture
def foreign_reading():
    return add_reading(MeterFactory(), NOV, "7", status=Reading.Status.PENDING)


def changelist():
    return reverse("admin:metering_reading_changelist")


def test_changelist_shows_only_the_organisations_readings(client, operator, account, meter, foreign_reading):
    mine = add_reading(meter, NOV, "12", status=Reading.Status.PENDING)
    response = client.get(changelist())
    assert response.status_code == 200
    ids = [r.pk for r in response.context["cl"].result_list]
    assert ids == [mine.pk]
    assert account.number in response.content.decode()
    url = reverse("admin:metering_reading_change", args=[foreign_reading.pk])
    assert client.get(url).status_code == 404


def test_filters_by_status_channel_period(client, operator, meter):
    add_reading(meter, OCT, "10")
    pending = add_reading(meter, NOV, "12", status=Reading.Status.PENDING)
    response = client.get(changelist(), {"status": "pending", "channel": "portal", "period": "2026-11"})
    assert [r.pk for r in response.context["cl"].result_list] == [pending.pk]


def test_filters_by_service_after_the_house_offering_only_the_organisations_services(client, operator, org, premises):
    ServiceFactory(organisation=org, name="Горячая вода", method=Service.Method.METER, resource="hot_water")
    ServiceFactory(name="Чужая вода", method=Service.Method.METER, resource="cold_water")  # another organisation
    cold = add_reading(MeterFactory(premises=premises, resource="cold_water"), NOV, "12")
    hot = add_reading(MeterFactory(premises=premises, resource="hot_water"), NOV, "3")
    response = client.get(changelist(), {"service": "hot_water"})
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert filters[filters.index("дом") + 1] == "услуга"
    service_filter = next(spec for spec in response.context["cl"].filter_specs if spec.title == "услуга")
    assert service_filter.lookup_choices == [("hot_water", "Горячая вода")]
    assert [r.pk for r in response.context["cl"].result_list] == [hot.pk]
    assert cold.pk not in [r.pk for r in response.context["cl"].result_list]


def test_reject_with_reason_asks_for_it_then_rejects(client, operator, meter, foreign_reading):
    reading = add_reading(meter, NOV, "12", status=Reading.Status.PENDING)
    data = {"action": "reject_selected", "_selected_action": [reading.pk, foreign_reading.pk]}
    response = client.post(changelist(), data)
    assert "Причина отклонения" in response.content.decode()
    response = client.post(changelist(), {**data, "apply": "1", "reason": ""})
    reading.refresh_from_db()
    assert reading.status == Reading.Status.PENDING
    client.post(changelist(), {**data, "apply": "1", "reason": "Не совпадает с фото"})
    reading.refresh_from_db()
    foreign_reading.refresh_from_db()
    assert reading.status == Reading.Status.REJECTED and reading.reject_reason == "Не совпадает с фото"
    assert reading.rejected_by == operator
    assert foreign_reading.status == Reading.Status.PENDING  # another organisation's: untouched


def test_export_csv_and_xlsx(client, operator, account, meter, foreign_reading, django_capture_on_commit_callbacks):
    add_reading(meter, NOV, "12.5", status=Reading.Status.PENDING)
    ids = list(Reading.objects.values_list("pk", flat=True))
    capture = django_capture_on_commit_callbacks
    data = job_download(client, capture, "post", changelist(), {"action": "export_csv", "_selected_action": ids})
    text = data.decode("utf-8-sig")
    assert account.number in text and meter.serial_number in text and "12,5" in text
    assert foreign_reading.meter.serial_number not in text  # ticked, but another organisation's
    data = job_download(client, capture, "post", changelist(), {"action": "export_xlsx", "_selected_action": ids})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Лицевой счёт" and len(rows) == 2 and rows[1][0] == account.number


def test_enter_a_reading_for_a_subscriber_who_phoned(client, operator, account, meter):
    url = reverse("admin:metering_reading_enter")
    data = {"account_number": account.number, "serial_number": meter.serial_number, "value": "15,25"}
    response = client.post(url, {**data, "value": "15,2x"})
    assert "только цифры" in response.content.decode() and Reading.objects.count() == 0
    response = client.post(url, data)
    assert response.status_code == 302
    reading = Reading.objects.get()
    assert reading.channel == Reading.Channel.OPERATOR and reading.submitted_by == operator
    assert reading.value == Decimal("15.25")


def test_enter_refuses_another_organisations_meter(client, operator):
    other = PersonalAccountFactory()
    meter = MeterFactory(premises=other.premises)
    url = reverse("admin:metering_reading_enter")
    response = client.post(url, {"account_number": other.number, "serial_number": meter.serial_number, "value": "1"})
    assert "не найден" in response.content.decode() and Reading.objects.count() == 0


def csv_file(*lines):
    content = "Лицевой счёт;Счётчик;Показание;Дата\n" + "\n".join(lines)
    return SimpleUploadedFile("readings.csv", content.encode("cp1251"), content_type="text/csv")


def _upload(client, upload, capture):
    """Post the file; the request only queues the job, which runs once the request's transaction commits."""
    with capture(execute=True):
        response = client.post(reverse("admin:metering_reading_import"), {"file": upload})
    assert response.status_code == 302 and response["Location"].startswith("/admin/jobs/")
    return client.get(response["Location"])


def test_import_with_a_broken_line_imports_nothing(
    client, operator, account, meter, django_capture_on_commit_callbacks
):
    upload = csv_file(
        f"{account.number};{meter.serial_number};12,5;20.11.2026",
        f"{account.number};{meter.serial_number};12,5;32.11.2026",
    )
    text = _upload(client, upload, django_capture_on_commit_callbacks).content.decode()
    assert "Ничего не загружено" in text and "Неверная дата" in text
    assert Reading.objects.count() == 0


def test_import_xlsx(client, operator, account, meter, django_capture_on_commit_callbacks):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ЛС", "Счётчик", "Показание", "Дата"])
    sheet.append([int(account.number), meter.serial_number, 12.5, dt.datetime(2026, 11, 20)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("r.xlsx", buffer.getvalue())
    page = _upload(client, upload, django_capture_on_commit_callbacks).content.decode()
    assert Reading.objects.get().value == Decimal("12.5")
    assert "Завершено" in page and "загружено показаний: 1" in page


def test_import_refuses_a_file_that_is_not_a_table(client, operator, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("r.pdf", b"%PDF-1.4")
    page = _upload(client, upload, django_capture_on_commit_callbacks).content.decode()
    assert "CSV или XLSX" in page and Reading.objects.count() == 0


def test_silent_accounts(client, operator, account, meter, premises, org):
    quiet = PersonalAccountFactory(premises=MeterFactory(premises__building=premises.building).premises)
    add_reading(meter, NOV, "5", status=Reading.Status.PENDING)
    response = client.get(reverse("admin:metering_reading_silent"))
    text = response.content.decode()
    assert quiet.number in text and account.number not in text


def test_import_command(tmp_path, org, account, meter):
    good = tmp_path / "good.csv"
    good.write_text(f"{account.number};{meter.serial_number};7;21.11.2026\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_readings", str(good), "--org", org.code, stdout=out)
    assert "Загружено показаний: 1" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{account.number};{meter.serial_number};8;21.11.2026\n{account.number};x;8;21.11.2026\n")
    with pytest.raises(CommandError, match="Ничего не загружено"):
        call_command("import_readings", str(bad), "--org", org.code, stdout=out, stderr=io.StringIO())
    assert Reading.objects.count() == 1


def test_house_filter_is_not_offered_past_200_houses(client, operator, org):
    # The housing admin's one house filter: a city's thousands of houses would make the sidebar a phone book.
    Building.objects.bulk_create(Building(organisation=org, address=f"ул. Длинная, д. {i}") for i in range(201))
    response = client.get(changelist())
    assert "дом" not in [spec.title for spec in response.context["cl"].filter_specs]
