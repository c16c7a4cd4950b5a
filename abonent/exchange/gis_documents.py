"""The payment document ids ГИС ЖКХ assigns, loaded from the XLSX it returns for the payment documents placed
from our export (gis_export.payment_documents_export): the sheet «Разделы 1-2» with the document's number, as we
wrote it, and its «Идентификатор платежного документа». A row without an id (not placed yet) is skipped; a number
that is not one of the organisation's issued documents, or an id that is not an identifier, refuses the file
whole. The id is stored on the issued receipt and printed on its ЕПД."""

from __future__ import annotations

import re

from django.db import transaction

from abonent.receipts.models import IssuedReceipt

from . import readers
from .errors import ExchangeRefused
from .gis_identifiers import header_columns
from .gis_templates import DOCUMENT_ID, DOCUMENT_NUMBER

HEADERS = {"number": (DOCUMENT_NUMBER.casefold(),), "gis_id": (DOCUMENT_ID.casefold(),)}
GIS_ID = re.compile(r"^[0-9A-ZА-ЯЁ][0-9A-ZА-ЯЁ-]{0,39}$")


def _cell(cells, index, name) -> str:
    i = index.get(name)
    return str(cells[i]).strip() if i is not None and i < len(cells) else ""


def _found(table) -> tuple[dict[str, int], list]:
    found = header_columns(table, HEADERS, "number")
    if found is None or "gis_id" not in found[0]:
        raise ExchangeRefused([f"не найдена строка заголовков с колонками «{DOCUMENT_NUMBER}» и «{DOCUMENT_ID}»"])
    return found


def gis_documents_import(*, organisation, data: bytes, file_name: str) -> int:
    """Store the ids; returns the number of documents given one."""
    index, rows = _found(readers.read(data, readers.file_format(file_name)))
    documents = dict(
        IssuedReceipt.objects.filter(account__organisation=organisation).values_list("number", "pk").iterator()
    )
    updates, errors = {}, []
    for line_no, cells in rows:
        number, gis_id = _cell(cells, index, "number"), _cell(cells, index, "gis_id").upper()
        if not gis_id:
            continue
        if number not in documents:
            errors.append(f"строка {line_no}: платёжный документ № «{number}» не найден среди выпущенных организацией")
        elif not GIS_ID.match(gis_id):
            errors.append(f"строка {line_no}: идентификатор платёжного документа «{gis_id}» неверный")
        else:
            updates[documents[number]] = gis_id
    if errors:
        raise ExchangeRefused(errors)
    with transaction.atomic():
        for pk, gis_id in updates.items():
            IssuedReceipt.objects.filter(pk=pk).update(gis_document_id=gis_id)
    return len(updates)
