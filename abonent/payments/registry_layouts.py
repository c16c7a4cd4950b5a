"""Layouts of bank payment registries: which column holds what, the encoding, the date and amount formats, and the
presets an operator picks from when uploading a file (the admin's upload form and `import_payments --format`).

A bank sends the same columns in one of a few variants (Windows-1251 or UTF-8, amounts as 123.45 or 1 234,56), so
every bank layout has one preset per variant rather than the operator editing a layout by hand."""

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Layout:
    name: str
    encoding: str = "cp1251"
    separator: str = ";"
    date_formats: tuple[str, ...] = ("%d/%m/%Y", "%d.%m.%Y")
    decimal_comma: bool = False  # amounts as 1 234,56 rather than 1234.56 (both are accepted when True)
    period_formats: tuple[str, ...] = ("MMYYYY", "MM.YYYY")  # the named period; see registry_parse.PERIOD_FORMATS
    # field → column index (0-based): paid_on, payment_id, account, amount (required); payer, period, readings,
    # service (the code of the service the payer pays for, Service.code; empty — the whole document)
    columns: dict[str, int] = field(default_factory=dict)
    summary_prefix: str = "="
    summary_count: int = 0  # columns of the summary line, after the prefix is removed
    summary_total: int = 1
    title: str = ""  # what the operator sees in the list of formats


# Сбербанк-style: date;time;branch;cashier;payment id;account;payer;address;period;amount;fee[;readings]
# period: the month the payer pays for, "MMYYYY" or "MM.YYYY" (empty when the payer named none);
# readings: "serial:value" pairs separated by "|"; summary "=count;total;fee total;...".
SBER = Layout(
    name="sber",
    columns={"paid_on": 0, "payment_id": 4, "account": 5, "payer": 6, "period": 8, "amount": 9, "readings": 11},
    title="Сбербанк: Windows-1251, сумма с точкой (1234.56)",
)
SBER_UTF8 = replace(SBER, name="sber-utf8", encoding="utf-8", title="Сбербанк: UTF-8, сумма с точкой (1234.56)")
SBER_COMMA = replace(
    SBER, name="sber-comma", decimal_comma=True, title="Сбербанк: Windows-1251, сумма с запятой (1 234,56)"
)
SBER_UTF8_COMMA = replace(
    SBER_UTF8, name="sber-utf8-comma", decimal_comma=True, title="Сбербанк: UTF-8, сумма с запятой (1 234,56)"
)
# The same with the service's code after the readings (…;amount;fee;readings;service): a bank that takes the ЕПД's
# services one at a time (a payment for «ХВС» alone) says which; the allocation pays that service (ПП 354 п.118).
SBER_SERVICE = replace(
    SBER,
    name="sber-service",
    columns={**SBER.columns, "service": 12},
    title="Сбербанк с кодом услуги: Windows-1251, сумма с точкой (1234.56)",
)
SBER_UTF8_SERVICE = replace(
    SBER_SERVICE, name="sber-utf8-service", encoding="utf-8", title="Сбербанк с кодом услуги: UTF-8, сумма с точкой"
)
LAYOUTS = {
    layout.name: layout for layout in (SBER, SBER_UTF8, SBER_COMMA, SBER_UTF8_COMMA, SBER_SERVICE, SBER_UTF8_SERVICE)
}


def layout_choices() -> list[tuple[str, str]]:
    """(name, title) for a form's choice list, in the order above (the plain Windows-1251 preset first)."""
    return [(name, layout.title or name) for name, layout in LAYOUTS.items()]
