"""Files for ГИС ЖКХ in the layout of its XLSX import templates (gis_templates): the organisation's accounts,
a published period's payment documents (the ЕПД as issued) and the meter readings accepted for a month. Every
file carries its template's name and version (on the first row where the template has header rows to spare,
and in the workbook's properties) and is recorded in the exchange audit like the other exports. The same data
gives the same bytes (files._fixed_zip)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import openpyxl
from django.db.models import Q
from django.utils import timezone

from abonent.billing.models import BillingPeriod
from abonent.housing.models import PersonalAccount, Premises
from abonent.metering.models import Reading, Resource
from abonent.orgs.models import Organisation
from abonent.receipts.selectors import Receipt, receipts_for

from .files import _fixed_zip
from .gis_templates import ACCOUNTS, PAYMENT_DOCUMENTS, READINGS, Template
from .models import ExchangeFile

ZERO = Decimal("0")
# ГИС ЖКХ's names of the communal resources (its template's list), by Abonent's resource.
GIS_RESOURCES = {
    Resource.COLD_WATER: "Холодная вода",
    Resource.HOT_WATER: "Горячая вода",
    Resource.ELECTRICITY: "Электрическая энергия",
    Resource.HEAT: "Тепловая энергия",
    Resource.GAS: "Газ",
}
PREMISES_KIND = {Premises.Kind.FLAT: "Жилое помещение", Premises.Kind.NON_RESIDENTIAL: "Нежилое помещение"}


def version_text(template: Template) -> str:
    return f"{template.title}, версия {template.version or 'не подтверждена'}"


def workbook(template: Template, rows: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    book.properties.title = template.title
    book.properties.version = template.version or None
    book.properties.keywords = f"ГИС ЖКХ; {version_text(template)}"
    for sheet in template.sheets:
        ws = book.create_sheet(sheet.name)
        if sheet.start_row > 2:
            ws.cell(row=1, column=1, value=version_text(template))
        for column, name in enumerate(sheet.columns, start=1):
            ws.cell(row=sheet.start_row - 1, column=column, value=name)
        for offset, values in enumerate(rows.get(sheet.name, [])):
            for column, value in enumerate(values, start=1):
                if value not in (None, ""):
                    ws.cell(row=sheet.start_row + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue())


def _month(day: dt.date) -> str:
    return f"{day:%m.%Y}"


def _names(payer: str) -> tuple[str, str, str]:
    """Фамилия, имя, отчество of «Фамилия Имя Отчество» (what follows the second word is the patronymic)."""
    parts = payer.split()
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "", " ".join(parts[2:]))


def _account_rows(organisation: Organisation, accounts) -> dict[str, list[list]]:
    kind = "ЛС РСО" if organisation.kind == Organisation.Kind.UTILITY else "ЛС УО"
    main, places = [], []
    for n, a in enumerate(accounts, start=1):
        p = a.premises
        tenant = "Да" if p.ownership in (Premises.Ownership.MUNICIPAL, Premises.Ownership.STATE) else "Нет"
        main.append([n, a.number, a.igku, kind, tenant, "Нет", *_names(a.payer_name), *[""] * 8,
                     p.total_area, p.living_area, "", p.residents])  # fmt: skip
        guid = str(p.building.fias_guid) if p.building.fias_guid else ""
        places.append([n, p.building.address, guid, PREMISES_KIND.get(p.kind, ""), p.number])
    return {"Основные сведения": main, "Помещения": places}


def accounts_export(*, organisation: Organisation, on: dt.date | None = None, actor=None) -> ExchangeFile:
    """The accounts open on the day (today by default), by number."""
    on = on or timezone.localdate()
    accounts = (
        PersonalAccount.objects.filter(organisation=organisation, opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on))
        .select_related("premises__building")
        .order_by("number")
    )
    rows = _account_rows(organisation, accounts)
    return _stored(organisation, ACCOUNTS, rows, f"на {on:%d.%m.%Y}", actor)


def _document_rows(receipts: list[Receipt]) -> dict[str, list[list]]:
    first, lines, penalties = [], [], []
    for r in receipts:
        b, p, org = r.balance, r.account.premises, r.organisation
        first.append([r.account.igku, "Текущий", r.number, _month(r.period.month), p.total_area, p.living_area, "",
                      p.residents, r.due_for_period, b.opening if b.opening > 0 else "",
                      -b.opening if b.opening < 0 else "", b.paid, "", r.last_payment_on, r.subsidies, r.closing,
                      org.bik, org.settlement_account, *[""] * 18, r.gis_document_id])  # fmt: skip
        for line in r.lines:
            lines.append([r.number, line.service, line.unit, "", line.volume, "", line.common_volume or "",
                          line.price, line.charged, "", line.charged, line.factor, line.factor_excess or "",
                          line.recalculated, "", "", line.norm, *[""] * 12, line.total])  # fmt: skip
        if r.penalty:
            penalties.append([r.number, "Пени", "", r.penalty])
    return {"Разделы 1-2": first, "Разделы 3-6": lines, "Неустойки и судебные расходы": penalties}


def payment_documents_export(*, period: BillingPeriod, actor=None) -> ExchangeFile:
    """The period's ЕПД as issued (published periods only: a draft has no documents)."""
    receipts = receipts_for(period=period) if period.state == BillingPeriod.State.PUBLISHED else []
    rows = _document_rows(receipts)
    return _stored(period.organisation, PAYMENT_DOCUMENTS, rows, f"за {_month(period.month)}", actor, period.month)


def readings_export(*, organisation: Organisation, month: dt.date, actor=None) -> ExchangeFile:
    """The accepted readings of the individual meters for the month, by address and meter."""
    readings = (
        Reading.objects.filter(
            meter__premises__building__organisation=organisation,
            period=month,
            status=Reading.Status.ACCEPTED,
            is_current=True,
        )
        .select_related("meter__premises__building")
        .order_by("meter__premises__building__address", "meter__premises__number", "meter__serial_number")
    )
    zone = organisation.tz
    rows = [
        [
            r.meter.premises.building.address,
            "",
            GIS_RESOURCES[r.meter.resource],
            _month(month),
            r.value,
            "",
            "",
            timezone.localtime(r.submitted_at, zone).date(),
        ]  # fmt: skip
        for r in readings
    ]
    return _stored(organisation, READINGS, {"Импорт показаний ИПУ": rows}, f"за {_month(month)}", actor, month)


def _stored(organisation, template: Template, rows, parameters: str, actor, month=None) -> ExchangeFile:
    data = workbook(template, rows)
    return ExchangeFile.objects.create(
        organisation=organisation,
        kind=ExchangeFile.Kind.GIS_EXPORT,
        month=month,
        status=ExchangeFile.Status.EXPORTED,
        file_name=f"gis-{template.name}-{organisation.code}-{parameters.split()[-1]}.xlsx",
        content=data,
        checksum=hashlib.sha256(data).hexdigest(),
        file_format="xlsx",
        lines=sum(len(v) for v in rows.values()),
        parameters=f"{version_text(template)}; {parameters}"[:200],
        channel="command",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
