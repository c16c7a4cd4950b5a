"""The turnover sheet equals the ledger for every account and month of the demo, on screen and in its XLSX."""

import io
from collections import defaultdict
from decimal import Decimal

import openpyxl
from django.db.models import Sum

from abonent.billing.models import BillingPeriod, LedgerEntry
from abonent.lib.numbers import ru_decimal
from abonent.office import reports, turnover
from abonent.office.models import Role
from abonent.testing.downloads import job_download

from .conftest import make_operator

ZERO = Decimal("0.00")
SIGN = {"charge": 1, "recalculation": 1, "penalty": 1, "payment": -1}


def ledger_by_account_and_month(organisation):
    """From the ledger's entries alone: per (account, month) the turnovers, and the running balance."""
    moves = defaultdict(lambda: defaultdict(lambda: ZERO))
    rows = (
        LedgerEntry.objects.filter(period__organisation=organisation)
        .values("account_id", "period__month", "kind")
        .annotate(total=Sum("amount"))
    )
    for r in rows:
        moves[(r["account_id"], r["period__month"])][r["kind"]] += r["total"]
    return moves


def expected(moves, account_id, month, months):
    before = sum(
        (SIGN[kind] * amount for (a, m), kinds in moves.items() if a == account_id and m < month
         for kind, amount in kinds.items()),
        ZERO,
    )  # fmt: skip
    this = moves.get((account_id, month), {})
    charged, recalculated = this.get("charge", ZERO), this.get("recalculation", ZERO)
    penalties, paid = this.get("penalty", ZERO), this.get("payment", ZERO)
    closing = before + charged + recalculated + penalties - paid
    return [before, charged, recalculated, penalties, paid, closing]


def test_every_account_and_month_of_the_demo_equals_the_ledger(demo):
    checked = 0
    for organisation in demo:
        months = turnover.published_months(organisation, *_span(organisation))
        assert len(months) >= 2
        moves = ledger_by_account_and_month(organisation)
        for month in months:
            result = turnover.sheet(organisation, month, month)
            assert result.lines
            for line in result.lines:
                assert line.figures() == expected(moves, line.key, month, months), (line.label, month)
                checked += 1
            # and the total line is the sum of the lines, as the house view's
            houses = turnover.sheet(organisation, month, month, by="house")
            assert houses.total.figures() == result.total.figures()
    assert checked > 10


def test_a_range_opens_with_the_first_month_and_closes_with_the_last(demo):
    organisation = demo[0]
    months = turnover.published_months(organisation, *_span(organisation))
    whole = {line.key: line for line in turnover.sheet(organisation, months[0], months[-1]).lines}
    first = {line.key: line for line in turnover.sheet(organisation, months[0], months[0]).lines}
    last = {line.key: line for line in turnover.sheet(organisation, months[-1], months[-1]).lines}
    for key, line in whole.items():
        assert line.opening == first[key].opening
        assert line.closing == last[key].closing
        assert line.closing == line.opening + line.charged + line.recalculated + line.penalties - line.paid


def test_the_sheet_by_service_totals_equal_the_account_sheet_for_every_month_and_the_range(demo):
    from abonent.billing.models import ServiceBalance  # noqa: PLC0415

    for organisation in demo:
        months = turnover.published_months(organisation, *_span(organisation))
        assert ServiceBalance.objects.filter(period__organisation=organisation).exists()
        for first, last in [*((m, m) for m in months), (months[0], months[-1])]:
            accounts = turnover.sheet(organisation, first, last)
            services = turnover.sheet(organisation, first, last, by="service")
            assert len(services.lines) >= 2
            assert services.total.figures() == accounts.total.figures(), (organisation, first, last)
            assert [sum(v) for v in zip(*(line.figures() for line in services.lines), strict=True)] == (
                services.total.figures()
            )
            for line in services.lines:  # each service's own turnover holds, not only the sum
                assert line.closing == line.opening + line.charged + line.recalculated + line.penalties - line.paid


def test_the_service_sheet_on_screen_and_in_xlsx(client, demo, django_capture_on_commit_callbacks):
    organisation = demo[0]
    client.force_login(make_operator(organisation, Role.AUDITOR))
    month = turnover.published_months(organisation, *_span(organisation))[-1]
    expected_sheet = turnover.sheet(organisation, month, month, by="service")
    page = client.get("/office/reports/turnover/", {"first": f"{month:%m.%Y}", "by": "service"}).content.decode()
    assert (
        "Услуга" in page and expected_sheet.lines[0].label in page and ru_decimal(expected_sheet.total.charged) in page
    )
    query = {"first": f"{month:%m.%Y}", "by": "service", "format": "xlsx"}
    data = job_download(client, django_capture_on_commit_callbacks, "get", "/office/reports/turnover/", query)
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Услуга"
    assert [r[0] for r in rows[1:]] == [line.label for line in [*expected_sheet.lines, expected_sheet.total]]
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in rows[-1][2:]] == expected_sheet.total.figures()


