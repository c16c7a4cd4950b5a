"""The register from a billing (houses, premises, accounts, meters): a file in each format and encoding loads the
rows with the file's figures, loading it again changes nothing, a changed figure updates its row only; bad files
are refused whole with line numbers and nothing changed; another organisation's rows are never touched; the
command, the office's job and the HTTP endpoint all load it."""

import datetime as dt
import io
import uuid
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from abonent.exchange import dbf_write, tokens
from abonent.exchange.errors import ExchangeRefused
from abonent.exchange.models import BillingMapping, ExchangeFile
from abonent.exchange.register_import import billing_register_import
from abonent.exchange.register_layouts import ABONENT, DBF_LATIN
from abonent.housing.models import Building, PersonalAccount, Premises
from abonent.jobs import runner
from abonent.jobs.models import Job
from abonent.metering.models import Meter, Resource
from abonent.office.models import OfficeRole, Role
from abonent.orgs.models import Organisation
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
GUID = "0c5b2444-70a0-4932-980c-b4dc0d3f02b5"
HEADERS = ["address", "fias", "house_area", "common_area", "premises", "total_area", "living_area", "residents",
           "account", "payer", "opened", "closed", "service", "serial", "installed", "verification_due", "initial"]  # fmt: skip
ROWS = [
    ["г. Тула, ул. Садовая, д. 5", GUID, "3200.50", "410.20", "12", "54.30", "38.10", "3", "200001",
     "Ёлкина Мария Петровна", "01.02.2020", "", "cold", "ХВ-778812", "01.02.2020", "01.02.2026", "12.345"],
    ["г. Тула, ул. Садовая, д. 5", GUID, "3200.50", "410.20", "12", "54.30", "38.10", "3", "200001",
     "Ёлкина Мария Петровна", "01.02.2020", "", "Горячая вода", "ГВ-1", "15.03.2021", "15.03.2027", ""],
    ["пос. Южный, ул. Луговая, д. 1", "", "", "", "", "120.00", "", "", "200002", "Щукин Олег",
     "10.05.2019", "31.08.2026", "", "", "", "", ""],
]  # fmt: skip


@pytest.fixture
def org():
    org = f.OrganisationFactory(billing_mode=Organisation.BillingMode.EXTERNAL)
    f.ServiceFactory(organisation=org, code="cold", name="Холодное водоснабжение", resource=Resource.COLD_WATER)
    return org


def register_file(fmt="csv", encoding="utf-8", rows=None, headers=None):
    rows = ROWS if rows is None else rows
    if fmt == "dbf":
        columns = [dbf_write.Column(DBF_LATIN.columns[h], "C", 60, 0) for h in HEADERS]
        return dbf_write.write(columns, rows, encoding=encoding)
    names = headers or [ABONENT.columns[h] for h in HEADERS]
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        for row in [names, *rows]:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    return "".join(";".join(r) + "\r\n" for r in [names, *rows]).encode(encoding)


def load(org, data, name="register.csv"):
    if data.startswith(b"\x03"):
        name = "register.dbf"
    return billing_register_import(organisation=org, data=data, file_name=name)


def snapshot(org):
    return [
        list(Building.objects.filter(organisation=org).values()),
        list(Premises.objects.filter(building__organisation=org).values()),
        list(PersonalAccount.objects.filter(organisation=org).values()),
        list(Meter.objects.filter(premises__building__organisation=org).values()),
    ]


def assert_loaded(org):
    house = Building.objects.get(organisation=org, fias_guid=uuid.UUID(GUID))
    assert (house.address, house.total_area, house.common_area) == (
        "г. Тула, ул. Садовая, д. 5",
        D("3200.50"),
        D("410.20"),
    )
    flat = Premises.objects.get(building=house, number="12")
    assert (flat.total_area, flat.living_area, flat.residents) == (D("54.30"), D("38.10"), 3)
    account = PersonalAccount.objects.get(organisation=org, number="200001")
    assert account.premises == flat and account.payer_name == "Ёлкина Мария Петровна"
    assert (account.opened_on, account.closed_on) == (dt.date(2020, 2, 1), None)
    cold, hot = Meter.objects.filter(premises=flat).order_by("serial_number")
    assert (cold.resource, cold.serial_number, cold.initial_value) == (Resource.HOT_WATER, "ГВ-1", D("0"))
    assert (hot.resource, hot.serial_number, hot.initial_value) == (Resource.COLD_WATER, "ХВ-778812", D("12.345"))
    assert (hot.installed_on, hot.verification_due) == (dt.date(2020, 2, 1), dt.date(2026, 2, 1))
    house_two = PersonalAccount.objects.get(organisation=org, number="200002")
    assert house_two.premises.number == "" and house_two.premises.total_area == D("120.00")
    assert house_two.premises.residents == 1 and house_two.closed_on == dt.date(2026, 8, 31)
    assert house_two.premises.building.fias_guid is None


