"""Column layouts of a billing's month file: which column holds which figure, and the presets an organisation picks
from once (BillingMapping). A column is found by its header, case and surrounding spaces ignored, so the order of
columns in the file does not matter. Each preset is described in docs/EXCHANGE.md, «Импорт месяца из биллинга».
"""

from dataclasses import dataclass, field

# The figures of one line, in the file's order of meaning; the labels are what refusals name.
FIELDS = {
    "account": "лицевой счёт",
    "service": "услуга",
    "unit": "единица измерения",
    "volume": "объём",
    "tariff": "тариф",
    "charged": "начислено",
    "recalculation": "перерасчёт",
    "penalties": "пени",
    "opening": "входящее сальдо",
    "paid": "оплачено",
    "to_pay": "к оплате",
}
# Columns a file may leave out: read as zero (or as the service's own unit).
OPTIONAL = {"unit", "recalculation", "penalties"}
ENCODINGS = ("auto", "utf-8", "cp1251", "cp866")


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    columns: dict[str, str] = field(default_factory=dict)  # field → header
    separator: str = ";"


ABONENT = Layout(
    name="abonent",
    title="Абонент: русские заголовки (ЛС;Услуга;Ед;Объём;Тариф;Начислено;Перерасчёт;Пени;Сальдо;Оплачено;К оплате)",
    columns={
        "account": "ЛС",
        "service": "Услуга",
        "unit": "Ед",
        "volume": "Объём",
        "tariff": "Тариф",
        "charged": "Начислено",
        "recalculation": "Перерасчёт",
        "penalties": "Пени",
        "opening": "Сальдо",
        "paid": "Оплачено",
        "to_pay": "К оплате",
    },
)
ONE_C = Layout(
    name="1c-zkh",
    title="Выгрузка в стиле 1С: заголовки-идентификаторы (ЛицевойСчет, Услуга, … КОплате)",
    columns={
        "account": "ЛицевойСчет",
        "service": "Услуга",
        "unit": "ЕдиницаИзмерения",
        "volume": "Объем",
        "tariff": "Тариф",
        "charged": "Начислено",
        "recalculation": "Перерасчет",
        "penalties": "Пени",
        "opening": "СальдоНачальное",
        "paid": "Оплачено",
        "to_pay": "КОплате",
    },
)
# dBase field names: at most 10 Latin characters.
DBF_LATIN = Layout(
    name="dbf-latin",
    title="DBF: латинские имена полей (LS, USLUGA, EDIZM, OBEM, TARIF, NACH, PERERASCH, PENI, SALDO, OPLATA, KOPLATE)",
    columns={
        "account": "LS",
        "service": "USLUGA",
        "unit": "EDIZM",
        "volume": "OBEM",
        "tariff": "TARIF",
        "charged": "NACH",
        "recalculation": "PERERASCH",
        "penalties": "PENI",
        "opening": "SALDO",
        "paid": "OPLATA",
        "to_pay": "KOPLATE",
    },
)
LAYOUTS = {layout.name: layout for layout in (ABONENT, ONE_C, DBF_LATIN)}


def layout_choices() -> list[tuple[str, str]]:
    return [(name, layout.title) for name, layout in LAYOUTS.items()]


def with_overrides(layout: Layout, overrides: dict[str, str] | None, fields: dict[str, str] = FIELDS) -> Layout:
    """The preset with the organisation's own headers for some fields (BillingMapping.columns, or
    register_columns with the register's fields)."""
    if not overrides:
        return layout
    columns = dict(layout.columns)
    columns.update({k: v for k, v in overrides.items() if k in fields and v})
    return Layout(name=layout.name, title=layout.title, columns=columns, separator=layout.separator)


def header_index(
    headers: list[str], layout: Layout, fields: dict[str, str], required: set[str]
) -> tuple[dict[str, int], list[str]]:
    """Field → column index by header (case and spaces ignored); errors name the required columns missing."""
    found = {h.strip().casefold(): i for i, h in enumerate(headers) if h}
    index, errors = {}, []
    for name, header in layout.columns.items():
        position = found.get(header.strip().casefold())
        if position is not None:
            index[name] = position
        elif name in required:
            errors.append(f"нет колонки «{header}» ({fields[name]}) в первой строке файла")
    return index, errors
