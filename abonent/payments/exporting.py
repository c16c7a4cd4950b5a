"""The payments list written out as a spreadsheet (lib.tables): its header and rows, for the back office's
export job."""

from __future__ import annotations

from django.db.models import QuerySet

from abonent.lib.tables import Table

HEADERS = ["Дата оплаты", "Лицевой счёт", "Сумма", "Способ", "Состояние", "Плательщик", "Идентификатор"]


def payments_table(queryset: QuerySet) -> Table:
    payments = queryset.select_related("account").order_by("paid_on", "id")
    rows = (
        [
            p.paid_on,
            p.account.number,
            p.amount,
            p.get_channel_display(),
            p.get_status_display(),
            p.payer_name,
            p.external_id,
        ]  # fmt: skip
        for p in payments.iterator(chunk_size=2000)
    )
    return Table("payments", "Платежи", HEADERS, rows, total=payments.count())