@pytest.mark.parametrize(
    ("fmt", "encoding", "preset"),
    [("csv", "utf-8", "abonent"), ("csv", "cp1251", "abonent"), ("csv", "cp866", "abonent"),
     ("xlsx", "utf-8", "abonent"), ("dbf", "cp866", "dbf-latin"), ("dbf", "cp1251", "dbf-latin")],
)  # fmt: skip
def test_round_trip_in_each_format_and_encoding(org, fmt, encoding, preset):
    BillingMapping.objects.create(organisation=org, register_preset=preset)
    data = register_file(fmt, encoding)
    result = load(org, data, f"register.{fmt}")
    assert result.counts == {"lines": 3, "houses_created": 2, "houses_updated": 0, "premises_created": 2,
                             "premises_updated": 0, "accounts_created": 2, "accounts_updated": 0,
                             "meters_created": 2, "meters_updated": 0}  # fmt: skip
    assert_loaded(org)
    stored = ExchangeFile.objects.get(kind="register")
    assert stored.status == "accepted" and bytes(stored.content) == data and stored.accounts == 2
    assert stored.encoding == (encoding if fmt != "xlsx" else "xlsx")
    again = load(org, data, f"register.{fmt}")  # the same file: nothing new, nothing changed
    assert sum(v for k, v in again.counts.items() if k != "lines") == 0


def test_changed_figures_update_their_rows_only(org):
    load(org, register_file())
    before = Building.objects.get(organisation=org, address__startswith="пос.").pk
    rows = [list(r) for r in ROWS]
    rows[0][0] = rows[1][0] = "г. Тула, ул. Садовая, 5"  # the house renamed: found by its GUID
    rows[0][9] = rows[1][9] = "Ёлкина-Смирнова Мария Петровна"
    rows[2][16] = ""
    result = load(org, register_file(rows=rows))
    assert result.counts["houses_updated"] == 1 and result.counts["houses_created"] == 0
    assert result.counts["accounts_updated"] == 1 and result.counts["premises_updated"] == 0
    assert Building.objects.get(fias_guid=uuid.UUID(GUID)).address == "г. Тула, ул. Садовая, 5"
    assert PersonalAccount.objects.get(number="200001").payer_name == "Ёлкина-Смирнова Мария Петровна"
    assert Building.objects.filter(organisation=org).count() == 2
    assert Building.objects.get(organisation=org, address__startswith="пос.").pk == before


def _bad(rows=None, headers=None):
    return register_file(rows=rows, headers=headers)