def test_the_xlsx_opened_with_openpyxl_has_the_same_figures(client, demo, django_capture_on_commit_callbacks):
    organisation = demo[0]
    client.force_login(make_operator(organisation, Role.ACCOUNTANT))
    month = turnover.published_months(organisation, *_span(organisation))[-1]
    query = {"first": f"{month:%m.%Y}", "format": "xlsx"}
    data = job_download(client, django_capture_on_commit_callbacks, "get", "/office/reports/turnover/", query)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2:] == tuple(turnover.HEADERS)
    expected_lines = turnover.sheet(organisation, month, month)
    assert len(rows) == 1 + len(expected_lines.lines) + 1
    for row, line in zip(rows[1:], [*expected_lines.lines, expected_lines.total], strict=True):
        assert row[0] == line.label
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in row[2:]] == line.figures()


def test_a_sheet_too_large_for_the_request_is_written_by_a_job_with_the_same_figures(
    client, demo, django_capture_on_commit_callbacks
):
    """Every sheet's XLSX is written by the report export job (a city's 100 000 lines would not fit in a request):
    a multi-month sheet by house goes to the job's page, whose file has the screen's figures line by line."""
    from abonent.jobs.models import Job  # noqa: PLC0415

    organisation = demo[0]
    client.force_login(make_operator(organisation, Role.ACCOUNTANT))
    first, last = _span(organisation)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/office/reports/turnover/", {"first": f"{first:%m.%Y}", "last": f"{last:%m.%Y}",
                                                            "by": "house", "format": "xlsx"})  # fmt: skip
    job = Job.objects.get(kind="office.export")
    assert response.status_code == 302 and response.url == f"/office/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == Job.State.FINISHED, job.error
    assert job.params["report"] == "turnover" and job.params["query"]["by"] == "house"
    page = client.get(response.url).content.decode()
    assert f"ОСВ {first:%m.%Y}–{last:%m.%Y}" in page and f"/office/jobs/{job.pk}/file/" in page
    download = client.get(f"/office/jobs/{job.pk}/file/")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True)
    )
    expected = turnover.sheet(organisation, first, last, by="house")
    assert rows[0][0] == "Дом" and len(rows) == 1 + len(expected.lines) + 1 > 3
    for row, line in zip(rows[1:], [*expected.lines, expected.total], strict=True):
        assert row[0] == line.label
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in row[2:]] == line.figures()


def test_the_screen_shows_the_total(client, demo):
    organisation = demo[0]
    client.force_login(make_operator(organisation, Role.ACCOUNTANT))
    month = turnover.published_months(organisation, *_span(organisation))[-1]
    response = client.get("/office/reports/turnover/", {"first": f"{month:%m.%Y}", "by": "house"})
    assert response.status_code == 200
    total = turnover.sheet(organisation, month, month).total
    assert ru_decimal(total.closing) in response.content.decode()


def test_a_month_typed_wrong_is_a_russian_400(client, demo):
    client.force_login(make_operator(demo[0], Role.ACCOUNTANT))
    response = client.get("/office/reports/turnover/", {"first": "13.2026"})
    assert response.status_code == 400
    assert "ММ.ГГГГ" in response.content.decode()


def _span(organisation):
    months = BillingPeriod.objects.filter(organisation=organisation).values_list("month", flat=True)
    return min(months), max(months)


def test_payments_by_day_and_channel_add_up_to_the_credited_payments_and_their_xlsx(
    client, demo, django_capture_on_commit_callbacks
):
    from abonent.payments.models import Payment  # noqa: PLC0415  (tests stand outside the layers)

    organisation = demo[0]
    month = turnover.published_months(organisation, *_span(organisation))[-1]
    client.force_login(make_operator(organisation, Role.ACCOUNTANT))
    days = reports.payments_by_day(organisation, month)
    credited = Payment.objects.filter(organisation=organisation, status="credited", paid_on__year=month.year,
                                      paid_on__month=month.month)  # fmt: skip
    assert sum(d.total for d in days) == credited.aggregate(s=Sum("amount"))["s"]
    assert sum(d.count for d in days) == credited.count()
    query = {"first": f"{month:%m.%Y}", "format": "xlsx"}
    data = job_download(client, django_capture_on_commit_callbacks, "get", "/office/reports/payments/", query)
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(days)
    assert [Decimal(str(r[-2])).quantize(Decimal("0.01")) for r in rows[1:]] == [d.total for d in days]
    assert client.get("/office/reports/payments/", {"first": f"{month:%m.%Y}"}).status_code == 200


def test_readings_by_house_count_each_meter_once_and_their_xlsx(client, demo, django_capture_on_commit_callbacks):
    from abonent.metering.models import Reading  # noqa: PLC0415

    organisation = demo[0]
    month = turnover.published_months(organisation, *_span(organisation))[-1]
    houses = reports.readings_by_house(organisation, month)
    sent = (
        Reading.objects.filter(meter__premises__building__organisation=organisation, period=month, is_current=True)
        .exclude(channel="estimate")
        .exclude(status="rejected")
        .values("meter_id")
        .distinct()
        .count()
    )
    assert sum(h.received for h in houses) >= sent > 0
    assert all(h.received <= h.meters for h in houses)
    client.force_login(make_operator(organisation, Role.DISPATCHER))
    query = {"first": f"{month:%m.%Y}", "format": "xlsx"}
    data = job_download(client, django_capture_on_commit_callbacks, "get", "/office/reports/readings/", query)
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [h.address for h in houses]
    assert [r[-1] for r in rows[1:]] == [h.received for h in houses]
