"""Column layouts of a billing's register file (houses, premises, accounts and their meters, one line per account
or per meter of an account) and the presets an organisation picks from once (BillingMapping.register_preset). The
same mechanism as the month's (layouts.Layout, a column found by its header, own headers over a preset's); each
preset is described in docs/EXCHANGE.md, «Импорт реестра из биллинга».
"""

from .layouts import Layout

FIELDS = {
    "address": "адрес дома",
    "fias": "ФИАС/ГАР GUID дома",
    "house_area": "общая площадь помещений дома",
    "common_area": "площадь общего имущества",
    "premises": "номер помещения",
    "total_area": "общая площадь помещения",
    "living_area": "жилая площадь",
    "residents": "зарегистрировано жильцов",
    "account": "лицевой счёт",
    "payer": "плательщик",
    "opened": "дата открытия счёта",
    "closed": "дата закрытия счёта",
    "service": "услуга прибора учёта",
    "serial": "заводской номер прибора",
    "installed": "дата установки прибора",
    "verification_due": "дата окончания поверки",
    "initial": "начальное показание",
}
REQUIRED = {"address", "premises", "total_area", "account", "payer", "opened"}
METER_FIELDS = ("service", "serial", "installed", "verification_due", "initial")

ABONENT = Layout(
    name="abonent",
    title="Абонент: русские заголовки (Адрес;ФИАС;…;ЛС;Плательщик;…;Заводской номер;Окончание поверки)",
    columns={
        "address": "Адрес",
        "fias": "ФИАС",
        "house_area": "Площадь дома",
        "common_area": "Площадь МОП",
        "premises": "Помещение",
        "total_area": "Общая площадь",
        "living_area": "Жилая площадь",
        "residents": "Жильцов",
        "account": "ЛС",
        "payer": "Плательщик",
        "opened": "Открыт",
        "closed": "Закрыт",
        "service": "Услуга ПУ",
        "serial": "Заводской номер",
        "installed": "Установлен",
        "verification_due": "Окончание поверки",
        "initial": "Начальное показание",
    },
)
# dBase field names: at most 10 Latin characters.
DBF_LATIN = Layout(
    name="dbf-latin",
    title="DBF: латинские имена полей (ADRES, FIAS, … LS, FIO, … ZAVNOMER, DATPOVER)",
    columns={
        "address": "ADRES",
        "fias": "FIAS",
        "house_area": "SDOM",
        "common_area": "SMOP",
        "premises": "KV",
        "total_area": "SOBSH",
        "living_area": "SZHIL",
        "residents": "ZHILCOV",
        "account": "LS",
        "payer": "FIO",
        "opened": "DATOTKR",
        "closed": "DATZAKR",
        "service": "USLUGA",
        "serial": "ZAVNOMER",
        "installed": "DATUST",
        "verification_due": "DATPOVER",
        "initial": "NACHPOK",
    },
)
LAYOUTS = {layout.name: layout for layout in (ABONENT, DBF_LATIN)}


def layout_choices() -> list[tuple[str, str]]:
    return [(name, layout.title) for name, layout in LAYOUTS.items()]