def _row(**changes):
    row = list(ROWS[2])
    for name, value in changes.items():
        row[HEADERS.index(name)] = value
    return row


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_bad(headers=[ABONENT.columns[h] for h in HEADERS[:9]] + ["ФИО", *(ABONENT.columns[h] for h in HEADERS[10:])]),
         "нет колонки «Плательщик» (плательщик) в первой строке файла"),
        (_bad(rows=[ROWS[2], ROWS[2]]), "строка 3: счёт 200002 повторяет строку 2"),
        (_bad(rows=[ROWS[0], _row(opened="31.02.2020")]), "строка 3: «дата открытия счёта» — не дата ДД.ММ.ГГГГ: «31.02.2020»"),
        (_bad(rows=[_row(service="Газ сжиженный", serial="1", installed="01.01.2020", verification_due="01.01.2030")]),
         "строка 2: услуга прибора учёта «Газ сжиженный» не найдена среди услуг организации с ресурсом"),
        (_bad(rows=[_row(account="12-34")]), "строка 2: лицевой счёт «12-34» — не от 6 до 30 цифр"),
        (_bad(rows=[_row(total_area="сто")]), "строка 2: «общая площадь помещения» — не число"),
        (_bad(rows=[ROWS[0], [*ROWS[1][:9], "Другой", *ROWS[1][10:]]]), "строка 3: счёт 200001 — не те данные, что в строке 2"),
        (register_file("dbf", "cp866")[:-40], "файл DBF обрезан"),
        (_bad(rows=[ROWS[0], _row(fias=GUID)]), f"строка 3: ФИАС/ГАР GUID {GUID} у другого адреса — не те данные"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_whole_and_change_nothing(org, data, expected):
    load(org, register_file(rows=[ROWS[2]]))
    before = snapshot(org)
    with pytest.raises(ExchangeRefused) as refused:
        load(org, data)
    assert any(expected in e for e in refused.value.errors), refused.value.errors
    assert snapshot(org) == before
    refusal = ExchangeFile.objects.filter(kind="register").first()
    assert refusal.status == "refused" and expected in refusal.errors


def test_an_encoding_other_than_the_mapping_says_is_refused(org):
    BillingMapping.objects.create(organisation=org, encoding="cp866")
    with pytest.raises(ExchangeRefused, match="в кодировке Windows-1251|cp1251"):
        load(org, register_file(encoding="cp1251"))
    assert not PersonalAccount.objects.filter(organisation=org).exists()


def test_own_billing_organisation_is_refused(org):
    org.billing_mode = Organisation.BillingMode.OWN
    org.save()
    with pytest.raises(ExchangeRefused, match="собственный расчёт"):
        load(org, register_file())
    assert not Building.objects.filter(organisation=org).exists()


def test_another_organisations_rows_are_never_touched(org):
    other = f.OrganisationFactory(billing_mode=Organisation.BillingMode.EXTERNAL)
    house = f.BuildingFactory(organisation=other, address=ROWS[0][0], fias_guid=uuid.UUID(GUID))
    theirs = f.PersonalAccountFactory(premises=f.PremisesFactory(building=house, number="12"), number="200001")
    meter = f.MeterFactory(premises=theirs.premises, serial_number="ХВ-778812")
    before = snapshot(other)
    load(org, register_file())
    assert snapshot(other) == before
    assert_loaded(org)
    assert Meter.objects.get(pk=meter.pk).premises == theirs.premises


def test_command_office_job_and_http_endpoint(org, client, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register_file(rows=[ROWS[2]]))
    out = io.StringIO()
    call_command("import_billing_register", str(path), "--org", org.code, stdout=out, stderr=io.StringIO())
    assert "счетов: новых 1" in out.getvalue()
    with pytest.raises(CommandError, match="строка 2"):
        path.write_bytes(register_file(rows=[_row(opened="")]))
        call_command("import_billing_register", str(path), "--org", org.code, stdout=out, stderr=io.StringIO())

    operator = f.OperatorFactory(organisation=org)
    OfficeRole.objects.create(user=operator, role=Role.ACCOUNTANT)
    client.force_login(operator)
    upload = SimpleUploadedFile("register.xlsx", register_file("xlsx"))
    answer = client.post(reverse("office:register_import"), {"file": upload})
    job = Job.objects.get(kind="exchange.register")
    assert answer.status_code == 302 and answer.url == reverse("office:job", args=[job.pk])
    job = runner.job_run(job.pk, inline=True)
    assert job.state == Job.State.FINISHED and job.result["accounts_created"] == 1, job.error
    assert job.result["accounts_updated"] == 0 and job.done == job.total == 12
    assert ExchangeFile.objects.get(pk=job.result["file"]).created_by == operator
    assert_loaded(org)

    token = tokens.token_issue(org, "биллинг")
    url = reverse("exchange:billing_register")
    ok = client.post(url, {"file": SimpleUploadedFile("r.csv", register_file())}, HTTP_AUTHORIZATION=f"Token {token}")
    assert ok.status_code == 200 and ok.json()["meters_created"] == 0 and ok.json()["lines"] == 3
    bad = client.post(url, {"file": SimpleUploadedFile("r.csv", _bad(rows=[ROWS[2], ROWS[2]]))},
                      HTTP_AUTHORIZATION=f"Token {token}")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["errors"] == ["строка 3: счёт 200002 повторяет строку 2"]
    assert (
        client.post(url, {"file": SimpleUploadedFile("r.csv", b"x")}, HTTP_AUTHORIZATION="Token no").status_code == 401
    )
